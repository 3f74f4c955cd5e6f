/**
 * The neighbour set of a core: O(1) add, remove and membership, uniform sampling, and a little
 * per-peer state. Bounded by the core's `maxPeers` (the caller checks before adding).
 */
import type { Rng } from '../common/rng.ts'

interface PeerEntry {
  index: number
  /** When this peer's last summary was answered; -Infinity before the first. */
  lastSummaryAt: number
}

/** Connected peers that speak the protocol. */
export class Neighbours {
  private readonly list: string[] = []
  private readonly entries = new Map<string, PeerEntry>()

  /** How many neighbours there are. */
  get size (): number {
    return this.list.length
  }

  /** All neighbours (a live view: do not modify). */
  all (): readonly string[] {
    return this.list
  }

  /** True if `peer` is a neighbour. */
  has (peer: string): boolean {
    return this.entries.has(peer)
  }

  /** Adds a neighbour; false if already present. */
  add (peer: string): boolean {
    if (this.entries.has(peer)) return false
    this.entries.set(peer, { index: this.list.length, lastSummaryAt: -Infinity })
    this.list.push(peer)
    return true
  }

  /** Removes a neighbour (swap with the last, O(1)); false if absent. */
  remove (peer: string): boolean {
    const entry = this.entries.get(peer)
    if (entry === undefined) return false
    const last = this.list.pop() as string
    if (last !== peer) {
      this.list[entry.index] = last
      ;(this.entries.get(last) as PeerEntry).index = entry.index
    }
    this.entries.delete(peer)
    return true
  }

  /** When `peer`'s last summary was answered. */
  lastSummaryAt (peer: string): number {
    return this.entries.get(peer)?.lastSummaryAt ?? -Infinity
  }

  /** Records that `peer`'s summary was answered at `now`. */
  markSummary (peer: string, now: number): void {
    const entry = this.entries.get(peer)
    if (entry !== undefined) entry.lastSummaryAt = now
  }

  /**
   * Up to `count` distinct neighbours chosen uniformly, skipping those in `exclude` (a short list);
   * `count` 0 means all eligible neighbours.
   */
  choose (count: number, exclude: readonly string[], rng: Rng): string[] {
    const eligible = exclude.length === 0 ? this.list : this.list.filter(p => !exclude.includes(p))
    if (count === 0 || count >= eligible.length) return eligible === this.list ? eligible.slice() : eligible
    return rng.sample(eligible, count)
  }
}
