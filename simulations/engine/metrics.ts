/**
 * What a run measures, gathered as events happen: first receipts (coverage, latency, hops), traffic
 * (messages, bytes, full bodies), drops, verdicts and traces. Memory is bounded by nodes × transactions
 * (one bit per pair, one float per first receipt), both fixed before the run starts.
 */

/** Number of coverage steps recorded per transaction (10 %, 20 %, ... 100 %). */
export const COVERAGE_STEPS = 10
/** Largest hop count tracked individually; larger ones are counted in the last bucket. */
export const MAX_TRACKED_HOPS = 64

/** One row of the time series. */
export interface Sample {
  tMs: number
  coverage: number
  latencyMsP50: number
  latencyMsP95: number
  bytes: number
  messages: number
  copiesPerNode: number
  heapUsedMb: number
  rssMb: number
}

/** Counters and per-transaction records of one run. */
export class RunMetrics {
  readonly nodeCapacity: number
  readonly txCapacity: number
  readonly publishedAt: Float64Array
  /** Index of each transaction's publisher. */
  readonly publisherOf: Int32Array
  readonly targetAtPublish: Int32Array
  readonly deliveredCount: Int32Array
  /** Time (since publication) at which each tx reached each 10 % step; NaN if never. */
  readonly stepMs: Float64Array
  readonly hops = new Float64Array(MAX_TRACKED_HOPS + 2)
  published = 0
  deliveries = 0
  duplicates = 0
  messages = 0
  bytes = 0
  bodies = 0
  readonly drops = { loss: 0, partition: 0, down: 0 }
  readonly verdicts = new Map<string, number>()
  readonly traces = new Map<string, number>()
  readonly samples: Sample[] = []
  private readonly verdictLabels = new Map<string, Map<string, string>>()
  private readonly bits: Uint8Array
  private latencies: Float32Array
  /** First-receipt latencies of the current time-series window (a typed array: sorted natively, no garbage). */
  private windowLatencies = new Float64Array(1024)
  private windowCount = 0
  private windowBytes = 0
  private windowMessages = 0

  constructor (nodeCapacity: number, txCapacity: number) {
    this.nodeCapacity = nodeCapacity
    this.txCapacity = txCapacity
    this.publishedAt = new Float64Array(txCapacity)
    this.publisherOf = new Int32Array(txCapacity).fill(-1)
    this.targetAtPublish = new Int32Array(txCapacity)
    this.deliveredCount = new Int32Array(txCapacity)
    this.stepMs = new Float64Array(txCapacity * COVERAGE_STEPS).fill(NaN)
    this.bits = new Uint8Array(Math.ceil(nodeCapacity * txCapacity / 8))
    this.latencies = new Float32Array(Math.min(1 << 20, Math.max(16, nodeCapacity * txCapacity)))
  }

  /** True if node has received tx. */
  has (node: number, tx: number): boolean {
    const bit = tx * this.nodeCapacity + node
    return (this.bits[bit >> 3]! & (1 << (bit & 7))) !== 0
  }

  /** Records a publication; the publisher counts as reached at hop 0. */
  publish (tx: number, publisher: number, now: number, liveNodes: number): void {
    this.published = Math.max(this.published, tx + 1)
    this.publishedAt[tx] = now
    this.publisherOf[tx] = publisher
    this.targetAtPublish[tx] = liveNodes
    this.firstReceipt(publisher, tx, 0, now)
  }

  /** Records a deliver effect at `node`; returns false for a duplicate. */
  deliver (node: number, tx: number, hops: number, now: number): boolean {
    if (this.has(node, tx)) {
      this.duplicates++
      return false
    }
    this.firstReceipt(node, tx, hops, now)
    return true
  }

  /** Records a message sent. */
  sent (bytes: number): void {
    this.messages++
    this.bytes += bytes
    this.windowMessages++
    this.windowBytes += bytes
  }

  /** Counts a verdict as "verdict:code" (labels cached: this runs for every duplicate). */
  countVerdict (verdict: string, code: string): void {
    let byCode = this.verdictLabels.get(verdict)
    if (byCode === undefined) { byCode = new Map(); this.verdictLabels.set(verdict, byCode) }
    let label = byCode.get(code)
    if (label === undefined) { label = `${verdict}:${code}`; byCode.set(code, label) }
    this.count(this.verdicts, label)
  }

  /** Increments a named counter (verdict or trace). */
  count (map: Map<string, number>, key: string): void {
    map.set(key, (map.get(key) ?? 0) + 1)
  }

  /** Latencies of all first receipts except the publishers' own, ms. */
  latencyValues (): Float32Array { return this.latencies.subarray(0, this.deliveries) }

  /** Closes a time-series window at `tMs`. */
  sample (tMs: number, liveNodes: number, memory: { heapUsedMb: number, rssMb: number }): void {
    let target = 0
    let reached = 0
    for (let t = 0; t < this.published; t++) {
      target += this.targetAtPublish[t]!
      reached += this.deliveredCount[t]!
    }
    const sorted = this.windowLatencies.subarray(0, this.windowCount).sort()
    this.samples.push({
      tMs,
      coverage: target === 0 ? 0 : reached / target,
      latencyMsP50: percentile(sorted, 0.5),
      latencyMsP95: percentile(sorted, 0.95),
      bytes: this.windowBytes,
      messages: this.windowMessages,
      copiesPerNode: this.published === 0 || liveNodes === 0 ? 0 : this.bodies / (this.published * liveNodes),
      ...memory
    })
    this.windowCount = 0
    this.windowBytes = 0
    this.windowMessages = 0
  }

  private firstReceipt (node: number, tx: number, hops: number, now: number): void {
    const bit = tx * this.nodeCapacity + node
    this.bits[bit >> 3]! |= 1 << (bit & 7)
    const count = ++this.deliveredCount[tx]!
    const target = this.targetAtPublish[tx]!
    const since = now - this.publishedAt[tx]!
    for (let s = 1; s <= COVERAGE_STEPS; s++) {
      if (count === Math.ceil(target * s / COVERAGE_STEPS)) this.stepMs[tx * COVERAGE_STEPS + s - 1] = since
    }
    this.hops[hops < 0 ? MAX_TRACKED_HOPS + 1 : Math.min(hops, MAX_TRACKED_HOPS)]!++
    if (hops === 0 && since === 0) return
    if (this.deliveries === this.latencies.length) {
      const grown = new Float32Array(this.latencies.length * 2)
      grown.set(this.latencies)
      this.latencies = grown
    }
    this.latencies[this.deliveries++] = since
    if (this.windowCount === this.windowLatencies.length) {
      const grown = new Float64Array(this.windowLatencies.length * 2)
      grown.set(this.windowLatencies)
      this.windowLatencies = grown
    }
    this.windowLatencies[this.windowCount++] = since
  }
}

/** The p-quantile (0..1) of an ascending array by nearest rank; NaN when empty. */
export function percentile (sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))
  return sorted[rank]!
}
