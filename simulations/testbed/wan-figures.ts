/**
 * The WAN benchmark's figures for one testbed run (test/bench/testbed-wan.ts): delivery, first-receipt
 * latency percentiles, bytes and copies per transaction per node, and the comparison with the
 * flood-optimal latency (flood-optimal.ts) over the overlay the nodes had during the run.
 *
 * The ratio: p99OverFloodOptimal = p99 of the real first-receipt latencies over all (transaction,
 * receiving node) pairs, divided by p99 of the flood-optimal latencies over the same pairs. Both
 * percentiles are over the same population of pairs, a pair that was never delivered counting as an
 * infinite latency (so the ratio is finite only when at least 99 % of the pairs were delivered). Why
 * p99 over p99 and not a percentile of per-pair ratios: a pair of nodes in one region has a
 * flood-optimal latency of a few ms, where any fixed cost (a gateway call, a CPU slice) makes its
 * ratio large without saying anything about dissemination; the question the target asks is how much
 * longer the slowest deliveries take than the slowest deliveries could take on that overlay.
 *
 * The overlay is the union of every node's connected peers over snapshots taken during the run: a
 * link that existed at any snapshot counts for every transaction, which can only make the
 * flood-optimal latency smaller, so the ratio is not flattered. A link's delay is its planned one-way
 * delay plus half its jitter (the jitter's mean): the delays the run's links were given.
 */
import type { SimRun } from '../run.ts'
import { floodOptimalLatencies, type Overlay } from './flood-optimal.ts'
import type { TestbedPlan } from './plan.ts'

/** What one strategy's run gave. */
export interface WanFigures {
  deliveredFraction: number
  allReachedFraction: number
  transactions: number
  /** Real first-receipt latency over all (transaction, receiver) pairs, ms (null: a percentile falls on an undelivered pair). */
  latencyMs: { p50: number | null, p95: number | null, p99: number | null }
  /** Flood-optimal latency over the same pairs, ms. */
  floodOptimalMs: { p50: number | null, p95: number | null, p99: number | null }
  p50OverFloodOptimal: number | null
  p99OverFloodOptimal: number | null
  /** Bytes sent by the nodes (gossip and reconciliation) per transaction per node. */
  bytesPerTxPerNode: number
  /** Transaction bodies received per transaction per node (1 = no duplicate). */
  copiesPerTxPerNode: number
  overlay: { links: number, meanDegree: number, snapshots: number }
}

/** Nearest-rank q-quantile (0..1) of sorted values; null when empty or not finite. */
export function quantile (sorted: ArrayLike<number>, q: number): number | null {
  if (sorted.length === 0) return null
  const v = sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!
  return Number.isFinite(v) ? v : null
}

const ratio = (a: number | null, b: number | null): number | null => a === null || b === null || b <= 0 ? null : Math.round(a / b * 1000) / 1000
const round1 = (v: number | null): number | null => v === null ? null : Math.round(v * 10) / 10

/**
 * The real first-receipt latency of every (transaction, receiver other than its publisher) pair,
 * Infinity for each pair not delivered. Receipts are not kept per node, so this assumes what the WAN
 * scenario is: no faults, every node a receiver (a crashed node's receipts would count as delivered).
 */
export function realLatencies (run: SimRun, receivers: readonly number[]): Float64Array {
  const m = run.result.metrics
  let pairs = 0
  for (let t = 0; t < m.published; t++) pairs += receivers.filter(r => r !== m.publisherOf[t]).length
  const delivered = m.latencyValues()
  const out = new Float64Array(Math.max(pairs, delivered.length)).fill(Infinity)
  out.set(delivered)
  return out
}

/** The figures of one run, given the plan it ran and the overlay sampled during it. */
export function wanFigures (run: SimRun, plan: TestbedPlan, overlay: Overlay, snapshots: number): WanFigures {
  const m = run.result.metrics
  const receivers = [...run.result.liveAtEnd]
  const publishers = Array.from(m.publisherOf.subarray(0, m.published))
  const delay = (from: number, to: number): number => { const l = plan.link(from, to); return l.baseMs + l.jitterMs / 2 }
  const flood = floodOptimalLatencies(overlay, delay, publishers, receivers).sort()
  const real = realLatencies(run, receivers).sort()
  const pct = (values: Float64Array): WanFigures['latencyMs'] => ({ p50: round1(quantile(values, 0.5)), p95: round1(quantile(values, 0.95)), p99: round1(quantile(values, 0.99)) })
  const latencyMs = pct(real)
  const floodOptimalMs = pct(flood)
  const links = overlay.neighbours.reduce((sum, n) => sum + n.length, 0) / 2
  return {
    deliveredFraction: run.summary.deliveredFraction,
    allReachedFraction: run.summary.allReachedFraction,
    transactions: run.summary.transactions,
    latencyMs,
    floodOptimalMs,
    p50OverFloodOptimal: ratio(quantile(real, 0.5), quantile(flood, 0.5)),
    p99OverFloodOptimal: ratio(quantile(real, 0.99), quantile(flood, 0.99)),
    bytesPerTxPerNode: run.summary.bytesPerTxPerNode,
    copiesPerTxPerNode: run.summary.copiesPerNode,
    overlay: { links, meanDegree: Math.round(2 * links / Math.max(1, overlay.nodes) * 100) / 100, snapshots }
  }
}
