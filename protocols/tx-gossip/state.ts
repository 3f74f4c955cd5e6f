/**
 * The mutable state of one core, shared by its handler modules (announce, fetching, anti-entropy),
 * and the only functions that change its transaction tables.
 *
 * The state is one flat object (the core itself, see core.ts), with the fields nearly every input
 * touches first, so that they share its first cache lines: in a simulator running 100,000 cores each
 * input finds its core cold in memory, and every further object on the way is one more DRAM trip.
 * For the same reason the recent list and the fetch table are reached through the hot cache
 * (hot-cache.ts), and the next wakeup is cached until something that moves it changes.
 */
import type { Rng } from '../common/rng.ts'
import type { Fetch, Fetches } from './fetches.ts'
import { hotDrop, hotFind, hotPut, type HotCache } from './hot-cache.ts'
import type { Neighbours } from './neighbours.ts'
import { packEntry, type Recent } from './recent.ts'
import { RegisterScope } from './registers.ts'
import type { RotatingBloom } from './rotating-bloom.ts'
import type { Sources } from './sources.ts'
import type { PushTrees } from './push-tree.ts'
import type { FetchItem, GossipEffect, GossipStats, GossipVerdictCode, PeerHandle, TxGossipConfig, TxKey } from './types.ts'

/** The effects a handler appends to: the core's own, with peers as handles of either kind (types.ts). */
export type Effects = Array<GossipEffect<PeerHandle>>

/** The counters of GossipStats that the core keeps (the others are sizes of its tables). */
export type Counters = Omit<GossipStats, 'inflight' | 'waiting' | 'recent' | 'peers'>

/** Everything a core remembers; each part is bounded by the configuration (SPEC.md §7). */
export interface CoreState extends HotCache, Counters {
  readonly config: Readonly<TxGossipConfig>
  /** nextWakeup() must be recomputed (a deadline, the anti-entropy round or the neighbour count changed). */
  wakeStale: boolean
  /** nextWakeup() as last computed. */
  wakeup: number | undefined
  /** The wakeup last announced with a `schedule` effect. */
  lastScheduled: number | undefined
  /** Requests gathered during one handle() call, one getdata per peer at the end: the first peer's here... */
  pendingPeer: PeerHandle | undefined
  pendingItems: FetchItem[] | undefined
  /** ...and those for further peers here. */
  pendingRequests: Map<PeerHandle, FetchItem[]> | undefined
  nextAntiEntropyAt: number | undefined
  readonly rng: Rng
  readonly neighbours: Neighbours
  readonly seen: RotatingBloom
  readonly recent: Recent
  readonly fetches: Fetches
  /** Per-source charges, credits and waiting announcements (fair fetch scheduling, SPEC.md §3.6). */
  readonly sources: Sources
  /** Register scoping (SPEC.md §3.7), made on the first input that names a register set. */
  scope: RegisterScope | undefined
  /** Push trees (SPEC.md §3.8), when the configuration turns them on. */
  readonly trees: PushTrees | undefined
}

/** The core's register scope, made on first use. */
export function scopeOf (state: CoreState): RegisterScope {
  return (state.scope ??= new RegisterScope())
}

/** Appends a verdict effect (and counts rejects). */
export function verdict (state: CoreState, out: Effects, peer: PeerHandle, kind: 'accept' | 'ignore' | 'reject', code: GossipVerdictCode): void {
  if (kind === 'reject') state.rejects++
  out.push({ type: 'verdict', peer, verdict: kind, code })
}

/** The fetch of `id`, if it is being fetched. */
export function fetchOf (state: CoreState, id: TxKey): Fetch | undefined {
  const hot = hotFind(state, id)
  if (hot !== undefined) return typeof hot === 'number' ? undefined : hot
  if (state.fetches.size === 0) return undefined
  const fetch = state.fetches.get(id)
  if (fetch !== undefined) hotPut(state, id, fetch)
  return fetch
}

/** The recent entry of `id` (see recent.ts), if it is still in the recent list. */
export function recentEntry (state: CoreState, id: TxKey): number | undefined {
  const hot = hotFind(state, id)
  if (typeof hot === 'number') return hot
  const entry = state.recent.get(id)
  // A cached fetch wins over a recent entry (both exist only after a `restore` during a fetch).
  if (entry !== undefined && hot === undefined) hotPut(state, id, entry)
  return entry
}

/** True if the node holds `id` (or, with the seen-set's false-positive rate, may hold it). */
export function holds (state: CoreState, id: TxKey): boolean {
  return recentEntry(state, id) !== undefined || state.seen.has(id)
}

