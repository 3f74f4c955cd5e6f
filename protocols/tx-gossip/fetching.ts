/**
 * Fetching bodies (SPEC.md §4.3-4.5): serving requests, accepting chunks in order from the peer
 * asked, verification, and moving to the next announcer on a stall, resuming at the bytes held.
 */
import { addSource, relay, requestFrom } from './announce.ts'
import type { Fetch } from './fetches.ts'
import type { CoreState, Effects } from './state.ts'
import { entryHops, entrySize } from './recent.ts'
import { armDeadline, endFetch, expiredFetches, fetchOf, holds, isCount, isValidKey, markHeld, recentEntry, startFetch, verdict } from './state.ts'
import type { ChunkInput, FetchItem, PeerHandle, TxKey } from './types.ts'
import { adoptParent, isValidOrigin, pruneDuplicate } from './push-tree.ts'

/** A getdata from `from`: serve what is held, answer notfound for the rest. */
export function onGetdata (state: CoreState, from: PeerHandle, items: readonly FetchItem[], out: Effects): void {
  const { config } = state
  if (items.length > config.maxItemsPerMessage) return verdict(state, out, from, 'reject', 'too-many-items')
  let missing: TxKey[] | undefined
  for (const item of items) {
    if (!isValidKey(item.id) || !isCount(item.offset)) return verdict(state, out, from, 'reject', 'bad-item')
    const entry = recentEntry(state, item.id)
    if (entry !== undefined && item.offset > entrySize(entry)) return verdict(state, out, from, 'reject', 'bad-item')
    if (entry !== undefined || state.seen.has(item.id)) {
      // Older than the recent list: the hop count is unknown, so the requester's own (from its inv) rules.
      const hops = entry === undefined ? config.hopLimit : Math.min(255, entryHops(entry) + 1)
      out.push({ type: 'serve', peer: from, id: item.id, offset: item.offset, hops, requested: true })
    } else {
      (missing ??= []).push(item.id)
    }
  }
  if (missing !== undefined) out.push({ type: 'send', peer: from, message: { type: 'notfound', ids: missing } })
}

/** A notfound from `from`: move the affected fetches on. */
export function onNotfound (state: CoreState, from: PeerHandle, ids: readonly TxKey[], now: number, out: Effects): void {
  if (ids.length > state.config.maxItemsPerMessage) return verdict(state, out, from, 'reject', 'too-many-items')
  let unserved = false
  for (const id of ids) {
    const fetch = fetchOf(state, id)
    if (fetch === undefined || fetch.current !== from || fetch.verifying) continue
    state.sources.unserved(from)
    unserved = true
    markFailed(fetch, from)
    retry(state, fetch, now, out)
  }
  if (unserved) verdict(state, out, from, 'ignore', 'unserved-fetch')
}

/** Never asks `peer` for this transaction again (it failed it); clears `current` if it was the one asked. */
function markFailed (fetch: Fetch, peer: PeerHandle): void {
  ;(fetch.failed ??= []).push(peer)
  if (fetch.current === peer) fetch.current = undefined
}

/** Gives up on a fetch; a later announcement or anti-entropy round starts it again. */
export function abandon (state: CoreState, fetch: Fetch, out: Effects): void {
  endFetch(state, fetch)
  state.fetchesAbandoned++
  if (fetch.received > 0) out.push({ type: 'discard', id: fetch.id })
  out.push({ type: 'trace', event: 'fetch-abandoned', data: { id: fetch.id, received: fetch.received } })
}

/**
 * After a stall: ask the next connected source (round-robin after the current one), the same one a
 * few times if it is the only one, else give up. A peer that failed (rather than stalled) is in
 * `failed` and no longer `current`, so it is never asked again. A fetch with part of its body and
 * no source left to ask (its only source went away) waits, within the same stall budget, for another
 * peer to announce it, and resumes there (SPEC.md §3.3).
 */
