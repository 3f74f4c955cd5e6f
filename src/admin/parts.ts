/**
 * What the admin operations read and drive of a node: its libp2p connections (dial, hang up), the
 * peer store's protocols, addresses, and the optional services by name (peer list, health monitor,
 * gossip, connectivity, address/NAT). Built from libp2p components when the gateway runs as a libp2p
 * service, or from a started SorchaNode. A missing service leaves its part undefined; the operation
 * that needs it answers UNAVAILABLE naming it.
 */
import type { Connection, PeerId, PeerStore } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { PeerNode } from '../../protocols/models/index.ts'
import type { DistributorStats } from '../gossip/distributor.ts'
import type { AddressStatus } from '../nat/index.ts'
import type { StatusCounts } from '../peers/types.ts'
import type { QueueStats } from '../queue/types.ts'
import type { ConnectivityStatusView } from '../gateway/backend.ts'

/** The parts of a libp2p connection the admin API shows. */
export type ConnectionView = Pick<Connection, 'id' | 'remotePeer' | 'remoteAddr' | 'direction' | 'status' | 'timeline' | 'multiplexer' | 'encryption' | 'limits' | 'rtt'> & {
  streams: Array<{ protocol?: string }>
}

/** What the peer store knows of a peer (identify). */
export interface PeerStoreView {
  protocols: string[]
  agentVersion: string
}

/** The peer list as admin uses it (src/peers PeerList satisfies it). */
export interface AdminPeerList {
  get: (peerId: string, options?: { signal?: AbortSignal }) => Promise<PeerNode | undefined>
  ban: (peerId: string, ban: { now: number, reason: string, durationMs?: number }, options?: { signal?: AbortSignal }) => Promise<PeerNode | undefined>
  unban: (peerId: string, options: { now: number, signal?: AbortSignal }) => Promise<PeerNode | undefined>
  countByStatus: () => StatusCounts
  size: () => number
}

/** What the admin operations use of a node. */
export interface AdminNode {
  peerId: string
  startedAtMs: number
  version: string
  connections: () => ConnectionView[]
  dial: (address: Multiaddr, options?: { signal?: AbortSignal }) => Promise<ConnectionView>
  hangUp: (peerId: PeerId, options?: { signal?: AbortSignal }) => Promise<void>
  /** Undefined when the peer store has no entry. */
  peerInfo: (peerId: PeerId) => Promise<PeerStoreView | undefined>
  listenAddrs: () => string[]
  /** Announced multiaddrs, with /p2p/. */
  multiaddrs: () => string[]
  protocols: () => string[]
  peerList?: AdminPeerList
  health?: { snapshot: () => { score: number } }
  gossip?: { stats: () => DistributorStats, queueStats: () => QueueStats }
  connectivity?: { status: () => ConnectivityStatusView }
  address?: { status: () => AddressStatus }
}

/** Service names admin looks for (as the gateway's, plus the address service of src/nat). */
export const ADMIN_SERVICE_NAMES = Object.freeze({ peerList: 'peerList', health: 'health', gossip: 'gossip', connectivity: 'connectivity', address: 'address' })

const has = (value: unknown, method: string): boolean => typeof (value as Record<string, unknown> | undefined)?.[method] === 'function'

/** The optional parts, looked up by service name; a service of the wrong shape is left out. */
export function optionalAdminParts (lookup: (name: string) => unknown): Partial<AdminNode> {
  const out: Partial<AdminNode> = {}
  const peerList = lookup(ADMIN_SERVICE_NAMES.peerList)
  if (has(peerList, 'ban') && has(peerList, 'countByStatus')) out.peerList = peerList as AdminPeerList
  const health = lookup(ADMIN_SERVICE_NAMES.health)
  if (has(health, 'snapshot')) out.health = health as NonNullable<AdminNode['health']>
  const gossip = lookup(ADMIN_SERVICE_NAMES.gossip)
  if (has(gossip, 'stats') && has(gossip, 'queueStats')) out.gossip = gossip as NonNullable<AdminNode['gossip']>
  const connectivity = lookup(ADMIN_SERVICE_NAMES.connectivity)
  if (has(connectivity, 'status')) out.connectivity = connectivity as NonNullable<AdminNode['connectivity']>
  const address = lookup(ADMIN_SERVICE_NAMES.address)
  if (has(address, 'status')) out.address = address as NonNullable<AdminNode['address']>
  return out
}

