/** Small helpers shared by the benchmarks: argument parsing and percentiles. */
import { parseArgs } from 'node:util'

/** Parses --name value flags; every option is a string unless listed in `booleans`. */
export function benchArgs (args: string[], strings: string[], booleans: string[] = ['json']): Record<string, string | boolean | undefined> {
  const options: Record<string, { type: 'string' | 'boolean' }> = {}
  for (const s of strings) options[s] = { type: 'string' }
  for (const b of booleans) options[b] = { type: 'boolean' }
  return parseArgs({ args, options, strict: true, allowPositionals: false }).values as Record<string, string | boolean | undefined>
}

/** The q-quantile (0..1) of the values, nearest-rank; null when empty. */
export function percentile (values: number[], q: number): number | null {
  if (values.length === 0) return null
  const sorted = values.slice().sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? null
}

/** Resolves after `ms`. */
export const sleep = async (ms: number): Promise<void> => { await new Promise(resolve => setTimeout(resolve, ms)) }

/** Prints the summary as the last stdout line (pretty JSON first when not --json). */
export function report (summary: unknown, json: boolean): void {
  if (!json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`)
  process.stdout.write(`${JSON.stringify(summary)}\n`)
}
