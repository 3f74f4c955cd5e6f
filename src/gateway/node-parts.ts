/**
 * NodeParts from a running SorchaNode, or from libp2p components when the gateway runs as a libp2p
 * service. Optional services (peer list, health, direct, gossip) are looked up by their service
 * names; a missing one leaves its part undefined and the backend answers UNAVAILABLE for it.
 */
import type { PeerId } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { adminNodeOfComponents, adminNodeOfLibp2p, type AdminComponents, type AdminLibp2p } from '../admin/parts.ts'
import type { SorchaNode } from '../node/sorcha-node.ts'
import type { NodeParts } from './node-backend.ts'
import type { TransactionService } from './transactions.ts'

/** Service names the gateway looks for. */
export const SERVICE_NAMES = Object.freeze({ ping: 'ping', direct: 'direct', peerList: 'peerList', health: 'health', gossip: 'gossip', connectivity: 'connectivity', eventLog: 'eventLog', topology: 'topology' })

type Lookup = (name: string) => unknown

/** Builds the transaction service from the node's gossip service, when there is one. */
export type TransactionServiceFactory = (gossip: unknown) => TransactionService | undefined

function optionalParts (lookup: Lookup, transactions: TransactionServiceFactory | undefined): Partial<NodeParts> {
  const ping = lookup(SERVICE_NAMES.ping) as { ping: (peer: PeerId, options?: { signal?: AbortSignal }) => Promise<number> } | undefined
  const gossip = lookup(SERVICE_NAMES.gossip)
  const tx = gossip === undefined || transactions === undefined ? undefined : transactions(gossip)
  const out: Partial<NodeParts> = {}
  if (ping !== undefined) out.ping = async (peerId, options) => ping.ping(peerIdFromString(peerId), options)
  const direct = lookup(SERVICE_NAMES.direct)
  if (direct !== undefined) out.direct = direct as NonNullable<NodeParts['direct']>
  const peerList = lookup(SERVICE_NAMES.peerList)
  if (peerList !== undefined) out.peerList = peerList as NonNullable<NodeParts['peerList']>
  const health = lookup(SERVICE_NAMES.health)
  if (health !== undefined) out.health = health as NonNullable<NodeParts['health']>
  if (tx !== undefined) out.transactions = tx
  const connectivity = lookup(SERVICE_NAMES.connectivity)
  if (connectivity !== undefined) out.connectivity = connectivity as NonNullable<NodeParts['connectivity']>
  const eventLog = lookup(SERVICE_NAMES.eventLog)
  if (eventLog !== undefined) out.eventLog = eventLog as NonNullable<NodeParts['eventLog']>
  const topology = lookup(SERVICE_NAMES.topology) as Partial<NonNullable<NodeParts['topology']>> | undefined
  if (typeof topology?.findRegisterProviders === 'function') out.topology = topology as NonNullable<NodeParts['topology']>
  // The served set as it is now (admin calls and reloads change it), not as configured at start.
  const served = gossip as { registers?: () => string[] } | undefined
  if (typeof served?.registers === 'function') out.registers = () => served.registers?.() ?? []
  return out
}

/** Options shared by both builders. */
export interface NodePartsOptions {
  version?: string
  /** Registers the node follows; empty = all. */
  registers?: () => string[]
  /** Adapter from the gossip service to the TransactionService. */
  transactions?: TransactionServiceFactory
}

/** NodeParts of a started SorchaNode. */
export function partsOfNode (node: SorchaNode, options: NodePartsOptions = {}): NodeParts {
  const services = node.libp2p.services as Record<string, unknown>
  return {
    peerId: node.peerId.toString(),
    startedAtMs: Date.now(),
    version: options.version ?? '',
    registers: options.registers ?? (() => []),
    multiaddrs: () => node.libp2p.getMultiaddrs().map(String),
    protocols: () => node.libp2p.getProtocols(),
    connectedPeers: () => node.libp2p.getPeers().map(String),
    ...optionalParts(name => services[name], options.transactions),
    admin: adminNodeOfLibp2p(node.libp2p as unknown as AdminLibp2p, { version: options.version ?? '' })
  }
}

/** The libp2p components the gateway service reads. */
export interface GatewayComponents {
  peerId: PeerId
  addressManager: { getAddresses: () => Array<{ toString: () => string }> }
  registrar: { getProtocols: () => string[] }
  connectionManager: { getConnections: () => Array<{ remotePeer: PeerId }> }
}

/** NodeParts from libp2p components (services are components by name; missing ones throw). */
export function partsOfComponents (components: GatewayComponents, options: NodePartsOptions = {}): NodeParts {
  const lookup: Lookup = name => {
    try {
      return (components as unknown as Record<string, unknown>)[name]
    } catch {
      return undefined
    }
  }
  return {
    peerId: components.peerId.toString(),
    startedAtMs: Date.now(),
    version: options.version ?? '',
    registers: options.registers ?? (() => []),
    multiaddrs: () => components.addressManager.getAddresses().map(String),
    protocols: () => components.registrar.getProtocols(),
    connectedPeers: () => [...new Set(components.connectionManager.getConnections().map(c => c.remotePeer.toString()))],
    ...optionalParts(lookup, options.transactions),
    admin: adminNodeOfComponents(components as unknown as AdminComponents, { version: options.version ?? '' })
  }
}
