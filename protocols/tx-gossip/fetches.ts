/**
 * Transactions being fetched, with their fallback sources and progress, and their deadlines.
 * Bounded by the core's `maxInflight`.
 *
 * Two layouts, one behaviour:
 * - inline (at most INLINE_MAX fetches, nearly always: a node fetches one to three transactions at a
 *   time): the fetches sit in this object's own fields in creation order, their ids beside them, and
 *   each record holds its own deadline. A lookup compares ids in fields already in hand, and the
 *   earliest deadline is a scan of at most INLINE_MAX records.
 * - table (more in flight): a Map, and a FIFO of deadlines. Every deadline is `now +
 *   requestTimeoutMs`, so deadlines are pushed in non-decreasing order and a FIFO (three parallel
 *   arrays) is a priority queue; superseded entries are skipped lazily by comparing sequence numbers.
 *   The table returns to the inline layout when it empties.
 * Why two: a simulator runs 100,000 cores, each cold in the CPU cache, and a Map plus three queue
 * arrays per core cost a chain of memory loads (object, table, entry) on every fetch started, armed
 * and ended; the inline layout answers from the one object the core already reached.
 *
 * Either way the earliest deadline is cached until something changes it, and the record of a
 * finished fetch is kept for the next one (see recycle), so a fetch per transaction per node leaves
 * no garbage behind.
 */
import type { Origin, PeerHandle, TxKey } from './types.ts'

/** Fetches held in fields before the table switches to a Map. */
export const INLINE_MAX = 4

/** One transaction being fetched. */
export interface Fetch {
  id: TxKey
  /** Announced size, bytes. */
  size: number
  /** Hop count it arrives with. */
  hops: number
  /** The register it belongs to, when its announcement or first chunk said (SPEC.md §3.7). */
  register: string | undefined
  /** Its publisher, when its first chunk said (push trees, SPEC.md §3.8). */
  origin: Origin | undefined
  /** Peers that announced or pushed it (at most maxSourcesPerTx), candidates to fetch from. */
  sources: PeerHandle[]
  /** The peer currently asked; undefined while none is. */
  current: PeerHandle | undefined
  /** The peer this fetch counts against in the per-source budget (sources.ts): the one last asked. */
  charged: PeerHandle | undefined
  /** Bytes accepted so far (the offset of the next chunk). */
  received: number
  /** Sources that failed this fetch (bad body, size mismatch, notfound): never asked again, still not announced to. */
  failed: PeerHandle[] | undefined
  /** Peers whose bytes make up what was received (allocated with the first chunk). */
  contributors: PeerHandle[] | undefined
  /** True between the `verify` effect and the `verified` input. */
  verifying: boolean
  /** Stalls (timeouts, not-found, failures) since the last progress. */
  attempts: number
  /** Sequence number of the live deadline; -1 when none (consumed, or the fetch ended). */
  seq: number
  /** The live deadline (meaningful while seq >= 0). */
  deadline: number
}

/** The fetch table and its deadlines. */
export class Fetches {
  // Inline layout: slots 0..count-1 in creation order.
  private k0: TxKey | undefined = undefined
  private f0: Fetch | undefined = undefined
  private k1: TxKey | undefined = undefined
  private f1: Fetch | undefined = undefined
  private k2: TxKey | undefined = undefined
  private f2: Fetch | undefined = undefined
  private k3: TxKey | undefined = undefined
  private f3: Fetch | undefined = undefined
  private count = 0
  private sizes = 0
  /** nextDeadline() as last computed; stale when `dirty`. */
  private earliest: number | undefined
  private dirty = false
  private counter = 0
  /** A fetch ended during the current input (still referenced by the code handling it). */
  private retired: Fetch | undefined
  /** A record to reuse for the next fetch. */
  private spare: Fetch | undefined
  private readonly timeoutMs: number
  /** The table layout, while more than INLINE_MAX fetches have been in flight since it was last empty. */
  private map: Map<TxKey, Fetch> | undefined
  /** The table layout's deadlines (defined whenever `map` is): made with the first table, then kept with its capacity. */
  private queue: DeadlineQueue | undefined
  private readonly maxQueued: number

  constructor (timeoutMs: number, maxInflight: number) {
    this.timeoutMs = timeoutMs
    // Each fetch has one live deadline entry; superseded ones are garbage, rebuilt past this many.
    this.maxQueued = 4 * maxInflight + 1024
  }

  /** Transactions being fetched. */
  get size (): number {
    return this.map === undefined ? this.count : this.map.size
  }

