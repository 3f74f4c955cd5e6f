/**
 * The topology core's view of the registers this node serves (protocols/topology/SPEC.md §10): for
 * each, how many connected peers serve it and which known ones could be dialled, from the peer list's
 * records and the providers the DHT named. One pass over the peer list per tick.
 */
import type { PeerNode } from '../../protocols/models/index.ts'
import { knowsRegisters, servesRegister, type RegisterView } from '../../protocols/topology/index.ts'
import { CANDIDATE_LIMIT } from './constants.ts'

/** Providers remembered per register (the most recent lookup's, at most this many). */
const MAX_PROVIDERS_PER_REGISTER = CANDIDATE_LIMIT

/** Remembers the DHT's providers of the served registers and builds the per-register views. */
export class RegisterViews {
  private readonly providers = new Map<string, Set<string>>()

  /** Records the providers a lookup found (replacing the previous lookup's). */
  setProviders (registerId: string, peerIds: readonly string[]): void {
    this.providers.set(registerId, new Set(peerIds.slice(0, MAX_PROVIDERS_PER_REGISTER)))
  }

  /**
   * Views of `served` (empty: the node serves every register and keeps no sub-mesh). A peer serves a
   * register when its record says so, or when the DHT named it and no record of its own says otherwise.
   */
  build (served: readonly string[], peers: readonly PeerNode[], connected: ReadonlySet<string>): RegisterView[] {
    for (const id of [...this.providers.keys()]) if (!served.includes(id)) this.providers.delete(id)
    if (served.length === 0) return []
    const views = new Map<string, RegisterView>(served.map(id => [id, { registerId: id, connected: 0, candidates: [] }]))
    const best = [...peers].sort((a, b) => b.score - a.score)
    for (const peer of best) {
      const trusted = peer.lastSeenMs > 0 && knowsRegisters(peer.capabilities)
      for (const view of views.values()) {
        const serves = servesRegister(peer.capabilities, view.registerId) || (!trusted && this.providers.get(view.registerId)?.has(peer.peerId) === true)
        if (!serves) continue
        if (connected.has(peer.peerId)) view.connected++
        else if (peer.addresses.length > 0 && view.candidates.length < CANDIDATE_LIMIT) view.candidates.push({ peerId: peer.peerId, addresses: peer.addresses })
      }
    }
    return [...views.values()]
  }
}
