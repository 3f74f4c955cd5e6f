/**
 * The contract of the persisted peer list, shared by discovery, health monitoring, the connection
 * gater, the CLI and the gateway. The implementation lives beside this file.
 */
import type { TypedEventTarget } from 'main-event'
import type { PeerCapabilities, PeerNode, PeerSource, PeerStatus } from '../../protocols/models/index.ts'
import type { BanInput } from '../../protocols/peer-health/index.ts'

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
  /** The capabilities are the peer's whole advertised record: empty registers or roles replace known ones (protocols/peer-health observe.ts). */
  fullRecord?: boolean
  now: number
}

/** Which peers to list, and in which order. Ordered listings use an index, never a full scan. */
export interface PeerQuery {
  status?: PeerStatus[]
  /**
   * 'lastSeen' orders by when the peer was last seen firsthand, or first heard of if never seen;
   * 'score' by score, ties by last seen. Without orderBy but with status: 'lastSeen'. Neither: peer-id order.
   */
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

/** Options every async method accepts. */
export interface PeerListCallOptions {
  signal?: AbortSignal
}

/** A peer removed by prune(), and why. */
export interface PrunedPeer {
  peerId: string
  reason: 'failures' | 'unseen'
}

/** Known peers by status (lower-case status names). */
export type StatusCounts = Record<'unknown' | 'connecting' | 'healthy' | 'degraded' | 'unreachable' | 'banned', number>

/**
 * The persisted list of known peers. Every method is safe under concurrent calls (writes go through
 * one bounded queue). Rules: protocols/peer-health/SPEC.md.
 */
export interface PeerList extends TypedEventTarget<PeerListEvents> {
  get: (peerId: string, options?: PeerListCallOptions) => Promise<PeerNode | undefined>
  /** Adds or merges; returns the stored entry, or undefined if refused (self, invalid, list full of better peers). */
  observe: (observation: PeerObservation, options?: PeerListCallOptions) => Promise<PeerNode | undefined>
  /** Many observations as one queued job (a peer-exchange answer, a DHT reply); resolves with how many peers were new. */
  observeMany: (observations: PeerObservation[], options?: PeerListCallOptions) => Promise<number>
  /** A health check or dial succeeded (latency feeds the moving average when given). Unknown peer: undefined. */
  recordSuccess: (peerId: string, result: { now: number, latencyMs?: number }, options?: PeerListCallOptions) => Promise<PeerNode | undefined>
  /** A health check or dial failed. Unknown peer: undefined. */
  recordFailure: (peerId: string, result: { now: number, reason: string }, options?: PeerListCallOptions) => Promise<PeerNode | undefined>
  /** A first dial is starting (UNKNOWN -> CONNECTING; other statuses are kept until the outcome). */
  recordDialing: (peerId: string, result: { now: number }, options?: PeerListCallOptions) => Promise<PeerNode | undefined>
  /**
   * Bans a peer (creating its entry if unknown); survives re-advertising and restarts. `code` is the
   * reason code (an offence or `admin`); `count` (reputation bans) the repeat count, kept after the ban ends.
   */
  ban: (peerId: string, ban: BanInput, options?: PeerListCallOptions) => Promise<PeerNode | undefined>
  /** Lifts a ban; `forget` (an operator's unban) also clears the repeat count. */
  unban: (peerId: string, options: { now: number, forget?: boolean, signal?: AbortSignal }) => Promise<PeerNode | undefined>
  remove: (peerId: string, reason: string, options?: PeerListCallOptions) => Promise<boolean>
  /**
   * Removes what the health rules say must go (too many failures, unseen too long; never an active
   * ban): the given peers, plus the stalest entries. Time before `watchingSinceMs` (when the caller
   * started watching) does not count as unseen.
   */
  prune: (options: { now: number, peerIds?: string[], watchingSinceMs?: number, signal?: AbortSignal }) => Promise<PrunedPeer[]>
  list: (query?: PeerQuery, options?: PeerListCallOptions) => Promise<PeerNode[]>
  /**
   * The current records with one of these statuses (all if omitted), from memory, in no particular
   * order: for hot paths that filter or sample (dial candidates, peer-exchange answers). Ordered
   * listings use list().
   */
  snapshot: (statuses?: readonly PeerStatus[]) => PeerNode[]
  /** Number of known peers. */
  size: () => number
  /** Known peers by status. */
  countByStatus: () => StatusCounts
  /** Synchronous, for the connection gater. */
  isBanned: (peerId: string, now: number) => boolean
}
