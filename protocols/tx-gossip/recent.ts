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

/** A bounded FIFO of held transactions. */
export class Recent {
  private readonly map = new Map<TxKey, number>()
  private readonly max: number

  constructor (max: number) {
    this.max = max
  }

  /** How many entries are held. */
  get size (): number {
    return this.map.size
  }

  /** True if `id` is still remembered. */
  has (id: TxKey): boolean {
    return this.map.has(id)
  }

  /** The entry for `id` (read it with entrySize/entryHops), if still remembered. */
  get (id: TxKey): number | undefined {
    return this.map.get(id)
  }

  /**
   * Remembers `id` with its entry (see packEntry) unless already remembered, evicting the oldest
   * entry when full; returns the evicted key.
   */
  add (id: TxKey, entry: number): TxKey | undefined {
    if (this.map.has(id)) return undefined
    let evicted: TxKey | undefined
    if (this.map.size >= this.max) {
      const oldest = this.map.keys().next()
      if (oldest.done !== true) {
        evicted = oldest.value
        this.map.delete(evicted)
      }
    }
    this.map.set(id, entry)
    return evicted
  }

  /** Entries (read them with entrySize/entryHops), oldest first. */
  entries (): MapIterator<[TxKey, number]> {
    return this.map.entries()
  }
}
