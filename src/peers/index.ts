/**
 * The persisted peer list as a libp2p service. `peerListService(init)(components)` follows the
 * js-libp2p factory shape; `peerHealthContribution()` in src/health adds it (with the health
 * monitor) to a SorchaNode. A banned peer's open connections are closed when the ban is made.
 */
import { serviceCapabilities, type PeerId } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import type { HealthRules } from '../../protocols/peer-health/index.ts'
import type { Sublevel } from '../storage/index.ts'
import { DefaultPeerList } from './peer-list.ts'
import { noteDisconnectReason } from '../events/disconnect-reasons.ts'

export { DefaultPeerList, type PeerListInit } from './peer-list.ts'
export { PeerStore } from './peer-store.ts'
export { peerListGater, type PeerListSource } from './gater.ts'
export { PeerListBusyError, PeerListNotStartedError } from './errors.ts'
export * from './types.ts'
export { STATUS_NAMES, statusName, statusFromName, sourceName, peerToJson, type StatusName } from './names.ts'

/** Name of the peer list's sublevel in the node's database. */
export const PEERS_SUBLEVEL = 'peers'

/** The capability the peer-list service provides (for serviceDependencies). */
export const PEER_LIST_CAPABILITY = '@sorcha/peer-list'

/** Options of the peer-list service. */
export interface PeerListServiceInit {
  db: Sublevel
  selfPeerId: string
  maxKnown: number
  rules: HealthRules
  clock?: () => number
}

/** What the service uses from libp2p. */
export interface PeerListComponents {
  connectionManager?: { closeConnections: (peerId: PeerId) => Promise<void> }
}

/** The peer list as a libp2p service (start/stop with the node). */
export class PeerListService extends DefaultPeerList {
  readonly [Symbol.toStringTag] = '@sorcha/peer-list'
  readonly [serviceCapabilities]: string[] = [PEER_LIST_CAPABILITY]
}

/** Factory in the js-libp2p shape: `services: { peerList: peerListService(init) }`. */
export function peerListService (init: PeerListServiceInit): (components: PeerListComponents) => PeerListService {
  return components => {
    const list = new PeerListService(init)
    list.addEventListener('peer:banned', event => {
      noteDisconnectReason(event.detail.peerId, 'banned')
      const close = components.connectionManager?.closeConnections(peerIdFromString(event.detail.peerId))
      close?.catch(() => {})
    })
    return list
  }
}
