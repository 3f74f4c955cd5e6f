/** The mutable state of one core, shared by its handler modules (announce, fetching, anti-entropy). */
import type { Rng } from '../common/rng.ts'
import { Fetches } from './fetches.ts'
import { Neighbours } from './neighbours.ts'
import { Recent } from './recent.ts'
import { RotatingBloom } from './rotating-bloom.ts'
import type { FetchItem, GossipEffect, GossipStats, GossipVerdictCode, TxGossipConfig, TxKey } from './types.ts'

/** Everything a core remembers; each part is bounded by the configuration (SPEC.md §7). */
export interface CoreState {
  readonly config: Readonly<TxGossipConfig>
  readonly rng: Rng
  readonly peers: Neighbours
  readonly seen: RotatingBloom
  readonly recent: Recent
  readonly fetches: Fetches
  readonly stats: Omit<GossipStats, 'inflight' | 'recent' | 'peers'>
  /** Requests gathered during one handle() call, one getdata per peer at the end. */
  pendingRequests: Map<string, FetchItem[]> | undefined
  nextAntiEntropyAt: number | undefined
  lastScheduled: number | undefined
}

/** A fresh state. */
export function createState (config: Readonly<TxGossipConfig>, rng: Rng): CoreState {
  return {
    config,
    rng,
    peers: new Neighbours(),
    seen: new RotatingBloom({ expectedItems: config.seenExpectedItems, fpRate: config.seenFpRate, generationMs: config.seenGenerationMs }),
    recent: new Recent(config.recentMax),
    fetches: new Fetches(config.requestTimeoutMs, config.maxInflight),
    stats: { published: 0, delivered: 0, duplicateBodies: 0, invReceived: 0, requestsSent: 0, requestTimeouts: 0, fetchesAbandoned: 0, summariesSent: 0, rejects: 0 },
    pendingRequests: undefined,
    nextAntiEntropyAt: undefined,
    lastScheduled: undefined
  }
}

/** Appends a verdict effect (and counts rejects). */
export function verdict (state: CoreState, out: GossipEffect[], peer: string, kind: 'accept' | 'ignore' | 'reject', code: GossipVerdictCode): void {
  if (kind === 'reject') state.stats.rejects++
  out.push({ type: 'verdict', peer, verdict: kind, code })
}

/** True if the node holds `id` (or, with the seen-set's false-positive rate, may hold it). */
export function holds (state: CoreState, id: TxKey): boolean {
  return state.recent.get(id) !== undefined || state.seen.has(id)
}

/** Records that the node now holds `id`. */
export function markHeld (state: CoreState, id: TxKey, size: number, hops: number, now: number): void {
  state.seen.add(id, now)
  state.recent.add(id, size, hops)
}

/** Queues a request for `item` from `peer`, sent as one getdata per peer when the call ends. */
export function queueRequest (state: CoreState, peer: string, item: FetchItem): void {
  state.pendingRequests ??= new Map()
  const list = state.pendingRequests.get(peer)
  if (list === undefined) state.pendingRequests.set(peer, [item])
  else list.push(item)
  state.stats.requestsSent++
}

/** Emits the queued requests, splitting at maxItemsPerMessage. */
export function flushRequests (state: CoreState, out: GossipEffect[]): void {
  if (state.pendingRequests === undefined) return
  const max = state.config.maxItemsPerMessage
  for (const [peer, items] of state.pendingRequests) {
    for (let i = 0; i < items.length; i += max) {
      out.push({ type: 'send', peer, message: { type: 'getdata', items: items.length <= max ? items : items.slice(i, i + max) } })
    }
  }
  state.pendingRequests = undefined
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