  /** Sum of the sizes of the transactions being fetched. */
  get bytes (): number {
    return this.sizes
  }

  /** The fetch for `id`. */
  get (id: TxKey): Fetch | undefined {
    if (this.map !== undefined) return this.map.get(id)
    const n = this.count
    if (n > 0 && this.k0 === id) return this.f0
    if (n > 1 && this.k1 === id) return this.f1
    if (n > 2 && this.k2 === id) return this.f2
    if (n > 3 && this.k3 === id) return this.f3
    return undefined
  }

  /** Every fetch, in creation order (a new array: the caller may end fetches while walking it). */
  values (): Fetch[] {
    if (this.map !== undefined) return [...this.map.values()]
    const out: Fetch[] = []
    for (let i = 0; i < this.count; i++) out.push(this.slot(i))
    return out
  }

  /** Starts tracking a fetch (the caller checks the bound). */
  create (id: TxKey, size: number, hops: number, source: PeerHandle): Fetch {
    const fetch = this.record(id, size, hops, source)
    if (this.map === undefined && this.count === INLINE_MAX) this.toTable()
    if (this.map !== undefined) this.map.set(id, fetch)
    else this.setSlot(this.count++, id, fetch)
    this.sizes += size
    return fetch
  }

  /** Stops tracking `fetch` (a record this table returned). The record stays valid until recycle() is called. */
  delete (fetch: Fetch): void {
    // One fetch per id: if the id is tracked, its record is this one.
    if (this.map !== undefined) {
      if (!this.map.delete(fetch.id)) return
      if (this.map.size === 0) {
        this.map = undefined
        this.queue!.clear()
      }
    } else {
      let i = 0
      while (i < this.count && this.slot(i) !== fetch) i++
      if (i === this.count) return
      for (; i < this.count - 1; i++) this.setSlot(i, this.slotId(i + 1), this.slot(i + 1))
      this.setSlot(--this.count, undefined, undefined)
    }
    this.sizes -= fetch.size
    fetch.seq = -1
    this.retired = fetch
    this.dirty = true
  }

  /**
   * Called when an input has been handled: the record of a fetch that ended during it is no longer
   * referenced and serves the next fetch.
   */
  recycle (): void {
    if (this.retired === undefined) return
    this.spare = this.retired
    this.retired = undefined
  }

  /** (Re)arms the fetch's deadline at now + timeout, superseding its previous one. */
  touch (fetch: Fetch, now: number): void {
    fetch.seq = ++this.counter
    fetch.deadline = now + this.timeoutMs
    if (this.map !== undefined) this.queue!.push(fetch)
    this.dirty = true
  }

  /** The earliest live deadline, if any. */
  nextDeadline (): number | undefined {
    if (!this.dirty) return this.earliest
    this.dirty = false
    if (this.map !== undefined) {
      this.earliest = this.queue!.earliest()
      return this.earliest
    }
    let earliest: number | undefined
    for (let i = 0; i < this.count; i++) {
      const fetch = this.slot(i)
      if (fetch.seq >= 0 && (earliest === undefined || fetch.deadline < earliest)) earliest = fetch.deadline
    }
    this.earliest = earliest
    return earliest
  }

  /** Removes and returns the fetches whose live deadline is at or before `now`, earliest armed first. */
  expired (now: number): Fetch[] {
    const out = this.map !== undefined ? this.queue!.popExpired(now) : this.expiredInline(now)
    // Each deadline is consumed; a retry re-arms it.
    for (const fetch of out) fetch.seq = -1
    if (out.length > 0) this.dirty = true
    return out
  }

  private expiredInline (now: number): Fetch[] {
    const out: Fetch[] = []
    for (let i = 0; i < this.count; i++) {
      const fetch = this.slot(i)
      if (fetch.seq < 0 || fetch.deadline > now) continue
      // In arming order, as the table's FIFO gives them (insertion sort of at most INLINE_MAX).
      let at = out.length
      while (at > 0 && out[at - 1]!.seq > fetch.seq) at--
      out.splice(at, 0, fetch)
    }
    return out
  }

