/**
 * What a run measures, gathered as events happen: first receipts (coverage, latency, hops), traffic
 * (messages, bytes, full bodies), drops, verdicts and traces. Memory is bounded by nodes × transactions
 * (one bit per pair, one float and one index per first receipt), fixed before the run starts.
 *
 * Online, only sums and raw receipts are kept; what depends on the order of receipts across nodes
 * (when each transaction reached each 10 % step, each sample window's latency percentiles) is
 * computed by finish(). That is what lets the workers of a parallel run each measure their own
 * nodes and have their parts merged (RunMetrics.merge) into exactly what one thread would measure.
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

/** What a sample records online: sums over this part's nodes when virtual time reached `tMs`. */
export interface SampleMark {
  tMs: number
  /** First receipts so far (all transactions). */
  reached: number
  /** Sum of targetAtPublish over the transactions this part published so far. */
  target: number
  /** Transactions published so far: the highest index published here, plus one. */
  published: number
  /** First receipts with a latency so far (the end of this window's latencies). */
  latencyEnd: number
  /** Bytes and messages sent in the window; bodies received so far. */
  bytes: number
  messages: number
  bodies: number
  liveNodes: number
  heapUsedMb: number
  rssMb: number
}

/** The state of a RunMetrics as plain data (typed arrays and arrays), to move between threads. */
export type MetricsData = Omit<{ [K in keyof RunMetrics as RunMetrics[K] extends (...args: never[]) => unknown ? never : K]: RunMetrics[K] }, 'verdicts' | 'traces' | 'drops' | 'bytesBy'> & {
  verdicts: Array<[string, number]>
  traces: Array<[string, number]>
  bytesBy: Array<[string, number]>
  drops: { loss: number, partition: number, down: number }
}

/** Counters and per-transaction records of one run (or of one worker's nodes in a parallel run). */
export class RunMetrics {
  readonly nodeCapacity: number
  readonly txCapacity: number
  readonly publishedAt: Float64Array
  /** Index of each transaction's publisher. */
  readonly publisherOf: Int32Array
  readonly targetAtPublish: Int32Array
  readonly deliveredCount: Int32Array
  /** First receipts without a latency (the publisher's own), per transaction. */
  readonly zeroReceipts: Int32Array
  /** Time (since publication) at which each tx reached each 10 % step; NaN if never. Filled by finish(). */
  stepMs: Float64Array
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
  /** Bytes by label (EffectSink.account): a protocol's share of `bytes`. */
  readonly bytesBy = new Map<string, number>()
  readonly marks: SampleMark[] = []
  /** The time series. Filled by finish(). */
  samples: Sample[] = []
  readonly bits: Uint8Array
  latencies: Float32Array
  /** The transaction of each latency. */
  latencyTx: Int32Array
  private readonly verdictLabels = new Map<string, Map<string, string>>()
  private ownTarget = 0
  private windowBytes = 0
  private windowMessages = 0

  constructor (nodeCapacity: number, txCapacity: number) {
    this.nodeCapacity = nodeCapacity
    this.txCapacity = txCapacity
    this.publishedAt = new Float64Array(txCapacity)
    this.publisherOf = new Int32Array(txCapacity).fill(-1)
    this.targetAtPublish = new Int32Array(txCapacity)
    this.deliveredCount = new Int32Array(txCapacity)
    this.zeroReceipts = new Int32Array(txCapacity)
    this.stepMs = new Float64Array(txCapacity * COVERAGE_STEPS).fill(NaN)
    this.bits = new Uint8Array(Math.ceil(nodeCapacity * txCapacity / 8))
    const initial = Math.min(1 << 20, Math.max(16, nodeCapacity * txCapacity))
    this.latencies = new Float32Array(initial)
    this.latencyTx = new Int32Array(initial)
  }

  /** True if node has received tx. */
  has (node: number, tx: number): boolean {
    const bit = tx * this.nodeCapacity + node
    return (this.bits[bit >> 3]! & (1 << (bit & 7))) !== 0
  }

  /**
   * Notes when every transaction of the run will be published (from the timeline), so that a part
   * measuring some nodes can time receipts of transactions another part publishes.
   */
  expect (txs: ReadonlyArray<{ readonly publishedAt: number } | undefined>): void {
    for (let t = 0; t < Math.min(txs.length, this.txCapacity); t++) {
      const tx = txs[t]
      if (tx !== undefined) this.publishedAt[t] = tx.publishedAt
    }
  }