/** Identify's answer from the peer store; undefined when the store has no entry. */
export async function peerStoreView (peerStore: Pick<PeerStore, 'get'>, peerId: PeerId): Promise<PeerStoreView | undefined> {
  try {
    const peer = await peerStore.get(peerId)
    const agent = peer.metadata.get('AgentVersion')
    return { protocols: [...peer.protocols].sort(), agentVersion: agent === undefined ? '' : new TextDecoder().decode(agent) }
  } catch {
    return undefined
  }
}

/** The libp2p components admin reads (when the gateway runs as a libp2p service). */
export interface AdminComponents {
  peerId: PeerId
  peerStore: Pick<PeerStore, 'get'>
  addressManager: { getAddresses: () => Array<{ toString: () => string }>, getListenAddrs: () => Array<{ toString: () => string }> }
  registrar: { getProtocols: () => string[] }
  connectionManager: {
    getConnections: () => Connection[]
    openConnection: (address: Multiaddr, options?: { signal?: AbortSignal }) => Promise<Connection>
    closeConnections: (peerId: PeerId, options?: { signal?: AbortSignal }) => Promise<void>
  }
}

/** An AdminNode over libp2p components (services are components by name; missing ones throw). */
export function adminNodeOfComponents (components: AdminComponents, options: { version?: string, startedAtMs?: number } = {}): AdminNode {
  const lookup = (name: string): unknown => {
    try {
      return (components as unknown as Record<string, unknown>)[name]
    } catch {
      return undefined
    }
  }
  const cm = components.connectionManager
  return {
    peerId: components.peerId.toString(),
    startedAtMs: options.startedAtMs ?? Date.now(),
    version: options.version ?? '',
    connections: () => cm.getConnections(),
    dial: async (address, o) => cm.openConnection(address, o),
    hangUp: async (peerId, o) => { await cm.closeConnections(peerId, o) },
    peerInfo: async peerId => peerStoreView(components.peerStore, peerId),
    listenAddrs: () => components.addressManager.getListenAddrs().map(String),
    multiaddrs: () => components.addressManager.getAddresses().map(String),
    protocols: () => components.registrar.getProtocols(),
    ...optionalAdminParts(lookup)
  }
}

/** The libp2p node API admin uses (a started Libp2p satisfies it). */
export interface AdminLibp2p {
  peerId: PeerId
  peerStore: Pick<PeerStore, 'get'>
  services: Record<string, unknown>
  getConnections: () => Connection[]
  dial: (address: Multiaddr, options?: { signal?: AbortSignal }) => Promise<Connection>
  hangUp: (peerId: PeerId, options?: { signal?: AbortSignal }) => Promise<void>
  getMultiaddrs: () => Multiaddr[]
  getProtocols: () => string[]
}

/** An AdminNode over a started libp2p node (listen addresses from its address manager when reachable). */
export function adminNodeOfLibp2p (libp2p: AdminLibp2p, options: { version?: string, startedAtMs?: number } = {}): AdminNode {
  const components = (libp2p as unknown as { components?: { addressManager?: { getListenAddrs?: () => Multiaddr[] } } }).components
  return {
    peerId: libp2p.peerId.toString(),
    startedAtMs: options.startedAtMs ?? Date.now(),
    version: options.version ?? '',
    connections: () => libp2p.getConnections(),
    dial: async (address, o) => libp2p.dial(address, o),
    hangUp: async (peerId, o) => { await libp2p.hangUp(peerId, o) },
    peerInfo: async peerId => peerStoreView(libp2p.peerStore, peerId),
    listenAddrs: () => components?.addressManager?.getListenAddrs?.().map(String) ?? [],
    multiaddrs: () => libp2p.getMultiaddrs().map(String),
    protocols: () => libp2p.getProtocols(),
    ...optionalAdminParts(name => libp2p.services[name])
  }
}