export function retry (state: CoreState, fetch: Fetch, now: number, out: Effects): void {
  const { neighbours: peers } = state
  fetch.attempts++
  const start = fetch.current === undefined ? 0 : fetch.sources.indexOf(fetch.current) + 1
  for (let i = 0; i < fetch.sources.length; i++) {
    const peer = fetch.sources[(start + i) % fetch.sources.length] as PeerHandle
    if (peer !== fetch.current && peers.has(peer) && fetch.failed?.includes(peer) !== true) return requestFrom(state, fetch, peer, now)
  }
  if (fetch.current !== undefined && peers.has(fetch.current) && fetch.attempts < 3) return requestFrom(state, fetch, fetch.current, now)
  if (fetch.received > 0 && fetch.attempts < 3) {
    fetch.current = undefined
    armDeadline(state, fetch, now)
    out.push({ type: 'trace', event: 'fetch-waiting', data: { id: fetch.id, received: fetch.received } })
    return
  }
  abandon(state, fetch, out)
}

function validChunk (c: ChunkInput<PeerHandle>): boolean {
  return isValidKey(c.id) && isCount(c.offset) && isCount(c.length) && isCount(c.total) && isCount(c.hops) &&
    c.hops >= 1 && c.hops <= 255 && c.offset + c.length <= c.total && (c.length > 0 || c.total === 0) &&
    (c.origin === undefined || isValidOrigin(c.origin))
}

/** The fetch an unsolicited first chunk starts (an inline push), or undefined with a verdict. */
function startPushed (state: CoreState, c: ChunkInput<PeerHandle>, out: Effects): Fetch | undefined {
  const { config, fetches } = state
  if (holds(state, c.id)) {
    if (c.offset === 0) duplicateBody(state, c, out)
    verdict(state, out, c.from, 'ignore', 'duplicate')
    return undefined
  }
  if (c.offset !== 0) return void verdict(state, out, c.from, 'ignore', 'not-requested')
  if (c.register !== undefined && state.scope?.serves(c.register) === false) {
    state.notServed++
    return void verdict(state, out, c.from, 'ignore', 'unserved-register')
  }
  if (c.total > config.maxTxBytes) return void verdict(state, out, c.from, 'ignore', 'too-large')
  if (config.mode === 'announce' && c.total > config.inlineAcceptMaxBytes) return void verdict(state, out, c.from, 'reject', 'unsolicited-chunk')
  if (fetches.size >= config.maxInflight || fetches.bytes + c.total > config.maxInflightBytes) return void verdict(state, out, c.from, 'ignore', 'inflight-full')
  const fetch = startFetch(state, c.id, c.total, c.hops, c.from, c.register)
  fetch.current = c.from
  return fetch
}

/** The first chunk of a body this node holds or receives from another peer: counted, and its pusher pruned (SPEC.md §3.8). */
function duplicateBody (state: CoreState, c: ChunkInput<PeerHandle>, out: Effects): void {
  state.duplicateBodies++
  if (state.trees !== undefined) pruneDuplicate(state, c.origin, c.from, out)
}

/** Checks a chunk against its fetch; false (with a verdict) if it is not the next expected piece. */
function fits (state: CoreState, fetch: Fetch, c: ChunkInput<PeerHandle>, now: number, out: Effects): boolean {
  if (fetch.verifying || (fetch.current !== c.from && !(c.offset === 0 && fetch.received === 0))) {
    if (c.offset === 0) duplicateBody(state, c, out)
    verdict(state, out, c.from, 'ignore', fetch.verifying ? 'duplicate' : 'not-requested')
    return false
  }
  if (c.total !== fetch.size) {
    verdict(state, out, c.from, 'reject', 'size-mismatch')
    markFailed(fetch, c.from)
    if (fetch.current === undefined) retry(state, fetch, now, out)
    return false
  }
  if (c.offset !== fetch.received) {
    verdict(state, out, c.from, 'ignore', 'stale-chunk')
    return false
  }
  // First to deliver wins: an inline push may overtake the peer we asked.
  if (fetch.current !== c.from) {
    fetch.current = c.from
    addSource(state, fetch, c.from, now)
  }
  return true
}

