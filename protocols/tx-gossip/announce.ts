/**
 * Spreading (SPEC.md §3): relaying a newly held transaction to a fanout, and turning announcements
 * into requests (INV -> GETDATA, deduplicated by the seen-set and the fetch table).
 */
import type { CoreState, Effects } from './state.ts'
import { armDeadline, chargeTo, fetchOf, holds, isCount, isValidKey, queueRequest, startFetch, verdict } from './state.ts'
import type { PeerFilter } from './neighbours.ts'
import type { Fetch } from './fetches.ts'
import type { GossipMessage, InvItem, Origin, PeerHandle, TxKey } from './types.ts'
import { awaitsPush, childrenOf, isValidOrigin, type PushTrees } from './push-tree.ts'

/** Randomized rounding: floor(mean) plus one with probability frac(mean), so the mean is exact. */
export function roundedCount (mean: number, random: number): number {
  const base = Math.floor(mean)
  return base + (random < mean - base ? 1 : 0)
}

/**
 * Relays a transaction held at hop count `hops` to new targets. announce: `fanout` neighbours not in
 * `exclude` or `also` (peers known to hold it) get an inv, or the body itself when it is small
 * (inline) or when this node is the publisher (its first hop cannot hold it yet, so a push costs no
 * duplicate). push: ~pushFanoutMean neighbours drawn uniformly (no exclusions, as in the theory of
 * SPEC.md §6.1) get the body. Every target's inv is the same message object (effects are read-only).
 * A transaction of a known `register` (SPEC.md §3.7) goes to `fanout` neighbours known to serve it
 * and, as an inv (never a body), to every neighbour whose registers are unknown, so that a node that
 * does not serve the register receives no byte of it unless it asks.
 * With push trees (SPEC.md §3.8), the neighbours that asked for the `origin`'s bodies get the body
 * first, and the choice above is made among the others.
 */
export function relay (state: CoreState, id: TxKey, size: number, hops: number, exclude: readonly PeerHandle[], also: readonly PeerHandle[] | undefined, out: Effects, register?: string, origin?: Origin): void {
  const { config, neighbours: peers, rng } = state
  if (hops >= config.hopLimit || peers.size === 0) return
  const next = hops + 1
  if (config.mode === 'push') {
    const targets = peers.sample(roundedCount(config.pushFanoutMean, rng.next()), rng)
    for (let i = 0; i < targets.length; i++) out.push({ type: 'serve', peer: targets[i] as PeerHandle, id, offset: 0, hops: next })
    return
  }
  const scope = register === undefined ? undefined : state.scope
  // Origins travel only where push trees are on (SPEC.md §3.8).
  if (state.trees === undefined) origin = undefined
  // Push trees (§3.8): the origin's children get the body (an origin is a publisher's transactions
  // of one register, so a child fetched that register before), except one known not to serve it.
  const children = childrenOf(state, origin)
  let pushed: PeerHandle[] | undefined
  if (children !== undefined) {
    for (let i = 0; i < children.length; i++) {
      const child = children[i] as PeerHandle
      if (exclude.includes(child) || also?.includes(child) === true || scope?.interest(child, register) === 'not-served') continue
      out.push({ type: 'serve', peer: child, id, offset: 0, hops: next })
      ;(pushed ??= []).push(child)
    }
  }
  const notChild: PeerFilter | undefined = pushed === undefined ? undefined : peer => !pushed.includes(peer)
  // The publisher's first-hop push (§3.1) goes to its tree's children once it has some: a neighbour
  // that took another parent would get the body twice, from here and from that parent (§3.8).
  const push = size <= config.inlineThresholdBytes || (hops === 0 && pushed === undefined && size <= config.publishPushMaxBytes)
  if (scope === undefined) {
    const targets = peers.choose(config.fanout, exclude, also, rng, notChild)
    if (push) {
      for (let i = 0; i < targets.length; i++) out.push({ type: 'serve', peer: targets[i] as PeerHandle, id, offset: 0, hops: next })
      return
    }
    if (targets.length === 0) return
    const message: GossipMessage = { type: 'inv', items: [origin === undefined ? { id, size, hops: next } : { id, size, hops: next, origin }] }
    for (let i = 0; i < targets.length; i++) out.push({ type: 'send', peer: targets[i] as PeerHandle, message })
    return
  }
  // Register scoping (SPEC.md §3.7): `fanout` of the neighbours known to serve the register get the
  // inv (or the body), and every neighbour whose registers are unknown gets the inv, so that the
  // register's serving nodes among them are reached whatever the fanout spends on others.
  const serving: PeerFilter = notChild === undefined
    ? peer => scope.interest(peer, register) === 'serves'
    : peer => notChild(peer) && scope.interest(peer, register) === 'serves'
  const targets = peers.choose(config.fanout, exclude, also, rng, serving)
  let message: GossipMessage | undefined
  const inv = (peer: PeerHandle): void => {
    message ??= { type: 'inv', items: [origin === undefined ? { id, size, hops: next, register } : { id, size, hops: next, register, origin }] }
    out.push({ type: 'send', peer, message })
  }
  for (let i = 0; i < targets.length; i++) {
    const peer = targets[i] as PeerHandle
    if (push) out.push({ type: 'serve', peer, id, offset: 0, hops: next })
    else inv(peer)
  }
  const all = peers.all()
  for (let i = 0; i < all.length; i++) {
    const peer = all[i] as PeerHandle
    if (scope.interest(peer, register) === 'unknown' && !exclude.includes(peer) && also?.includes(peer) !== true && pushed?.includes(peer) !== true) inv(peer)
  }
}

