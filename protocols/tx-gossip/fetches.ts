/**
 * Transactions being fetched, with their fallback sources and progress, plus a deadline queue.
 * Every deadline is `now + requestTimeoutMs`, so deadlines are pushed in non-decreasing order and a
 * FIFO (three parallel arrays, no per-entry objects) is a priority queue; superseded entries are
 * skipped lazily by comparing sequence numbers. Bounded by the core's `maxInflight`.
 *
 * Costs that matter when a simulator runs 100,000 cores: the earliest deadline is cached until the
 * table or the queue changes (most inputs change neither); queue entries point at their fetch, so
 * skipping a stale one needs no table lookup; and the record of a finished fetch is kept for the
 * next one (see recycle), so a fetch per transaction per node leaves no garbage behind.
 */
import type { TxKey } from './types.ts'

/** One transaction being fetched. */
export interface Fetch {
  id: TxKey
  /** Announced size, bytes. */
  size: number
  /** Hop count it arrives with. */
  hops: number
  /** Peers that announced or pushed it (at most maxSourcesPerTx), candidates to fetch from. */
  sources: string[]
  /** The peer currently asked; undefined while none is. */
  current: string | undefined
  /** Bytes accepted so far (the offset of the next chunk). */
  received: number
  /** Sources that failed this fetch (bad body, size mismatch, notfound): never asked again, still not announced to. */
  failed: string[] | undefined
  /** Peers whose bytes make up what was received (allocated with the first chunk). */
  contributors: string[] | undefined
  /** True between the `verify` effect and the `verified` input. */
  verifying: boolean
  /** Stalls (timeouts, not-found, failures) since the last progress. */
  attempts: number
  /** Sequence number of the live deadline entry; -1 when none (consumed, or the fetch ended). */
  seq: number
}

/** The fetch table and its deadline queue. */
export class Fetches {
  private readonly map = new Map<TxKey, Fetch>()
  private readonly timeoutMs: number
  private readonly maxQueued: number
  private at: number[] = []
  private queued: Fetch[] = []
  private seqs: number[] = []
  private head = 0
  /** Entries in use: the queue is [head, tail); the arrays keep their capacity beyond it. */
  private tail = 0
  private counter = 0
  private sizes = 0
  /** nextDeadline() as last computed; stale when `dirty`. */
  private earliest: number | undefined
  private dirty = false
  /** A fetch ended during the current input (still referenced by the code handling it). */
  private retired: Fetch | undefined
  /** A record to reuse for the next fetch. */
  private spare: Fetch | undefined

  constructor (timeoutMs: number, maxInflight: number) {
    this.timeoutMs = timeoutMs
    // Each fetch has one live entry; superseded ones are garbage. Rebuild past 4x the live bound.
    this.maxQueued = 4 * maxInflight + 1024
  }

  /** Transactions being fetched. */
  get size (): number {
    return this.map.size
  }

  /** Sum of the sizes of the transactions being fetched. */
  get bytes (): number {
    return this.sizes
  }

  /** The fetch for `id`. */
  get (id: TxKey): Fetch | undefined {
    return this.map.get(id)
  }

  /** Every fetch. */
  values (): MapIterator<Fetch> {
    return this.map.values()
  }

  /** Starts tracking a fetch (the caller checks the bound). */
  create (id: TxKey, size: number, hops: number, source: string): Fetch {
    let fetch = this.spare
    if (fetch === undefined) {
      fetch = { id, size, hops, sources: [source], failed: undefined, current: undefined, received: 0, contributors: undefined, verifying: false, attempts: 0, seq: -1 }
    } else {
      this.spare = undefined
      fetch.id = id
      fetch.size = size
      fetch.hops = hops
      fetch.sources.length = 0
      fetch.sources.push(source)
      fetch.failed = undefined
      fetch.current = undefined
      fetch.received = 0
      fetch.contributors = undefined
      fetch.verifying = false
      fetch.attempts = 0
      fetch.seq = -1
    }
    this.map.set(id, fetch)
    this.sizes += size
    return fetch
  }

  /** Stops tracking `fetch` (a record this table returned). The record stays valid until recycle() is called. */
  delete (fetch: Fetch): void {
    // One fetch per id: if the id is tracked, its record is this one.
    if (!this.map.delete(fetch.id)) return
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
    const i = this.tail++
    this.at[i] = now + this.timeoutMs
    this.queued[i] = fetch
    this.seqs[i] = fetch.seq
    this.dirty = true
    if (this.tail - this.head > this.maxQueued) this.rebuild()
  }

  /** The earliest live deadline, if any. */
  nextDeadline (): number | undefined {
    if (!this.dirty) return this.earliest
    this.dirty = false
    this.skipStale()
    this.earliest = this.head < this.tail ? this.at[this.head] : undefined
    if (this.earliest === undefined) this.clearQueue()
    return this.earliest
  }

  /** Removes and returns the fetches whose live deadline is at or before `now`. */
  expired (now: number): Fetch[] {
    const out: Fetch[] = []
    for (;;) {
      this.skipStale()
      if (this.head >= this.tail || (this.at[this.head] as number) > now) break
      const fetch = this.queued[this.head] as Fetch
      fetch.seq = -1 // its deadline is consumed; a retry re-arms it
      out.push(fetch)
      this.head++
      this.dirty = true
    }
    this.compact()
    return out
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
    this.dirty = true
  }

  /**
   * Nothing live is queued: start again at the front, keeping the arrays' capacity (a node fetches one
   * transaction after another; truncating the arrays made every fetch allocate them again). The
   * records left beyond the tail are overwritten before they are read.
   */
  private clearQueue (): void {
    this.head = 0
    this.tail = 0
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
