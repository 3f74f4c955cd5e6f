/**
 * Transactions this node holds, remembered exactly (id, size, hops) for anti-entropy answers and for
 * serving requests; bounded by `recentMax` with first-in-first-out eviction (a Map iterates in
 * insertion order, so the oldest entry is the first key).
 */
import type { TxKey } from './types.ts'

/** What is remembered of a held transaction. */
export interface RecentEntry {
  size: number
  /** The hop count it arrived with (0 when published here). */
  hops: number
}

/** A bounded FIFO of held transactions. */
export class Recent {
  private readonly map = new Map<TxKey, RecentEntry>()
  private readonly max: number

  constructor (max: number) {
    this.max = max
  }

  /** How many entries are held. */
  get size (): number {
    return this.map.size
  }

  /** The entry for `id`, if still remembered. */
  get (id: TxKey): RecentEntry | undefined {
    return this.map.get(id)
  }

  /** Remembers `id`, evicting the oldest entry when full. */
  add (id: TxKey, size: number, hops: number): void {
    if (this.map.has(id)) return
    if (this.map.size >= this.max) {
      const oldest = this.map.keys().next()
      if (oldest.done !== true) this.map.delete(oldest.value)
    }
    this.map.set(id, { size, hops })
  }

  /** Entries, oldest first. */
  entries (): MapIterator<[TxKey, RecentEntry]> {
    return this.map.entries()
  }
}
