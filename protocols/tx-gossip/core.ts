/**
 * The tx-gossip protocol core (SPEC.md): a deterministic state machine with no I/O, no clock and no
 * randomness of its own. `handle(input)` returns effects; `nextWakeup()` says when it next needs a
 * `tick`. The node (src/gossip) and the simulator (simulations/) both drive this same code.
 */
import type { Core } from '../common/effects.ts'
import type { Rng } from '../common/rng.ts'
import { antiEntropyEnabled, onSummary, runRoundIfDue, scheduleRound, sendSummary } from './anti-entropy.ts'
import { onInv, relay } from './announce.ts'
import { resolveGossipConfig } from './config.ts'
import { onChunk, onGetdata, onNotfound, onTimeouts, onVerified, retry } from './fetching.ts'
import { createState, flushRequests, holds, markHeld, verdict, type CoreState } from './state.ts'
import type { GossipEffect, GossipInput, GossipMessage, GossipStats, TxGossipConfig, TxKey } from './types.ts'

/** A tx-gossip core: the Core contract plus read-only views for adapters, metrics and the simulator. */
export interface TxGossipCore extends Core<GossipInput, GossipEffect> {
  readonly config: Readonly<TxGossipConfig>
  /** True if the node holds `id` (subject to the seen-set's false-positive rate for old ones). */
  holds: (id: TxKey) => boolean
  /** Counters since creation. */
  stats: () => GossipStats
  /** The current neighbours. */
  peers: () => readonly string[]
}

function onMessage (state: CoreState, from: string, message: GossipMessage, now: number, out: GossipEffect[]): void {
  switch (message.type) {
    case 'inv': return onInv(state, from, message.items, now, out)
    case 'getdata': return onGetdata(state, from, message.items, out)
    case 'notfound': return onNotfound(state, from, message.ids, now, out)
    case 'summary': return onSummary(state, from, message.filter, now, out)
  }
}

function onPeerUp (state: CoreState, peer: string, now: number, out: GossipEffect[]): void {
  if (state.peers.size >= state.config.maxPeers || !state.peers.add(peer)) return
  if (!antiEntropyEnabled(state)) return
  if (state.nextAntiEntropyAt === undefined) scheduleRound(state, now)
  if (state.config.antiEntropyOnConnect) sendSummary(state, peer, out)
}

function onPeerDown (state: CoreState, peer: string, now: number, out: GossipEffect[]): void {
  if (!state.peers.remove(peer)) return
  for (const fetch of [...state.fetches.values()]) {
    if (fetch.current !== peer || fetch.verifying) continue
    fetch.current = undefined
    retry(state, fetch, now, out)
  }
}

function onPublish (state: CoreState, id: TxKey, size: number, now: number, out: GossipEffect[]): void {
  if (holds(state, id)) {
    out.push({ type: 'trace', event: 'duplicate-publish', data: { id } })
    return
  }
  const fetching = state.fetches.get(id)
  if (fetching !== undefined) {
    // Published here while being fetched from a peer: the local copy wins, the partial one is dropped.
    state.fetches.delete(id)
    out.push({ type: 'discard', id })
  }
  markHeld(state, id, size, 0, now)
  state.stats.published++
  relay(state, id, size, 0, fetching?.sources ?? [], out)
}

function dispatch (state: CoreState, input: GossipInput, out: GossipEffect[]): void {
  const now = input.now
  switch (input.type) {
    case 'tick':
      onTimeouts(state, now, out)
      runRoundIfDue(state, now, out)
      if (state.seen.rotateIfDue(now)) out.push({ type: 'trace', event: 'seen-rotated' })
      return
    case 'peer-up': return onPeerUp(state, input.peer, now, out)
    case 'peer-down': return onPeerDown(state, input.peer, now, out)
    case 'publish': return onPublish(state, input.id, input.size, now, out)
    case 'restore': return markHeld(state, input.id, input.size, input.hops, now)
    case 'message': return onMessage(state, input.from, input.message, now, out)
    case 'chunk': return onChunk(state, input, out)
    case 'verified': return onVerified(state, input.id, input.ok, now, out)
    case 'invalid': return verdict(state, out, input.from, 'reject', input.code)
  }
}

/** Creates a core from a (partial) configuration and a seeded Rng; throws GossipConfigError for bad values. */
export function createTxGossipCore (config: Partial<TxGossipConfig>, rng: Rng): TxGossipCore {
  const state = createState(resolveGossipConfig(config), rng)
  const nextWakeup = (): number | undefined => {
    const deadline = state.fetches.nextDeadline()
    const round = state.peers.size > 0 ? state.nextAntiEntropyAt : undefined
    if (deadline === undefined) return round
    return round === undefined ? deadline : Math.min(deadline, round)
  }
  return {
    config: state.config,
    handle: (input: GossipInput): GossipEffect[] => {
      const out: GossipEffect[] = []
      dispatch(state, input, out)
      flushRequests(state, out)
      const wakeup = nextWakeup()
      if (wakeup !== state.lastScheduled) {
        state.lastScheduled = wakeup
        if (wakeup !== undefined) out.push({ type: 'schedule', at: wakeup })
      }
      return out
    },
    nextWakeup,
    holds: id => holds(state, id),
    peers: () => state.peers.all(),
    stats: () => ({ ...state.stats, inflight: state.fetches.size, recent: state.recent.size, peers: state.peers.size })
  }
}
