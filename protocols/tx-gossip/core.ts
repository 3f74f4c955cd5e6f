/**
 * The tx-gossip protocol core (SPEC.md): a deterministic state machine with no I/O, no clock and no
 * randomness of its own. `handle(input)` returns effects; `nextWakeup()` says when it next needs a
 * `tick`. The node (src/gossip) and the simulator (simulations/) both drive this same code.
 */
import type { Core } from '../common/effects.ts'
import type { Rng } from '../common/rng.ts'
import { antiEntropyEnabled, onSummary, runRoundIfDue, scheduleRound, sendSummary } from './anti-entropy.ts'
import { onDeferredDue, onInv, pumpWaiting, relay } from './announce.ts'
import { resolveGossipConfig } from './config.ts'
import { onChunk, onGetdata, onNotfound, onTimeouts, onVerified, retry } from './fetching.ts'
import { Fetches, type Fetch } from './fetches.ts'
import { Neighbours } from './neighbours.ts'
import { Recent } from './recent.ts'
import { RotatingBloom, type WordArena } from './rotating-bloom.ts'
import { Sources } from './sources.ts'
import { onTree, PushTrees } from './push-tree.ts'
import { endFetch, fetchOf, flushRequests, holds, markHeld, scopeOf, verdict, type CoreState, type Effects } from './state.ts'
import type { PeerInterest, RegisterScope } from './registers.ts'
import type { FetchItem, GossipEffect, GossipInput, GossipMessage, GossipStats, Origin, PeerHandle, TxGossipConfig, TxKey } from './types.ts'

/**
 * A tx-gossip core: the Core contract plus read-only views for adapters, metrics and the simulator.
 * `P` is how its runtime names peers (types.ts PeerHandle): peer id strings in the node, node
 * indices in the simulator.
 */
export interface TxGossipCore<P extends PeerHandle = string> extends Core<GossipInput<P>, GossipEffect<P>> {
  readonly config: Readonly<TxGossipConfig>
  /**
   * `handle`, appending the effects to `out` and returning it, so that a runtime driving many cores
   * (the simulator) can reuse one array instead of allocating one per input.
   */
  handleInto: (input: GossipInput<P>, out: Array<GossipEffect<P>>) => Array<GossipEffect<P>>
  /** True if the node holds `id` (subject to the seen-set's false-positive rate for old ones). */
  holds: (id: TxKey) => boolean
  /** Counters since creation. */
  stats: () => GossipStats
  /** The current neighbours. */
  peers: () => readonly P[]
  /** What a neighbour is known to do with a register's transactions (SPEC.md §3.7). */
  interest: (peer: P, register: string | undefined) => PeerInterest
}

/** How a core holds its state; none of it changes what the core decides. */
export interface TxGossipCoreOptions {
  /** Where the seen-set's bit arrays come from (rotating-bloom.ts): one arena for many cores. */
  seenArena?: WordArena
}

function onMessage (state: CoreState, from: PeerHandle, message: GossipMessage, now: number, out: Effects): void {
  switch (message.type) {
    case 'inv': return onInv(state, from, message.items, now, out)
    case 'getdata': return onGetdata(state, from, message.items, out)
    case 'notfound': return onNotfound(state, from, message.ids, now, out)
    case 'summary': return onSummary(state, from, message.filter, now, out)
    case 'tree': return onTree(state, from, message.graft, message.prune, out)
  }
}

function onPeerUp (state: CoreState, peer: PeerHandle, now: number, out: Effects): void {
  if (state.neighbours.size >= state.config.maxPeers || !state.neighbours.add(peer)) return
  state.wakeStale = true
  if (!antiEntropyEnabled(state)) return
  if (state.nextAntiEntropyAt === undefined) scheduleRound(state, now)
  if (state.config.antiEntropyOnConnect) sendSummary(state, peer, out)
}

function onPeerDown (state: CoreState, peer: PeerHandle, now: number, out: Effects): void {
  if (!state.neighbours.remove(peer)) return
  state.wakeStale = true
  state.sources.dropWaiting(peer)
  state.scope?.dropPeer(peer)
  state.trees?.dropPeer(peer)
  for (const fetch of state.fetches.values()) {
    if (fetch.current !== peer || fetch.verifying) continue
    fetch.current = undefined
    retry(state, fetch, now, out)
  }
}

