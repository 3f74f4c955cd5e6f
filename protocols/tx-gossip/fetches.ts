/**
 * Transactions being fetched, with their fallback sources and progress, plus a deadline queue.
 * Every deadline is `now + requestTimeoutMs`, so deadlines are pushed in non-decreasing order and a
 * FIFO (three parallel arrays, no per-entry objects) is a priority queue; superseded entries are
 * skipped lazily by comparing sequence numbers. Bounded by the core's `maxInflight`.
 */
import type { TxKey } from './types.ts'

/** One transaction being fetched. */
export interface Fetch {
  readonly id: TxKey
  /** Announced size, bytes. */
  readonly size: number
  /** Hop count it arrives with. */
  readonly hops: number
  /** Peers that announced or pushed it (at most maxSourcesPerTx), candidates to fetch from. */
  sources: string[]
  /** The peer currently asked; undefined while none is. */
  current: string | undefined
  /** Bytes accepted so far (the offset of the next chunk). */
  received: number
  /** Sources that failed this fetch (bad body, size mismatch, notfound): never asked again, still not announced to. */
  failed: string[] | undefined
  /** Peers whose bytes make up what was received. */
  contributors: string[]
  /** True between the `verify` effect and the `verified` input. */
  verifying: boolean
  /** Stalls (timeouts, not-found, failures) since the last progress. */
  attempts: number
  /** Sequence number of the live deadline entry. */
  seq: number
}

/** The fetch table and its deadline queue. */
export class Fetches {
  private readonly map = new Map<TxKey, Fetch>()
  private readonly timeoutMs: number
  private readonly maxQueued: number
  private at: number[] = []
  private ids: TxKey[] = []
  private seqs: number[] = []
  private head = 0
  private counter = 0
  private sizes = 0

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
    const fetch: Fetch = { id, size, hops, sources: [source], failed: undefined, current: undefined, received: 0, contributors: [], verifying: false, attempts: 0, seq: 0 }
    this.map.set(id, fetch)
    this.sizes += size
    return fetch
  }

  /** Stops tracking `id`. */
  delete (id: TxKey): void {
    const fetch = this.map.get(id)
    if (fetch === undefined) return
    this.sizes -= fetch.size
    this.map.delete(id)
  }

  /** (Re)arms the fetch's deadline at now + timeout, superseding its previous one. */
  touch (fetch: Fetch, now: number): void {
    fetch.seq = ++this.counter
    this.at.push(now + this.timeoutMs)
    this.ids.push(fetch.id)
    this.seqs.push(fetch.seq)
    if (this.at.length - this.head > this.maxQueued) this.rebuild()
  }

  /** The earliest live deadline, if any. */
  nextDeadline (): number | undefined {
    this.skipStale()
    return this.head < this.at.length ? this.at[this.head] : undefined
  }

  /** Removes and returns the fetches whose live deadline is at or before `now`. */
  expired (now: number): Fetch[] {
    const out: Fetch[] = []
    for (;;) {
      this.skipStale()
      if (this.head >= this.at.length || (this.at[this.head] as number) > now) break
      const fetch = this.map.get(this.ids[this.head] as TxKey) as Fetch
      fetch.seq = -1 // its deadline is consumed; a retry re-arms it
      out.push(fetch)
      this.head++
    }
    this.compact()
    return out
  }

  private skipStale (): void {
    while (this.head < this.at.length) {
      const fetch = this.map.get(this.ids[this.head] as TxKey)
      if (fetch !== undefined && fetch.seq === this.seqs[this.head]) return
      this.head++
    }
  }

  private rebuild (): void {
    const keep: number[] = []
    for (let i = this.head; i < this.at.length; i++) {
      if (this.map.get(this.ids[i] as TxKey)?.seq === this.seqs[i]) keep.push(i)
    }
    this.at = keep.map(i => this.at[i] as number)
    this.ids = keep.map(i => this.ids[i] as TxKey)
    this.seqs = keep.map(i => this.seqs[i] as number)
    this.head = 0
  }

  private compact (): void {
    // Drop consumed entries once they are the larger part, so the queue stays O(live entries).
    if (this.head < 1024 || this.head * 2 < this.at.length) return
    this.at = this.at.slice(this.head)
    this.ids = this.ids.slice(this.head)
    this.seqs = this.seqs.slice(this.head)
    this.head = 0
  }
}
