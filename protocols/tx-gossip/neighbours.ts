/**
 * The neighbour set of a core: O(1) add, remove and membership, uniform sampling, and the time of
 * each peer's last answered summary. Bounded by the core's `maxPeers` (the caller checks before
 * adding).
 *
 * A small fanout out of many neighbours is drawn without copying the list (rejection sampling): the
 * relay path runs once per transaction per node, and in the simulator's theory test on a complete
 * graph a copy of 999 neighbours per relay was most of the work. Otherwise the sample is the Rng's
 * (a partial Fisher-Yates on a copy).
 */
import type { Rng } from '../common/rng.ts'
import type { PeerHandle } from './types.ts'

// Below this many neighbours (or when the fanout is a large share of them) a relay scans the list;
// above it, it draws candidates at random and skips the excluded ones (rejection sampling). Both
// give every eligible subset of the wanted size the same probability.
const SCAN_MAX_PEERS = 32

/** A filter on candidate targets (register scoping, SPEC.md §3.7): false skips the peer. */
export type PeerFilter = (peer: PeerHandle) => boolean

function excluded (peer: PeerHandle, a: readonly PeerHandle[], b: readonly PeerHandle[] | undefined, want: PeerFilter | undefined): boolean {
  return a.includes(peer) || (b !== undefined && b.includes(peer)) || (want !== undefined && !want(peer))
}

// The eligible neighbours of the last scan (choose()): a relay reads its targets at once, and one
// array per relay was a good share of what a simulated node allocates per transaction. (Emptied by
// popping, which keeps its storage; setting its length to 0 would drop it.)
const scratch: PeerHandle[] = []

/** Connected peers that speak the protocol. */
export class Neighbours {
  private readonly list: PeerHandle[] = []
  /** Position of each peer in `list`. */
  private readonly index = new Map<PeerHandle, number>()
  /** When each peer's last summary was answered (only peers that sent one). */
  private summaries: Map<PeerHandle, number> | undefined

  /** How many neighbours there are. */
  get size (): number {
    return this.list.length
  }

  /** All neighbours (a live view: do not modify). */
  all (): readonly PeerHandle[] {
    return this.list
  }

  /** True if `peer` is a neighbour. */
  has (peer: PeerHandle): boolean {
    return this.index.has(peer)
  }

  /** Adds a neighbour; false if already present. */
  add (peer: PeerHandle): boolean {
    if (this.index.has(peer)) return false
    this.index.set(peer, this.list.length)
    this.list.push(peer)
    return true
  }

  /** Removes a neighbour (swap with the last, O(1)); false if absent. */
  remove (peer: PeerHandle): boolean {
    const at = this.index.get(peer)
    if (at === undefined) return false
    const last = this.list.pop() as PeerHandle
    if (last !== peer) {
      this.list[at] = last
      this.index.set(last, at)
    }
    this.index.delete(peer)
    this.summaries?.delete(peer)
    return true
  }

  /** When `peer`'s last summary was answered. */
  lastSummaryAt (peer: PeerHandle): number {
    return this.summaries?.get(peer) ?? -Infinity
  }

  /** Records that `peer`'s summary was answered at `now`. */
  markSummary (peer: PeerHandle, now: number): void {
    if (this.index.has(peer)) (this.summaries ??= new Map()).set(peer, now)
  }

  /**
   * Up to `count` distinct neighbours chosen uniformly, skipping those in `exclude` and `also` (short
   * lists) and those `want` refuses; `count` 0 means all eligible neighbours. The array may be one
   * that the next call of choose() on any Neighbours reuses: read it before choosing again.
   */
  choose (count: number, exclude: readonly PeerHandle[], also: readonly PeerHandle[] | undefined, rng: Rng, want?: PeerFilter): readonly PeerHandle[] {
    const n = this.list.length
    if (count === 0 || count >= n) return this.scan(n, exclude, also, rng, want)
    return n > SCAN_MAX_PEERS && count * 4 <= n ? this.draw(count, exclude, also, rng, want) : this.scan(count, exclude, also, rng, want)
  }

  /** `count` distinct neighbours drawn uniformly with no exclusions (plain push), all of them if fewer; read it at once, as choose()'s. */
  sample (count: number, rng: Rng): readonly PeerHandle[] {
    const list = this.list
    if (count >= list.length) return list.slice()
    if (list.length > SCAN_MAX_PEERS && count * 4 <= list.length) return this.draw(count, [], undefined, rng, undefined)
    return rng.sample(list, count)
  }

  /**
   * Rejection sampling for a fanout well below the neighbour count: draw, skip excluded and repeated
   * peers. If the exclusions leave too few candidates to finish quickly, fall back to a scan.
   */
  private draw (count: number, exclude: readonly PeerHandle[], also: readonly PeerHandle[] | undefined, rng: Rng, want: PeerFilter | undefined): readonly PeerHandle[] {
    const list = this.list
    const chosen: PeerHandle[] = []
    for (let attempt = 0; chosen.length < count; attempt++) {
      if (attempt >= count * 8 + 16) return this.scan(count, exclude, also, rng, want)
      const peer = list[rng.int(list.length)] as PeerHandle
      if (!chosen.includes(peer) && !excluded(peer, exclude, also, want)) chosen.push(peer)
    }
    return chosen
  }

  /** Up to `count` of the eligible neighbours, by a scan into the shared array (see choose). */
  private scan (count: number, exclude: readonly PeerHandle[], also: readonly PeerHandle[] | undefined, rng: Rng, want: PeerFilter | undefined): readonly PeerHandle[] {
    const list = this.list
    const eligible = scratch
    while (eligible.length > 0) eligible.pop()
    for (let i = 0; i < list.length; i++) {
      const peer = list[i] as PeerHandle
      if (!excluded(peer, exclude, also, want)) eligible.push(peer)
    }
    return count >= eligible.length ? eligible : rng.sample(eligible, count)
  }
}
