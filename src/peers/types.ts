/**
 * The contract of the persisted peer list, shared by discovery, health monitoring, the connection
 * gater, the CLI and the gateway. The implementation lives beside this file.
 */
import type { TypedEventTarget } from 'main-event'
import type { PeerCapabilities, PeerNode, PeerSource, PeerStatus } from '../../protocols/models/index.ts'

/** Something this node observed about a peer. */
export interface PeerObservation {
  peerId: string
  /** Multiaddrs without the /p2p/ suffix; merged into the known set (bounded, newest kept). */
  addresses: string[]
  source: PeerSource
  /**
   * True when the peer itself is talking to us (a connection, identify); false for hearsay (a DHT
   * answer, another peer's list). Hearsay never changes status, last-seen, failure count or a ban:
   * a third party re-advertising a peer must not make it look healthy.
   */
  firsthand: boolean
  /** Peer id that told us, for hearsay. */
  learnedFrom?: string
  capabilities?: PeerCapabilities
  now: number
}

/** Which peers to list, and in which order. Ordered listings use an index, never a full scan. */
export interface PeerQuery {
  status?: PeerStatus[]
  orderBy?: 'lastSeen' | 'score'
  /** @default 'desc' */
  direction?: 'asc' | 'desc'
  limit?: number
}

/** Events of the peer list. */
export interface PeerListEvents {
  'peer:added': CustomEvent<PeerNode>
  'peer:updated': CustomEvent<PeerNode>
  'peer:removed': CustomEvent<{ peerId: string, reason: string }>
  'peer:banned': CustomEvent<PeerNode>
  'peer:unbanned': CustomEvent<PeerNode>
}

/** The persisted list of known peers. Every method is safe under concurrent calls. */
export interface PeerList extends TypedEventTarget<PeerListEvents> {
  get: (peerId: string) => Promise<PeerNode | undefined>
  /** Adds or merges; returns the stored entry, or undefined if refused (self, invalid). */
  observe: (observation: PeerObservation) => Promise<PeerNode | undefined>
  /** A health check or dial succeeded (latency feeds the moving average when given). */
  recordSuccess: (peerId: string, result: { now: number, latencyMs?: number }) => Promise<PeerNode | undefined>
  /** A health check or dial failed. */
  recordFailure: (peerId: string, result: { now: number, reason: string }) => Promise<PeerNode | undefined>
  ban: (peerId: string, ban: { now: number, reason: string, durationMs?: number }) => Promise<PeerNode | undefined>
  unban: (peerId: string, options: { now: number }) => Promise<PeerNode | undefined>
  remove: (peerId: string, reason: string) => Promise<boolean>
  list: (query?: PeerQuery) => Promise<PeerNode[]>
  /** Number of known peers. */
  size: () => number
  /** Synchronous, for the connection gater. */
  isBanned: (peerId: string, now: number) => boolean
}
