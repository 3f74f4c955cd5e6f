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
import { isServedRegistersControl, type ServedRegistersControl } from './served-registers.ts'

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
  ban: (peerId: string, ban: { now: number, reason: string, durationMs?: number, code?: string }, options?: { signal?: AbortSignal }) => Promise<PeerNode | undefined>
  unban: (peerId: string, options: { now: number, forget?: boolean, signal?: AbortSignal }) => Promise<PeerNode | undefined>
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
  /** The gossip service's served set (follow/unfollow). */
  served?: ServedRegistersControl
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
  if (isServedRegistersControl(gossip)) out.served = gossip
  const connectivity = lookup(ADMIN_SERVICE_NAMES.connectivity)
  if (has(connectivity, 'status')) out.connectivity = connectivity as NonNullable<AdminNode['connectivity']>
  const address = lookup(ADMIN_SERVICE_NAMES.address)
  if (has(address, 'status')) out.address = address as NonNullable<AdminNode['address']>
  return out
}

/** Most peers whose identify answer the cache holds (more than a node keeps connections to). */
export const PEER_INFO_CACHE_MAX = 4096

/**
 * Identify's answers, cached per peer until libp2p says the peer's record changed (`peer:update`,
 * `peer:identify`) or the peer disconnects: the peer store reads its datastore on every get, which
 * was most of ListConnectedPeers' time. Bounded: beyond PEER_INFO_CACHE_MAX the oldest entry goes.
 */
export class PeerInfoCache {
  private readonly entries = new Map<string, Promise<PeerStoreView | undefined>>()
  private readonly read: (peerId: PeerId) => Promise<PeerStoreView | undefined>

  constructor (read: (peerId: PeerId) => Promise<PeerStoreView | undefined>, events?: Pick<EventTarget, 'addEventListener'>) {
    this.read = read
    const forget = (event: Event): void => {
      const detail = (event as CustomEvent<{ peer?: { id?: PeerId }, peerId?: PeerId } | PeerId>).detail as { peer?: { id?: PeerId }, peerId?: PeerId, toString: () => string } | undefined
      const id = detail?.peer?.id ?? detail?.peerId ?? detail
      if (id !== undefined) this.entries.delete(id.toString())
    }
    for (const type of ['peer:update', 'peer:identify', 'peer:disconnect']) events?.addEventListener(type, forget)
  }

  /** The peer's view, from the cache or the store; a miss (no entry yet) is not cached. */
  async get (peerId: PeerId): Promise<PeerStoreView | undefined> {
    const key = peerId.toString()
    const cached = this.entries.get(key)
    if (cached !== undefined) return cached
    const pending = this.read(peerId)
    this.entries.set(key, pending)
    if (this.entries.size > PEER_INFO_CACHE_MAX) this.entries.delete(this.entries.keys().next().value as string)
    const view = await pending
    if (view === undefined && this.entries.get(key) === pending) this.entries.delete(key)
    return view
  }
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
  events?: Pick<EventTarget, 'addEventListener'>
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
  const infos = new PeerInfoCache(async peerId => peerStoreView(components.peerStore, peerId), components.events)
  return {
    peerId: components.peerId.toString(),
    startedAtMs: options.startedAtMs ?? Date.now(),
    version: options.version ?? '',
    connections: () => cm.getConnections(),
    dial: async (address, o) => cm.openConnection(address, o),
    hangUp: async (peerId, o) => { await cm.closeConnections(peerId, o) },
    peerInfo: async peerId => infos.get(peerId),
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
  addEventListener: (type: string, listener: (event: Event) => void) => void
}

/** An AdminNode over a started libp2p node (listen addresses from its address manager when reachable). */
export function adminNodeOfLibp2p (libp2p: AdminLibp2p, options: { version?: string, startedAtMs?: number } = {}): AdminNode {
  const components = (libp2p as unknown as { components?: { addressManager?: { getListenAddrs?: () => Multiaddr[] } } }).components
  const infos = new PeerInfoCache(async peerId => peerStoreView(libp2p.peerStore, peerId), libp2p)
  return {
    peerId: libp2p.peerId.toString(),
    startedAtMs: options.startedAtMs ?? Date.now(),
    version: options.version ?? '',
    connections: () => libp2p.getConnections(),
    dial: async (address, o) => libp2p.dial(address, o),
    hangUp: async (peerId, o) => { await libp2p.hangUp(peerId, o) },
    peerInfo: async peerId => infos.get(peerId),
    listenAddrs: () => components?.addressManager?.getListenAddrs?.().map(String) ?? [],
    multiaddrs: () => libp2p.getMultiaddrs().map(String),
    protocols: () => libp2p.getProtocols(),
    ...optionalAdminParts(name => libp2p.services[name])
  }
}