  /** Records a publication; the publisher counts as reached at hop 0. */
  publish (tx: number, publisher: number, now: number, liveNodes: number): void {
    this.published = Math.max(this.published, tx + 1)
    this.publishedAt[tx] = now
    this.publisherOf[tx] = publisher
    this.targetAtPublish[tx] = liveNodes
    this.ownTarget += liveNodes
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
  count (map: Map<string, number>, key: string, by = 1): void {
    map.set(key, (map.get(key) ?? 0) + by)
  }

  /** Latencies of all first receipts except the publishers' own, ms. */
  latencyValues (): Float32Array { return this.latencies.subarray(0, this.deliveries) }

  /** Closes a time-series window at `tMs` (everything before `tMs` is recorded). */
  sample (tMs: number, liveNodes: number, memory: { heapUsedMb: number, rssMb: number }): void {
    let reached = 0
    // Every transaction: this part's nodes may have received some that another part published.
    for (let t = 0; t < this.txCapacity; t++) reached += this.deliveredCount[t]!
    this.marks.push({
      tMs,
      reached,
      target: this.ownTarget,
      published: this.published,
      latencyEnd: this.deliveries,
      bytes: this.windowBytes,
      messages: this.windowMessages,
      bodies: this.bodies,
      liveNodes,
      ...memory
    })
    this.windowBytes = 0
    this.windowMessages = 0
  }

  /** Computes the coverage steps and the time series from what was recorded. */
  finish (): this {
    this.stepMs = stepTimes(this)
    this.samples = this.marks.map((mark, k) => toSample(mark, windowLatencies([this], k)))
    return this
  }

  /** This part as plain data. */
  toData (): MetricsData {
    const { verdictLabels, ownTarget, windowBytes, windowMessages, ...data } = this
    void verdictLabels; void ownTarget; void windowBytes; void windowMessages
    return {
      ...data,
      latencies: this.latencyValues(),
      latencyTx: this.latencyTx.subarray(0, this.deliveries),
      verdicts: [...this.verdicts],
      traces: [...this.traces],
      bytesBy: [...this.bytesBy],
      drops: { ...this.drops }
    }
  }

  /** The metrics of a whole run from the parts of its workers (each measured its own nodes), finished. */
  static merge (parts: readonly MetricsData[]): RunMetrics {
    const first = parts[0]!
    const m = new RunMetrics(first.nodeCapacity, first.txCapacity)
    for (const p of parts) m.absorb(p)
    m.samples = first.marks.map((mark, k) => {
      const sum = { ...mark, heapUsedMb: 0, rssMb: 0 }
      for (const p of parts) {
        const other = p.marks[k]!
        if (p !== first) {
          sum.reached += other.reached
          sum.target += other.target
          sum.bytes += other.bytes
          sum.messages += other.messages
          sum.bodies += other.bodies
          sum.published = Math.max(sum.published, other.published)
        }
        sum.heapUsedMb += other.heapUsedMb
        sum.rssMb = Math.max(sum.rssMb, other.rssMb) // one process: each worker sees the same RSS
      }
      return toSample(sum, windowLatencies(parts, k))
    })
    m.stepMs = stepTimes(m)
    return m
  }

  private absorb (p: MetricsData): void {
    for (let i = 0; i < this.bits.length; i++) this.bits[i]! |= p.bits[i]!
    for (let t = 0; t < this.txCapacity; t++) {
      this.deliveredCount[t]! += p.deliveredCount[t]!
      this.zeroReceipts[t]! += p.zeroReceipts[t]!
      if (p.publisherOf[t]! < 0) continue
      this.publisherOf[t] = p.publisherOf[t]!
      this.publishedAt[t] = p.publishedAt[t]!
      this.targetAtPublish[t] = p.targetAtPublish[t]!
    }
    for (let h = 0; h < this.hops.length; h++) this.hops[h]! += p.hops[h]!
    this.published = Math.max(this.published, p.published)
    this.duplicates += p.duplicates
    this.messages += p.messages
    this.bytes += p.bytes
    this.bodies += p.bodies
    this.drops.loss += p.drops.loss
    this.drops.partition += p.drops.partition
    this.drops.down += p.drops.down
    for (const [k, v] of p.verdicts) this.count(this.verdicts, k, v)
    for (const [k, v] of p.traces) this.count(this.traces, k, v)
    for (const [k, v] of p.bytesBy) this.count(this.bytesBy, k, v)
    const n = p.latencies.length
    this.reserve(this.deliveries + n)
    this.latencies.set(p.latencies, this.deliveries)
    this.latencyTx.set(p.latencyTx, this.deliveries)
    this.deliveries += n
  }

  private reserve (n: number): void {
    if (n <= this.latencies.length) return
    let size = this.latencies.length
    while (size < n) size *= 2
    const lat = new Float32Array(size)
    lat.set(this.latencies)
    const tx = new Int32Array(size)
    tx.set(this.latencyTx)
    this.latencies = lat
    this.latencyTx = tx
  }

  private firstReceipt (node: number, tx: number, hops: number, now: number): void {
    const bit = tx * this.nodeCapacity + node
    this.bits[bit >> 3]! |= 1 << (bit & 7)
    this.deliveredCount[tx]!++
    const since = now - this.publishedAt[tx]!
    this.hops[hops < 0 ? MAX_TRACKED_HOPS + 1 : Math.min(hops, MAX_TRACKED_HOPS)]!++
    if (hops === 0 && since === 0) {
      this.zeroReceipts[tx]!++
      return
    }
    if (this.deliveries === this.latencies.length) this.reserve(this.deliveries + 1)
    this.latencies[this.deliveries] = since
    this.latencyTx[this.deliveries++] = tx
  }
}

/** The latencies of sample window k (since the previous sample), over all parts, ascending. */
function windowLatencies (parts: ReadonlyArray<Pick<MetricsData, 'marks' | 'latencies'>>, k: number): Float32Array {
  let n = 0
  const start = (p: Pick<MetricsData, 'marks'>): number => k === 0 ? 0 : p.marks[k - 1]!.latencyEnd
  for (const p of parts) n += p.marks[k]!.latencyEnd - start(p)
  const out = new Float32Array(n)
  let at = 0
  for (const p of parts) {
    const from = start(p)
    const to = p.marks[k]!.latencyEnd
    out.set(p.latencies.subarray(from, to), at)
    at += to - from
  }
  return out.sort()
}

function toSample (mark: SampleMark, latencies: Float32Array): Sample {
  return {
    tMs: mark.tMs,
    coverage: mark.target === 0 ? 0 : mark.reached / mark.target,
    latencyMsP50: percentile(latencies, 0.5),
    latencyMsP95: percentile(latencies, 0.95),
    bytes: mark.bytes,
    messages: mark.messages,
    copiesPerNode: mark.published === 0 || mark.liveNodes === 0 ? 0 : mark.bodies / (mark.published * mark.liveNodes),
    heapUsedMb: mark.heapUsedMb,
    rssMb: mark.rssMb
  }
}

/**
 * When each transaction reached each 10 % of the nodes live at its publication: the time since
 * publication of its ceil(target × s / 10)-th first receipt (NaN if it never got that many).
 */
function stepTimes (m: RunMetrics): Float64Array {
  const steps = new Float64Array(m.txCapacity * COVERAGE_STEPS).fill(NaN)
  const n = m.deliveries
  // Group the latencies by transaction (counting sort), then sort each group.
  const offsets = new Int32Array(m.txCapacity + 1)
  for (let i = 0; i < n; i++) offsets[m.latencyTx[i]! + 1]!++
  for (let t = 0; t < m.txCapacity; t++) offsets[t + 1]! += offsets[t]!
  const fill = offsets.slice(0, m.txCapacity)
  const grouped = new Float32Array(n)
  for (let i = 0; i < n; i++) grouped[fill[m.latencyTx[i]!]!++] = m.latencies[i]!
  for (let t = 0; t < m.published; t++) {
    const mine = grouped.subarray(offsets[t]!, offsets[t + 1]!).sort()
    const zero = m.zeroReceipts[t]!
    const target = m.targetAtPublish[t]!
    for (let s = 1; s <= COVERAGE_STEPS; s++) {
      const rank = Math.ceil(target * s / COVERAGE_STEPS)
      if (rank < 1) continue
      if (rank <= zero) steps[t * COVERAGE_STEPS + s - 1] = 0
      else if (rank - zero <= mine.length) steps[t * COVERAGE_STEPS + s - 1] = mine[rank - zero - 1]!
    }
  }
  return steps
}

/** The p-quantile (0..1) of an ascending array by nearest rank; NaN when empty. */
export function percentile (sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))
  return sorted[rank]!
}
