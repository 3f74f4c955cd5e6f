/**
 * How the driver Job hands its report back: the three report files, gzipped JSON in base64 on one
 * log line that starts with REPORT_PREFIX (no volume or object store needed; kubectl logs reads it).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gunzipSync, gzipSync } from 'node:zlib'
import { REPORT_FILES, writeReports, type SimRun } from '../../run.ts'

/** The start of the report line. */
export const REPORT_PREFIX = 'testbed-report '

/** The driver's report is not in the Job's log. */
export class ReportMissingError extends Error {
  override name = 'ReportMissingError'
}

/** The report line of a run. */
export function encodeReport (run: SimRun): string {
  const dir = mkdtempSync(join(tmpdir(), 'testbed-report-'))
  try {
    writeReports(dir, run)
    const files = Object.fromEntries(Object.values(REPORT_FILES).map(f => [f, readFileSync(join(dir, f), 'utf8')]))
    return REPORT_PREFIX + gzipSync(JSON.stringify(files)).toString('base64')
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** The report files (name to content) from a Job's log. */
export function decodeReport (log: string): Record<string, string> {
  const line = log.split('\n').findLast(l => l.startsWith(REPORT_PREFIX))
  if (line === undefined) throw new ReportMissingError(`the driver's log has no report line (${REPORT_PREFIX.trim()}): ${log.trim().split('\n').at(-1) ?? '(empty log)'}`)
  return JSON.parse(gunzipSync(Buffer.from(line.slice(REPORT_PREFIX.length), 'base64')).toString('utf8')) as Record<string, string>
}
