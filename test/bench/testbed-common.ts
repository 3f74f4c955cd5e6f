/**
 * What the testbed benchmarks (testbed-failures, testbed-discovery) share: the refusal where the
 * local testbed cannot run (one line, exit 2), raw rows appended to a CSV file, the load average.
 */
import { execFileSync } from 'node:child_process'
import { appendFileSync, existsSync } from 'node:fs'
import { loadavg } from 'node:os'

/** Exit code of a benchmark refused for bad flags or a machine that cannot run it. */
export const EXIT_USAGE = 2

/** Writes `<bench>: <why>` on stderr and exits with code 2. */
export function refuse (bench: string, why: string): never {
  process.stderr.write(`${bench}: ${why}\n`)
  process.exit(EXIT_USAGE)
}

/** The 1-, 5- and 15-minute load averages, rounded. */
export const load = (): number[] => loadavg().map(l => Math.round(l * 100) / 100)

/** The checked-out commit (short), or "unknown". */
export function commit (): string {
  try { return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() } catch { return 'unknown' }
}

/** A CSV field: quoted when it holds a comma, a quote or a newline. */
export function csvField (value: unknown): string {
  const text = value === null || value === undefined ? '' : String(value)
  return /[",\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text
}

/** Appends `rows` (objects with the keys of `columns`) to a CSV file, writing the header first if the file is new. */
export function appendCsv (path: string, columns: readonly string[], rows: ReadonlyArray<Record<string, unknown>>): void {
  const lines = rows.map(r => columns.map(c => csvField(r[c])).join(','))
  if (!existsSync(path)) lines.unshift(columns.join(','))
  appendFileSync(path, lines.map(l => `${l}\n`).join(''))
}
