/**
 * The dashboard's chart points: rates from counter differences between two snapshots, and the
 * first-receipt latency percentiles from the node's histogram over the last window (when the node
 * has metrics enabled). Pure but for MetricsSource, which reads the node's registry.
 */
import type { Registry } from 'prom-client'
import type { NodeStats } from '../../protos/gen/sorcha/api/v1/admin.ts'

/** Counters read at one instant. */
export interface CounterReading {
  atMs: number
  txIn: number
  txOut: number
  bytesIn?: number
  bytesOut?: number
  /** Cumulative first-receipt histogram: upper bound (s) -> count. */
  receipt?: Array<[number, number]>
}

/** One point of the charts (null: not known on this node). */
export interface ChartPoint {
  t: number
  conns: number
  health: number
  txIn: number
  txOut: number
  bytesIn: number | null
  bytesOut: number | null
  /** First-receipt latency over the last interval, ms. */
  p50: number | null
  p90: number | null
  p99: number | null
  queue: number
}

const rate = (now: number | undefined, before: number | undefined, seconds: number): number | null =>
  now === undefined || before === undefined || seconds <= 0 ? null : Math.max(0, (now - before) / seconds)

/** The point for `now`, with rates against `before` (zero rates for the first point). */
export function chartPoint (now: CounterReading, before: CounterReading | undefined, stats: NodeStats): ChartPoint {
  const seconds = before === undefined ? 0 : (now.atMs - before.atMs) / 1000
  const window = now.receipt !== undefined && before?.receipt !== undefined ? bucketDelta(now.receipt, before.receipt) : undefined
  return {
    t: now.atMs,
    conns: stats.inboundConnections + stats.outboundConnections,
    health: stats.healthScore,
    txIn: rate(now.txIn, before?.txIn, seconds) ?? 0,
    txOut: rate(now.txOut, before?.txOut, seconds) ?? 0,
    bytesIn: rate(now.bytesIn, before?.bytesIn, seconds) ?? (now.bytesIn === undefined ? null : 0),
    bytesOut: rate(now.bytesOut, before?.bytesOut, seconds) ?? (now.bytesOut === undefined ? null : 0),
    p50: window === undefined ? null : quantileMs(window, 0.5),
    p90: window === undefined ? null : quantileMs(window, 0.9),
    p99: window === undefined ? null : quantileMs(window, 0.99),
    queue: stats.queue?.depth ?? 0
  }
}

function bucketDelta (now: Array<[number, number]>, before: Array<[number, number]>): Array<[number, number]> {
  const old = new Map(before)
  return now.map(([le, count]) => [le, count - (old.get(le) ?? 0)])
}

/**
 * The q-quantile of a cumulative histogram (upper bound in s -> count), in ms, by linear
 * interpolation inside the bucket as Prometheus' histogram_quantile does; null without observations.
 */
export function quantileMs (cumulative: Array<[number, number]>, q: number): number | null {
  const sorted = [...cumulative].sort((a, b) => a[0] - b[0])
  const total = sorted.at(-1)?.[1] ?? 0
  if (total <= 0) return null
  const rank = q * total
  let lower = 0
  let below = 0
  for (const [le, count] of sorted) {
    if (count >= rank) {
      if (!Number.isFinite(le)) return lower * 1000
      const inBucket = count - below
      return (lower + (le - lower) * (inBucket === 0 ? 0 : (rank - below) / inBucket)) * 1000
    }
    lower = le
    below = count
  }
  return lower * 1000
}

/** Reads the counters a chart needs beyond NodeStats from the node's metrics registry. */
export interface MetricsSource {
  read: () => Promise<Pick<CounterReading, 'bytesIn' | 'bytesOut' | 'receipt'>>
}

interface MetricValue { labels: Record<string, string | number>, value: number, metricName?: string }

/** A MetricsSource over a prom-client registry (sorcha_gossip_bytes_total, sorcha_gossip_first_receipt_seconds). */
export function registrySource (registry: Registry): MetricsSource {
  const values = async (name: string): Promise<MetricValue[]> => {
    const metric = registry.getSingleMetric(name)
    return metric === undefined ? [] : (await metric.get()).values as MetricValue[]
  }
  return {
    read: async () => {
      const [bytes, receipt] = await Promise.all([values('sorcha_gossip_bytes_total'), values('sorcha_gossip_first_receipt_seconds')])
      let bytesIn = 0
      let bytesOut = 0
      for (const v of bytes) { if (v.labels.direction === 'in') bytesIn += v.value; else bytesOut += v.value }
      const buckets = new Map<number, number>()
      for (const v of receipt) {
        if (v.metricName?.endsWith('_bucket') !== true) continue
        const le = v.labels.le === '+Inf' ? Infinity : Number(v.labels.le)
        buckets.set(le, (buckets.get(le) ?? 0) + v.value)
      }
      return { bytesIn, bytesOut, receipt: [...buckets] }
    }
  }
}