  private record (id: TxKey, size: number, hops: number, source: PeerHandle): Fetch {
    const fetch = this.spare
    if (fetch === undefined) {
      return { id, size, hops, register: undefined, origin: undefined, sources: [source], failed: undefined, current: undefined, charged: undefined, received: 0, contributors: undefined, verifying: false, attempts: 0, seq: -1, deadline: 0 }
    }
    this.spare = undefined
    fetch.id = id
    fetch.size = size
    fetch.hops = hops
    fetch.register = undefined
    fetch.origin = undefined
    fetch.sources.length = 0
    fetch.sources.push(source)
    fetch.failed = undefined
    fetch.current = undefined
    fetch.charged = undefined
    fetch.received = 0
    fetch.contributors = undefined
    fetch.verifying = false
    fetch.attempts = 0
    fetch.seq = -1
    fetch.deadline = 0
    return fetch
  }

  /** Moves the inline fetches into the table layout, live deadlines in arming order. */
  private toTable (): void {
    const map = new Map<TxKey, Fetch>()
    const armed: Fetch[] = []
    for (let i = 0; i < this.count; i++) {
      const fetch = this.slot(i)
      map.set(fetch.id, fetch)
      if (fetch.seq >= 0) armed.push(fetch)
      this.setSlot(i, undefined, undefined)
    }
    armed.sort((a, b) => a.seq - b.seq)
    const queue = this.queue ??= new DeadlineQueue(this.maxQueued)
    for (const fetch of armed) queue.push(fetch)
    this.count = 0
    this.map = map
  }

  private slot (i: number): Fetch {
    return (i === 0 ? this.f0 : i === 1 ? this.f1 : i === 2 ? this.f2 : this.f3) as Fetch
  }

  private slotId (i: number): TxKey | undefined {
    return i === 0 ? this.k0 : i === 1 ? this.k1 : i === 2 ? this.k2 : this.k3
  }

  private setSlot (i: number, id: TxKey | undefined, fetch: Fetch | undefined): void {
    switch (i) {
      case 0: this.k0 = id; this.f0 = fetch; break
      case 1: this.k1 = id; this.f1 = fetch; break
      case 2: this.k2 = id; this.f2 = fetch; break
      default: this.k3 = id; this.f3 = fetch; break
    }
  }
}

/**
 * The table layout's deadlines: a FIFO of (deadline, fetch, sequence) in three parallel arrays that
 * keep their capacity. An entry is live while its fetch's `seq` still equals the entry's.
 */
class DeadlineQueue {
  private at: number[] = []
  private queued: Fetch[] = []
  private seqs: number[] = []
  private head = 0
  /** Entries in use: the queue is [head, tail); the arrays keep their capacity beyond it. */
  private tail = 0
  /** Each fetch has one live entry; superseded ones are garbage. Rebuild past this many. */
  private readonly maxQueued: number

  constructor (maxQueued: number) {
    this.maxQueued = maxQueued
  }

  push (fetch: Fetch): void {
    const i = this.tail++
    this.at[i] = fetch.deadline
    this.queued[i] = fetch
    this.seqs[i] = fetch.seq
    if (this.tail - this.head > this.maxQueued) this.rebuild()
  }

  earliest (): number | undefined {
    this.skipStale()
    if (this.head < this.tail) return this.at[this.head]
    this.clear()
    return undefined
  }

  popExpired (now: number): Fetch[] {
    const out: Fetch[] = []
    for (;;) {
      this.skipStale()
      if (this.head >= this.tail || (this.at[this.head] as number) > now) break
      out.push(this.queued[this.head] as Fetch)
      this.head++
    }
    this.compact()
    return out
  }

  /** Start again at the front, keeping the arrays' capacity (records beyond the tail are overwritten before they are read). */
  clear (): void {
    this.head = 0
    this.tail = 0
  }

  private live (i: number): boolean {
    return (this.queued[i] as Fetch).seq === this.seqs[i]
  }

  private skipStale (): void {
    while (this.head < this.tail && !this.live(this.head)) this.head++
  }

  private rebuild (): void {
    const keep: number[] = []
    for (let i = this.head; i < this.tail; i++) if (this.live(i)) keep.push(i)
    this.at = keep.map(i => this.at[i] as number)
    this.queued = keep.map(i => this.queued[i] as Fetch)
    this.seqs = keep.map(i => this.seqs[i] as number)
    this.head = 0
    this.tail = keep.length
  }

  private compact (): void {
    // Drop consumed entries once they are the larger part, so the queue stays O(live entries).
    if (this.head < 64 || this.head * 2 < this.tail) return
    const keep = this.tail - this.head
    this.at.copyWithin(0, this.head, this.tail)
    this.queued.copyWithin(0, this.head, this.tail)
    this.seqs.copyWithin(0, this.head, this.tail)
    this.at.length = this.queued.length = this.seqs.length = keep
    this.head = 0
    this.tail = keep
  }
}