function onPublish (state: CoreState, id: TxKey, size: number, register: string | undefined, origin: Origin | undefined, now: number, out: Effects): void {
  if (holds(state, id)) {
    out.push({ type: 'trace', event: 'duplicate-publish', data: { id } })
    return
  }
  const fetching = fetchOf(state, id)
  if (fetching !== undefined) {
    // Published here while being fetched from a peer: the local copy wins, the partial one is dropped.
    endFetch(state, fetching)
    out.push({ type: 'discard', id })
  }
  markHeld(state, id, size, 0, now, register)
  state.published++
  relay(state, id, size, 0, fetching?.sources ?? [], undefined, out, register, origin)
}

function dispatch (state: CoreState, input: GossipInput<PeerHandle>, out: Effects): void {
  const now = input.now
  switch (input.type) {
    case 'tick':
      onTimeouts(state, now, out)
      if (state.trees !== undefined) onDeferredDue(state, now)
      runRoundIfDue(state, now, out)
      if (state.seen.rotateIfDue(now)) out.push({ type: 'trace', event: 'seen-rotated' })
      return
    case 'peer-up': return onPeerUp(state, input.peer, now, out)
    case 'peers-up':
      for (let i = 0; i < input.peers.length; i++) onPeerUp(state, input.peers[i] as PeerHandle, now, out)
      return
    case 'peer-down': return onPeerDown(state, input.peer, now, out)
    case 'publish': return onPublish(state, input.id, input.size, input.register, input.origin, now, out)
    case 'restore': return markHeld(state, input.id, input.size, input.hops, now, input.register)
    case 'scope': return scopeOf(state).serve(input.registers)
    case 'peer-scope':
      if (state.neighbours.has(input.peer)) scopeOf(state).setPeer(input.peer, input.registers)
      return
    case 'message': return onMessage(state, input.from, input.message, now, out)
    case 'chunk': return onChunk(state, input, out)
    case 'verified': return onVerified(state, input.id, input.ok, now, out)
    case 'verified-many':
      for (let i = 0; i < input.ids.length; i++) onVerified(state, input.ids[i] as TxKey, true, now, out)
      return
    case 'invalid': return verdict(state, out, input.from, 'reject', input.code)
  }
}

/**
 * The core behind createTxGossipCore. The instance is its own state (CoreState, see state.ts): one
 * flat object whose first fields are those nearly every input touches, and methods on the prototype,
 * so that a simulator running 100,000 cores holds no closures per core and reaches each core's
 * common answers in one or two cache lines.
 */
class DefaultTxGossipCore<P extends PeerHandle> implements TxGossipCore<P>, CoreState {
  // Hot: the cache of recent transactions (hot-cache.ts), the wakeup cache, the per-call requests.
  hk0: TxKey | undefined = undefined
  hv0: number | Fetch = 0
  hk1: TxKey | undefined = undefined
  hv1: number | Fetch = 0
  hk2: TxKey | undefined = undefined
  hv2: number | Fetch = 0
  hk3: TxKey | undefined = undefined
  hv3: number | Fetch = 0
  hotNext = 0
  wakeStale = false
  wakeup: number | undefined = undefined
  lastScheduled: number | undefined = undefined
  pendingPeer: PeerHandle | undefined = undefined
  pendingItems: FetchItem[] | undefined = undefined
  pendingRequests: Map<PeerHandle, FetchItem[]> | undefined = undefined
  invReceived = 0
  readonly config: Readonly<TxGossipConfig>
  // The tables.
  readonly fetches: Fetches
  readonly sources: Sources
  readonly recent: Recent
  readonly seen: RotatingBloom
  readonly neighbours = new Neighbours()
  readonly rng: Rng
  nextAntiEntropyAt: number | undefined = undefined
  scope: RegisterScope | undefined = undefined
  readonly trees: PushTrees | undefined
  // The other counters.
  published = 0
  delivered = 0
  duplicateBodies = 0
  requestsSent = 0
  requestTimeouts = 0
  fetchesAbandoned = 0
  summariesSent = 0
  graftsSent = 0
  prunesSent = 0
  rejects = 0
  notServed = 0