/** Part of a body arrived. */
export function onChunk (state: CoreState, c: ChunkInput<PeerHandle>, out: Effects): void {
  if (!validChunk(c)) return verdict(state, out, c.from, 'reject', 'bad-chunk')
  let fetch = fetchOf(state, c.id)
  if (fetch === undefined) {
    fetch = startPushed(state, c, out)
    if (fetch === undefined) return
  } else if (!fits(state, fetch, c, c.now, out)) {
    return
  }
  fetch.received += c.length
  fetch.attempts = 0
  if (fetch.register === undefined && c.register !== undefined) fetch.register = c.register
  if (fetch.origin === undefined && c.origin !== undefined) fetch.origin = c.origin
  if (fetch.contributors === undefined) fetch.contributors = [c.from]
  else if (!fetch.contributors.includes(c.from)) fetch.contributors.push(c.from)
  armDeadline(state, fetch, c.now)
  out.push({ type: 'append', id: c.id, from: c.from, offset: c.offset, length: c.length })
  if (c.length < c.total) out.push({ type: 'progress', id: c.id, from: c.from, received: fetch.received, total: c.total })
  if (fetch.received < fetch.size) return
  if (state.config.verifyBodies) {
    fetch.verifying = true
    out.push({ type: 'verify', id: c.id })
  } else {
    complete(state, fetch, c.now, out)
  }
}

function complete (state: CoreState, fetch: Fetch, now: number, out: Effects): void {
  const from = fetch.current as PeerHandle
  endFetch(state, fetch)
  state.sources.served(from)
  markHeld(state, fetch.id, fetch.size, fetch.hops, now, fetch.register)
  state.delivered++
  verdict(state, out, from, 'accept', 'tx-valid')
  out.push({ type: 'deliver', id: fetch.id, from, hops: fetch.hops })
  relay(state, fetch.id, fetch.size, fetch.hops, fetch.sources, fetch.contributors, out, fetch.register, fetch.origin)
  if (state.trees !== undefined) adoptParent(state, fetch.origin, fetch.sources[0] as PeerHandle, out)
}

/** The runtime checked an assembled body. */
export function onVerified (state: CoreState, id: TxKey, ok: boolean, now: number, out: Effects): void {
  const fetch = fetchOf(state, id)
  if (fetch === undefined || !fetch.verifying) return
  if (ok) return complete(state, fetch, now, out)
  // One contributor: it sent bytes that do not hash to the id. Several: the fault cannot be pinned
  // on one of them, so nobody is rejected (SPEC.md §4.5).
  const contributors = fetch.contributors ?? []
  if (contributors.length === 1) {
    const culprit = contributors[0] as PeerHandle
    verdict(state, out, culprit, 'reject', 'tx-id-mismatch')
    markFailed(fetch, culprit)
  } else {
    for (const peer of contributors) verdict(state, out, peer, 'ignore', 'tx-id-mismatch-ambiguous')
  }
  out.push({ type: 'discard', id })
  fetch.received = 0
  fetch.contributors = undefined
  fetch.verifying = false
  fetch.current = undefined
  retry(state, fetch, now, out)
}

/** Deadlines that passed: move stalled fetches on. */
export function onTimeouts (state: CoreState, now: number, out: Effects): void {
  // One verdict per peer and tick, however many of its fetches timed out together.
  let last: PeerHandle | undefined
  for (const fetch of expiredFetches(state, now)) {
    // The runtime never answered `verify` (it lost the body): start over rather than wait forever.
    if (fetch.verifying) {
      abandon(state, fetch, out)
      continue
    }
    state.requestTimeouts++
    const peer = fetch.current
    out.push({ type: 'trace', event: 'fetch-timeout', data: { id: fetch.id, peer: peer ?? '', received: fetch.received } })
    if (peer !== undefined) {
      state.sources.unserved(peer)
      if (peer !== last) verdict(state, out, peer, 'ignore', 'unserved-fetch')
      last = peer
    }
    retry(state, fetch, now, out)
  }
}
