/** The run's time series as CSV: one row per sample interval of virtual time. */
import type { Sample } from '../engine/metrics.ts'

/** Column order of timeseries.csv. */
export const CSV_COLUMNS = ['t_ms', 'coverage', 'latency_ms_p50', 'latency_ms_p95', 'bytes', 'messages', 'copies_per_node', 'heap_used_mb', 'rss_mb'] as const

const cell = (x: number, digits: number): string => Number.isFinite(x) ? String(Math.round(x * 10 ** digits) / 10 ** digits) : ''

/** Renders samples as CSV text (header included, trailing newline). */
export function toCsv (samples: readonly Sample[]): string {
  const rows = samples.map(s => [
    cell(s.tMs, 3), cell(s.coverage, 6), cell(s.latencyMsP50, 3), cell(s.latencyMsP95, 3),
    cell(s.bytes, 0), cell(s.messages, 0), cell(s.copiesPerNode, 4), cell(s.heapUsedMb, 1), cell(s.rssMb, 1)
  ].join(','))
  return [CSV_COLUMNS.join(','), ...rows].join('\n') + '\n'
}