  constructor (config: Readonly<TxGossipConfig>, rng: Rng, options: TxGossipCoreOptions) {
    this.config = config
    this.rng = rng
    this.fetches = new Fetches(config.requestTimeoutMs, config.maxInflight)
    this.sources = new Sources({
      maxInflightPerSource: config.maxInflightPerSource,
      maxInflightBytesPerSource: config.maxInflightBytesPerSource,
      maxWaitingPerSource: config.maxItemsPerMessage,
      maxWaitingTotal: 4 * config.maxInflight,
      maxSources: 2 * config.maxPeers
    })
    this.recent = new Recent(config.recentMax)
    this.trees = config.pushTree && config.mode === 'announce' ? new PushTrees(config.maxOrigins, config.maxInflight) : undefined
    const { seenExpectedItems: expectedItems, seenFpRate: fpRate, seenGenerationMs: generationMs } = config
    this.seen = new RotatingBloom({ expectedItems, fpRate, generationMs, arena: options.seenArena })
  }

  handle (input: GossipInput<P>): Array<GossipEffect<P>> {
    return this.handleInto(input, [])
  }

  // The handlers only store, compare and hand back the peer handles of their inputs, so every peer
  // in `out` is a P.
  handleInto (input: GossipInput<P>, out: Array<GossipEffect<P>>): Array<GossipEffect<P>> {
    dispatch(this, input, out)
    if (this.sources.pumpDue) pumpWaiting(this, input.now)
    flushRequests(this, out)
    // A fetch can only have ended (and left its record to recycle) through endFetch, which marks the
    // wakeup stale: most inputs end none, and skip touching the fetch table at all.
    if (this.wakeStale) this.fetches.recycle()
    const wakeup = this.nextWakeup()
    if (wakeup !== this.lastScheduled) {
      this.lastScheduled = wakeup
      if (wakeup !== undefined) out.push({ type: 'schedule', at: wakeup })
    }
    return out
  }

  nextWakeup (): number | undefined {
    if (!this.wakeStale) return this.wakeup
    this.wakeStale = false
    const deadline = this.fetches.nextDeadline()
    const round = this.nextAntiEntropyAt !== undefined && this.neighbours.size > 0 ? this.nextAntiEntropyAt : undefined
    let wakeup = deadline === undefined ? round : round === undefined ? deadline : Math.min(deadline, round)
    const deferred = this.trees?.nextDue()
    if (deferred !== undefined && (wakeup === undefined || deferred < wakeup)) wakeup = deferred
    this.wakeup = wakeup
    return wakeup
  }

  holds (id: TxKey): boolean {
    return holds(this, id)
  }

  peers (): readonly P[] {
    return this.neighbours.all() as readonly P[]
  }

  interest (peer: P, register: string | undefined): PeerInterest {
    return this.scope === undefined ? 'serves' : this.scope.interest(peer, register)
  }

  stats (): GossipStats {
    const { published, delivered, duplicateBodies, invReceived, notServed, requestsSent, requestTimeouts, fetchesAbandoned, summariesSent, graftsSent, prunesSent, rejects } = this
    return {
      published, delivered, duplicateBodies, invReceived, notServed, requestsSent, requestTimeouts, fetchesAbandoned, summariesSent, graftsSent, prunesSent, rejects,
      inflight: this.fetches.size, waiting: this.sources.waitingTotal, recent: this.recent.size, peers: this.neighbours.size
    }
  }
}

/** Creates a core from a (partial) configuration and a seeded Rng; throws GossipConfigError for bad values. */
export function createTxGossipCore<P extends PeerHandle = string> (config: Partial<TxGossipConfig>, rng: Rng, options: TxGossipCoreOptions = {}): TxGossipCore<P> {
  return new DefaultTxGossipCore<P>(resolveGossipConfig(config), rng, options)
}
