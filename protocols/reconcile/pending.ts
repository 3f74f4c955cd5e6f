/**
 * Needs asked for and not yet arrived (SPEC.md §9.2): while any is pending the node starts no new
 * session (a second session would find the same difference again), and once they have all arrived
 * a cascade may follow. Bounded by maxPendingNeeds; each expires after pullTimeoutMs, or as soon as
 * every peer it was asked from has gone (it cannot come from them, and waiting would hold back the
 * sessions with the peers that remain). Entries are in insertion order with the same timeout, so the
 * first is always the next to expire.
 */
import type { ReconcileItem, TxKey } from './types.ts'

interface Pending<P> {
  at: number
  /** The peers it was asked from (usually one). */
  sources: P[]
}

/** The pending needs; `P` is the core's peer handle. */
export class PendingNeeds<P> {
  private readonly max: number
  private readonly timeoutMs: number
  private readonly expires = new Map<TxKey, Pending<P>>()

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
  add (items: readonly ReconcileItem[], now: number, source: P): ReconcileItem[] {
    const tracked: ReconcileItem[] = []
    for (const item of items) {
      const known = this.expires.get(item.id)
      if (known === undefined && this.expires.size >= this.max) continue
      if (known !== undefined) this.expires.delete(item.id)
      const sources = known?.sources ?? []
      if (!sources.includes(source)) sources.push(source)
      this.expires.set(item.id, { at: now + this.timeoutMs, sources })
      tracked.push(item)
    }
    return tracked
  }

  /** `peer` is gone: it is no longer a source; drops the needs it was the last source of and returns how many. */
  dropSource (peer: P): number {
    let dropped = 0
    for (const [id, pending] of this.expires) {
      const at = pending.sources.indexOf(peer)
      if (at < 0) continue
      pending.sources.splice(at, 1)
      if (pending.sources.length > 0) continue
      this.expires.delete(id)
      dropped++
    }
    return dropped
  }

  /** The item arrived; true if it was pending. */
  arrived (id: TxKey): boolean {
    return this.expires.delete(id)
  }

  /** Drops expired entries; returns how many. */
  expire (now: number): number {
    let dropped = 0
    for (const [id, { at }] of this.expires) {
      if (at > now) break
      this.expires.delete(id)
      dropped++
    }
    return dropped
  }

  /** When the next entry expires. */
  nextExpiry (): number | undefined {
    for (const { at } of this.expires.values()) return at
    return undefined
  }
}
