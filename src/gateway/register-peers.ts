/**
 * FindPeersForRegister over a node's peer list and, when asked, the DHT (issue 20; protocols/topology/
 * SPEC.md §8, §9). A peer serves a register when its record lists it or says it serves every register.
 */
import { PeerStatus, type PeerNode } from '../../protocols/models/index.ts'
import { knowsRegisters, servesRegister as recordServes } from '../../protocols/topology/index.ts'
import { FIND_PROVIDERS_TIMEOUT_MS } from './constants.ts'

/** True when the peer's record says it serves `registerId` (listed, or every register). */
export function servesRegister (peer: PeerNode, registerId: string): boolean {
  return recordServes(peer.capabilities, registerId)
}

/** The topology service's DHT lookup (src/discovery). */
export interface RegisterProviderLookup {
  findRegisterProviders: (registerId: string, options: { signal: AbortSignal }) => Promise<string[]>
}

/** The peer list as the lookup reads it. */
export interface RegisterPeerList {
  list: (query: { orderBy: 'score', direction: 'desc' }, options?: { signal?: AbortSignal }) => Promise<PeerNode[]>
}

/** The providers the DHT names within FIND_PROVIDERS_TIMEOUT_MS (what was found before the deadline is kept). */
async function providersOf (dht: RegisterProviderLookup, registerId: string, signal: AbortSignal | undefined): Promise<Set<string>> {
  const controller = new AbortController()
  const abort = (): void => { controller.abort(new Error('register provider lookup ended')) }
  const timer = setTimeout(abort, FIND_PROVIDERS_TIMEOUT_MS)
  signal?.addEventListener('abort', abort, { once: true })
  try {
    return new Set(await dht.findRegisterProviders(registerId, { signal: controller.signal }))
  } finally {
    clearTimeout(timer)
    signal?.removeEventListener('abort', abort)
  }
}

/**
 * Peers serving `registerId`, best score first, never banned ones. With `dht`, the register's DHT
 * providers too: they enter the peer list as hearsay first; a provider whose own advertisement (seen
 * firsthand) no longer lists the register is left out, since a provider record outlives an unfollow
 * by up to its validity.
 */
export async function findRegisterPeers (list: RegisterPeerList, registerId: string, limit: number, options: { signal?: AbortSignal, dht?: RegisterProviderLookup }): Promise<PeerNode[]> {
  const providers = options.dht === undefined ? new Set<string>() : await providersOf(options.dht, registerId, options.signal)
  // The peer list has no register index (registers live in capabilities); scanning the score-ordered
  // list is bounded by peers.maxKnown and returns the best-scored servers first.
  const all = await list.list({ orderBy: 'score', direction: 'desc' }, options.signal === undefined ? {} : { signal: options.signal })
  const provides = (p: PeerNode): boolean => providers.has(p.peerId) && (p.lastSeenMs === 0 || !knowsRegisters(p.capabilities))
  return all.filter(p => p.status !== PeerStatus.PEER_STATUS_BANNED && (servesRegister(p, registerId) || provides(p))).slice(0, limit)
}
