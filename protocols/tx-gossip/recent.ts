/**
 * Transactions this node holds, remembered exactly (id, size, hops) for anti-entropy answers and for
 * serving requests; bounded by `recentMax` with first-in-first-out eviction (a Map iterates in
 * insertion order, so the oldest entry is the first key).
 *
 * Each entry is one number, `size × 256 + hops` (exact: sizes stay below 2^45, hops below 256), so
 * an entry lives inside the Map's own table: no object per held transaction. A simulator runs
 * 100,000 cores holding a hundred transactions each, and a value object per entry was ten million
 * long-lived objects for the garbage collector to trace.
 */
import type { TxKey } from './types.ts'

const HOPS_RANGE = 256
/** Evicted keys dropped from the front of the order queue at once (it is compacted when half is dropped). */
const COMPACT_AT = 1024

/** The recent entry of a transaction of `size` bytes held at hop count `hops` (clamped to 0..255). */
export function packEntry (size: number, hops: number): number {
  return size * HOPS_RANGE + Math.max(0, Math.min(HOPS_RANGE - 1, hops))
}

/** The size encoded in a recent entry. */
export function entrySize (entry: number): number {
  return Math.floor(entry / HOPS_RANGE)
}

/** The hop count encoded in a recent entry (0 when published here). */
export function entryHops (entry: number): number {
  return entry % HOPS_RANGE
}

/**
 * A bounded FIFO of held transactions. It is the Map itself (a subclass) rather than an object
 * holding one: the core reaches its entries with one load fewer, and at 100,000 simulated cores each
 * load is a trip to memory. Entries change only through add(), which keeps the bound; set() and
 * delete() refuse.
 */
export class Recent extends Map<TxKey, number> {
  private readonly max: number
  /**
   * The keys in insertion order from `head` on, built when the Map first fills (never before: a
   * simulated core that never fills carries no copy). Evicting the Map's first key costs a walk
   * over the slots of every key deleted since V8 last rehashed its table, up to `max` of them per
   * add (1.5 % of a receiver's CPU in the queue benchmark); this queue finds it directly.
   */
  private order: TxKey[] | undefined
  private head = 0

  constructor (max: number) {
    super()
    this.max = max
  }

  /**
   * Remembers `id` with its entry (see packEntry) unless already remembered, evicting the oldest
   * entry when full; returns the evicted key.
   */
  add (id: TxKey, entry: number): TxKey | undefined {
    if (this.has(id)) return undefined
    let evicted: TxKey | undefined
    if (this.size >= this.max && this.size > 0) {
      const order = this.order ??= [...this.keys()]
      evicted = order[this.head++]!
      super.delete(evicted)
      if (this.head >= COMPACT_AT && this.head * 2 >= order.length) {
        order.splice(0, this.head)
        this.head = 0
      }
    }
    super.set(id, entry)
    this.order?.push(id)
    return evicted
  }

  /** Refused: entries are added with add(), which keeps the bound. */
  override set (): never {
    throw new TypeError('Recent entries are added with add()')
  }

  /** Refused: entries leave only when add() evicts them. */
  override delete (): never {
    throw new TypeError('Recent entries leave only by eviction')
  }
}
