/**
 * Needs asked for and not yet arrived (SPEC.md §9.2): while any is pending the node starts no new
 * session (a second session would find the same difference again), and once they have all arrived
 * a cascade may follow. Bounded by maxPendingNeeds; each expires after pullTimeoutMs. Entries are in
 * insertion order with the same timeout, so the first is always the next to expire.
 */
import type { ReconcileItem, TxKey } from './types.ts'

/** The pending needs. */
export class PendingNeeds {
  private readonly max: number
  private readonly timeoutMs: number
  private readonly expires = new Map<TxKey, number>()

  constructor (max: number, timeoutMs: number) {
    this.max = max
    this.timeoutMs = timeoutMs
  }

  get size (): number { return this.expires.size }

  /**
   * Records the items, refreshing the expiry of those already pending; returns the ones now pending
   * (all but those beyond the bound). One already pending is returned again: the peer is one more
   * source for it.
   */
  add (items: readonly ReconcileItem[], now: number): ReconcileItem[] {
    const tracked: ReconcileItem[] = []
    for (const item of items) {
      const known = this.expires.delete(item.id)
      if (!known && this.expires.size >= this.max) continue
      this.expires.set(item.id, now + this.timeoutMs)
      tracked.push(item)
    }
    return tracked
  }

  /** The item arrived; true if it was pending. */
  arrived (id: TxKey): boolean {
    return this.expires.delete(id)
  }

  /** Drops expired entries; returns how many. */
  expire (now: number): number {
    let dropped = 0
    for (const [id, at] of this.expires) {
      if (at > now) break
      this.expires.delete(id)
      dropped++
    }
    return dropped
  }

  /** When the next entry expires. */
  nextExpiry (): number | undefined {
    for (const at of this.expires.values()) return at
    return undefined
  }
}