/**
 * Adds `peer` to a fetch's sources (bounded). A fetch waiting for a source (its only one went away
 * with part of the body delivered) asks `peer` at once, from where it stopped.
 */
export function addSource (state: CoreState, fetch: Fetch, peer: PeerHandle, now: number): void {
  if (fetch.sources.length < state.config.maxSourcesPerTx && !fetch.sources.includes(peer)) fetch.sources.push(peer)
  if (fetch.current === undefined && !fetch.verifying && fetch.received > 0 && fetch.failed?.includes(peer) !== true && state.neighbours.has(peer)) requestFrom(state, fetch, peer, now)
}

/** Asks `peer` for the rest of the body and arms the deadline. */
export function requestFrom (state: CoreState, fetch: Fetch, peer: PeerHandle, now: number): void {
  fetch.current = peer
  chargeTo(state, fetch, peer)
  armDeadline(state, fetch, now)
  queueRequest(state, peer, { id: fetch.id, offset: fetch.received })
}

function validItem (item: InvItem): boolean {
  return isValidKey(item.id) && isCount(item.size) && isCount(item.hops) && item.hops >= 1 && item.hops <= 255 &&
    (item.origin === undefined || isValidOrigin(item.origin))
}

/** True if the global budget has room for one more fetch of `size` bytes. */
function globalRoom (state: CoreState, size: number): boolean {
  const { config, fetches } = state
  return fetches.size < config.maxInflight && fetches.bytes + size <= config.maxInflightBytes
}

/**
 * An inv from `from`: request each unseen item from it, or note it as one more source. The fetch
 * table is consulted first, so that an item being fetched costs no seen-set lookup. An item beyond
 * the global budget or `from`'s share of it (sources.ts) waits in `from`'s queue; beyond that queue,
 * it is ignored (`inflight-full`) until anti-entropy offers it again.
 */
export function onInv (state: CoreState, from: PeerHandle, items: readonly InvItem[], now: number, out: Effects): void {
  const { config } = state
  if (items.length > config.maxItemsPerMessage) return verdict(state, out, from, 'reject', 'too-many-items')
  state.invReceived += items.length
  let tooLarge = false
  let full = false
  for (let i = 0; i < items.length; i++) {
    const item = items[i] as InvItem
    if (!validItem(item)) return verdict(state, out, from, 'reject', 'bad-item')
    const outcome = offer(state, from, item, now, true)
    if (outcome === 'too-large') tooLarge = true
    else if (outcome === 'full') full = true
  }
  if (tooLarge) verdict(state, out, from, 'ignore', 'too-large')
  if (full) verdict(state, out, from, 'ignore', 'inflight-full')
}

/**
 * One announced item from `from`: a source more for its fetch, or a new fetch, or a wait for its
 * parent's push (push trees, SPEC.md §3.8; only when `mayWait`), or a wait for room.
 */
function offer (state: CoreState, from: PeerHandle, item: InvItem, now: number, mayWait: boolean): 'ok' | 'too-large' | 'full' {
  const existing = fetchOf(state, item.id)
  if (existing !== undefined) {
    addSource(state, existing, from, now)
    return 'ok'
  }
  if (holds(state, item.id)) return 'ok'
  if (item.register !== undefined && state.scope !== undefined && !state.scope.serves(item.register)) {
    state.notServed++
    return 'ok'
  }
  if (item.size > state.config.maxTxBytes) return 'too-large'
  if (mayWait && awaitsPush(state, item.origin, from) && (state.trees as PushTrees).defer(now + state.config.pushTreeWaitMs, item, from)) {
    state.wakeStale = true
    return 'ok'
  }
  if (globalRoom(state, item.size) && state.sources.canStart(from, item.size)) {
    const fetch = startFetch(state, item.id, item.size, item.hops, from, item.register)
    fetch.origin = item.origin
    requestFrom(state, fetch, from, now)
    return 'ok'
  }
  return state.sources.wait(from, item) ? 'ok' : 'full'
}

/** Announcements that waited for a parent's push in vain (SPEC.md §3.8): fetched now from their announcers. */
export function onDeferredDue (state: CoreState, now: number): void {
  const due = (state.trees as PushTrees).due(now)
  if (due.length > 0) state.wakeStale = true
  for (let i = 0; i < due.length; i++) {
    const { item, from } = due[i]!
    if (state.neighbours.has(from)) offer(state, from, item, now, false)
  }
}

/**
 * Hands freed room to waiting announcements, one per source per pass, round-robin, until no source
 * can start anything more (SPEC.md §3.6).
 */
export function pumpWaiting (state: CoreState, now: number): void {
  const { sources } = state
  sources.pumpDue = false
  const take = (peer: PeerHandle, item: InvItem, canStart: boolean): 'skip' | 'start' | 'blocked' | 'stop' => {
    const existing = fetchOf(state, item.id)
    if (existing !== undefined) {
      addSource(state, existing, peer, now)
      return 'skip'
    }
    if (holds(state, item.id) || !state.neighbours.has(peer) || state.scope?.serves(item.register) === false) return 'skip'
    if (!globalRoom(state, item.size)) return state.fetches.size >= state.config.maxInflight ? 'stop' : 'blocked'
    if (!canStart) return 'blocked'
    const fetch = startFetch(state, item.id, item.size, item.hops, peer, item.register)
    fetch.origin = item.origin
    requestFrom(state, fetch, peer, now)
    return 'start'
  }
  while (sources.waitingTotal > 0 && sources.pass(take) > 0);
}
