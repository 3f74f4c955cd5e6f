/** Short lower-case names of peer statuses and sources, for tables and logs; and a peer as JSON. */
import {
  PeerStatus, peerRoleToJSON, peerSourceToJSON, peerStatusToJSON, type PeerNode
} from '../../protocols/models/index.ts'

/** The lower-case status names, in enum order. */
export const STATUS_NAMES = ['unknown', 'connecting', 'healthy', 'degraded', 'unreachable', 'banned'] as const

/** A lower-case status name. */
export type StatusName = typeof STATUS_NAMES[number]

/** Zero of every status, keyed by name (the shape of PeerList.countByStatus()). */
export function emptyStatusCounts (): Record<StatusName, number> {
  return { unknown: 0, connecting: 0, healthy: 0, degraded: 0, unreachable: 0, banned: 0 }
}

/** 'healthy' for PEER_STATUS_HEALTHY. */
export function statusName (status: PeerStatus): string {
  return peerStatusToJSON(status).replace(/^PEER_STATUS_/, '').toLowerCase()
}

/** The status for a lower-case name; undefined if there is none. */
export function statusFromName (name: string): PeerStatus | undefined {
  const index = (STATUS_NAMES as readonly string[]).indexOf(name.trim().toLowerCase())
  return index < 0 ? undefined : Object.values(PeerStatus).find(v => v === index)
}

/** 'dht' for PEER_SOURCE_DHT. */
export function sourceName (source: number): string {
  return peerSourceToJSON(source as never).replace(/^PEER_SOURCE_/, '').toLowerCase()
}

/**
 * A peer as plain JSON, enums by their .proto names (PEER_STATUS_HEALTHY): the spelling the REST API
 * uses too (src/gateway/enum-names.ts). The short names above are for tables and logs.
 */
export function peerToJson (node: PeerNode): Record<string, unknown> {
  return {
    peerId: node.peerId,
    status: peerStatusToJSON(node.status),
    addresses: node.addresses,
    firstSeenMs: node.firstSeenMs,
    lastSeenMs: node.lastSeenMs,
    consecutiveFailures: node.consecutiveFailures,
    latencyMs: node.latencyMs,
    score: node.score,
    source: peerSourceToJSON(node.source),
    learnedFrom: node.learnedFrom === '' ? undefined : node.learnedFrom,
    bannedUntilMs: node.status === PeerStatus.PEER_STATUS_BANNED ? node.bannedUntilMs : undefined,
    banReason: node.banReason === '' ? undefined : node.banReason,
    banCode: node.banCode === '' ? undefined : node.banCode,
    banCount: node.banCount === 0 ? undefined : node.banCount,
    lastBanMs: node.lastBanMs === 0 ? undefined : node.lastBanMs,
    capabilities: node.capabilities === undefined
      ? undefined
      : { ...node.capabilities, roles: node.capabilities.roles.map(r => peerRoleToJSON(r)) }
  }
}