/** Records that the node now holds `id` (of `register`, when known). */
export function markHeld (state: CoreState, id: TxKey, size: number, hops: number, now: number, register?: string): void {
  state.seen.add(id, now)
  const { recent } = state
  const before = recent.size
  const entry = packEntry(size, hops)
  const evicted = recent.add(id, entry)
  // Neither added nor evicting: `id` was remembered already (a `restore` of something held), and
  // nothing else changes.
  if (evicted === undefined && recent.size === before) return
  if (register !== undefined) scopeOf(state).hold(id, register)
  if (evicted !== undefined) state.scope?.release(evicted)
  if (evicted !== undefined && typeof hotFind(state, evicted) === 'number') hotDrop(state, evicted)
  // A cached fetch of `id` stays cached: a fetch wins over a recent entry (see hot-cache.ts).
  if (typeof hotFind(state, id) !== 'object') hotPut(state, id, entry)
}

/** Starts fetching `id` (of `register`, when known) from `source` (the caller checks the bounds). */
export function startFetch (state: CoreState, id: TxKey, size: number, hops: number, source: PeerHandle, register?: string): Fetch {
  const fetch = state.fetches.create(id, size, hops, source)
  fetch.register = register
  hotPut(state, id, fetch)
  chargeTo(state, fetch, source)
  return fetch
}

/** Stops the fetch `fetch` (done, abandoned or superseded). */
export function endFetch (state: CoreState, fetch: Fetch): void {
  const id = fetch.id
  chargeTo(state, fetch, undefined)
  state.fetches.delete(fetch)
  hotDrop(state, id)
  state.wakeStale = true
}

/** Moves the fetch's charge in the per-source budget to `peer` (none: released). */
export function chargeTo (state: CoreState, fetch: Fetch, peer: PeerHandle | undefined): void {
  if (fetch.charged === peer) return
  if (fetch.charged !== undefined) state.sources.release(fetch.charged, fetch.size)
  fetch.charged = peer
  if (peer !== undefined) state.sources.charge(peer, fetch.size)
}

/** (Re)arms the fetch's deadline at now + requestTimeoutMs. */
export function armDeadline (state: CoreState, fetch: Fetch, now: number): void {
  state.fetches.touch(fetch, now)
  state.wakeStale = true
}

/** Removes and returns the fetches whose deadline passed (they stay in the table). */
export function expiredFetches (state: CoreState, now: number): Fetch[] {
  const expired = state.fetches.expired(now)
  if (expired.length > 0) state.wakeStale = true
  return expired
}

/**
 * Queues a request for `item` from `peer`, sent as one getdata per peer when the call ends. The first
 * peer's list is kept in two fields, a Map only for further peers: nearly every input that requests
 * anything requests from one peer, and a Map per fetch was most of what a fetch allocated.
 */
export function queueRequest (state: CoreState, peer: PeerHandle, item: FetchItem): void {
  state.requestsSent++
  if (state.pendingPeer === undefined) {
    state.pendingPeer = peer
    state.pendingItems = [item]
    return
  }
  if (state.pendingPeer === peer) {
    ;(state.pendingItems as FetchItem[]).push(item)
    return
  }
  state.pendingRequests ??= new Map()
  const list = state.pendingRequests.get(peer)
  if (list === undefined) state.pendingRequests.set(peer, [item])
  else list.push(item)
}

/** Emits the queued requests (first peer first, then in the order peers were first asked), splitting at maxItemsPerMessage. */
export function flushRequests (state: CoreState, out: Effects): void {
  if (state.pendingPeer === undefined) return
  const max = state.config.maxItemsPerMessage
  emitRequests(state.pendingPeer, state.pendingItems as FetchItem[], max, out)
  state.pendingPeer = undefined
  state.pendingItems = undefined
  if (state.pendingRequests === undefined) return
  for (const [peer, items] of state.pendingRequests) emitRequests(peer, items, max, out)
  state.pendingRequests = undefined
}

function emitRequests (peer: PeerHandle, items: FetchItem[], max: number, out: Effects): void {
  for (let i = 0; i < items.length; i += max) {
    out.push({ type: 'send', peer, message: { type: 'getdata', items: items.length <= max ? items : items.slice(i, i + max) } })
  }
}

/**
 * Validity of an id: a string of 1 to 128 characters. (The node's adapter builds ids from 32-byte
 * wire ids, so their content is already checked; this keeps the core cheap for the simulator.)
 */
export function isValidKey (id: unknown): id is TxKey {
  return typeof id === 'string' && id.length > 0 && id.length <= 128
}

/** A non-negative safe integer. */
export function isCount (n: unknown): n is number {
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0
}
