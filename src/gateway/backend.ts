/**
 * The backend port: the narrow view of a Sorcha node that the gateway serves to apps. Both servers
 * (gRPC and REST) are built against this interface only, so they can be tested and benchmarked over
 * an in-memory backend and run over a real node (node-backend.ts) without change.
 *
 * Every method takes `{ signal }`; the servers derive it from the call's deadline or the client
 * going away, and an implementation stops work when it fires. Failures are the named errors of
 * errors.ts (NotFoundError, UnavailableError...), never bare Errors.
 */
import type { ConnectivityState } from '../../protocols/connectivity/index.ts'
import type { PeerNode, PeerStatus } from '../../protocols/models/index.ts'
import type { EventFilter, EventPage, EventQuery, NodeEvent } from '../events/types.ts'
import type { AdminOperations } from '../admin/operations.ts'
import type { QueueStats } from '../queue/types.ts'

/** Options every backend call accepts. */
export interface CallOptions {
  signal?: AbortSignal
}

/** This node, as apps see it. */
export interface NodeInfoView {
  peerId: string
  /** Multiaddrs with /p2p/. */
  addresses: string[]
  protocols: string[]
  version: string
  startedAtMs: number
  connections: number
  knownPeers: number
  /** Registers this node follows; empty = all. */
  registers: string[]
  maxTransactionBytes: number
  /** Largest direct-message payload sent or accepted; 0 when the node has no direct messaging. */
  maxDirectMessageBytes: number
  /** Where the node stands with the network; absent when it runs no connectivity service. */
  connectivity?: ConnectivityStatusView
  /** The outbound queue; absent when the node has no gossip layer. */
  queue?: QueueStatsView
}

/** Where a transaction stands on this node (docs/architecture.md, "Durability"). */
export type TransactionStateName = 'queued' | 'announced' | 'confirmed' | 'received'

/** The outbound queue's figures (NodeInfo.queue): the queue's own, without its group-commit counters. */
export type QueueStatsView = Omit<QueueStats, 'commits'>

/** The connectivity state (protocols/connectivity/SPEC.md), why and since when. */
export interface ConnectivityStatusView {
  state: ConnectivityState
  /** A bounded code: node_started, peer_connected... */
  reason: string
  sinceMs: number
  /** The operator's words while suspended; '' otherwise. */
  note: string
  connectedPeers: number
  minConnections: number
}

/** One connectivity transition. */
export interface ConnectivityChangeView {
  from: ConnectivityState
  to: ConnectivityState
  reason: string
  atMs: number
  note: string
}

/** The connectivity status and the last transitions, oldest first. */
export interface ConnectivityReportView {
  status: ConnectivityStatusView
  recent: ConnectivityChangeView[]
}

/** An item of a connectivity watch: the status first, then one change per transition. */
export type ConnectivityUpdateView =
  | { kind: 'status', status: ConnectivityStatusView }
  | { kind: 'change', change: ConnectivityChangeView }

/** The network health score and its inputs. */
export interface NetworkHealthView {
  /** 0..100 */
  score: number
  knownPeers: number
  healthyPeers: number
  degradedPeers: number
  unreachablePeers: number
  bannedPeers: number
  connectedPeers: number
  measuredAtMs: number
}

/** Which peers to list. */
export interface PeerListing {
  status?: PeerStatus[]
  orderBy?: 'lastSeen' | 'score'
  direction?: 'asc' | 'desc'
  limit: number
}

/** A direct message received from a peer. */
export interface ReceivedMessage {
  messageId: string
  fromPeerId: string
  topic: string
  payload: Uint8Array
  sentAtMs: number
  receivedAtMs: number
}

/** The outcome of sending a direct message. */
export interface SentMessage {
  messageId: string
  rttMs: number
}

/** A transaction handed to the node by an app. */
export interface TransactionSubmission {
  registerId: string
  payload: Uint8Array
  contentType: string
}

/** What submit returns. */
export interface SubmitResult {
  /** Lowercase hex SHA-256 of the payload. */
  txId: string
  /** The node already had it. */
  duplicate: boolean
  /** Where it stands; absent when the backend keeps no state (the memory backend). */
  state?: TransactionStateName
}

/** What the node knows of a transaction, without its bytes. */
export interface TransactionMeta {
  txId: string
  registerId: string
  /** Peer id of the node that first published it. */
  sender: string
  timestampMs: number
  sizeBytes: number
  contentType: string
  /** Gossip relays before it reached this node; 0 when submitted here. */
  hopCount: number
}

/** A stored transaction: its metadata and a way to read its bytes. */
export interface StoredTransaction {
  meta: TransactionMeta
  /** Where it stands; absent when the backend keeps no state. */
  state?: TransactionStateName
  /** The payload as chunks of at most `chunkBytes` (large ones are read chunk by chunk). */
  read: (chunkBytes: number, options?: CallOptions) => AsyncIterable<Uint8Array>
}

/** One accepted transaction, in acceptance order, with its resume cursor. */
export interface TransactionEventView {
  cursor: string
  meta: TransactionMeta
  /** Present when the subscriber asked for payloads and this one is at most the inline limit. */
  payload?: Uint8Array
}

/**
 * A subscription item: a transaction. (Issue 16 replaced the `gap` item with CursorExpiredError: a
 * resume that would miss transactions fails instead of going on.)
 */
export interface SubscriptionItem { kind: 'transaction', event: TransactionEventView }

/** What to list (ListTransactions). */
export interface TransactionListing {
  /** Empty or absent = every register. */
  registerIds?: string[]
  /** List after this cursor; absent = from the oldest the node holds. */
  since?: string
  limit: number
}

/** A page of stored transactions, oldest first. */
export interface TransactionPage {
  /** Cursor and metadata of each (no payloads). */
  events: TransactionEventView[]
  /** Where the next page starts (pass it as `since`), also when this one is empty. */
  nextCursor: string
  /** More were stored after nextCursor already: ask again now. */
  more: boolean
}

/** What to follow. */
export interface SubscriptionRequest {
  /** Empty or absent = every register. */
  registerIds?: string[]
  /** Resume after this cursor; absent = from now on. */
  cursor?: string
  includePayload?: boolean
}

/** The gateway's view of a node. */
export interface GatewayBackend {
  nodeInfo: (options?: CallOptions) => Promise<NodeInfoView>
  networkHealth: (options?: CallOptions) => Promise<NetworkHealthView>
  listPeers: (listing: PeerListing, options?: CallOptions) => Promise<{ peers: PeerNode[], totalKnown: number }>
  /**
   * Known peers from memory, in no order, at most `limit` (the dashboard's table, every second);
   * undefined when the backend has no such view (then listPeers, which reads the database).
   */
  knownPeers?: (limit: number) => { peers: PeerNode[], totalKnown: number } | undefined
  /** NotFoundError when unknown. */
  getPeer: (peerId: string, options?: CallOptions) => Promise<PeerNode>
  /** Peers serving the register (or every register), best first; with includeDht also its DHT providers. */
  findPeersForRegister: (registerId: string, limit: number, options?: CallOptions & { includeDht?: boolean }) => Promise<PeerNode[]>
  /** Round-trip time in ms; UnavailableError when the peer cannot be reached. */
  ping: (peerId: string, options?: CallOptions) => Promise<number>
  sendMessage: (peerId: string, topic: string, payload: Uint8Array, options?: CallOptions) => Promise<SentMessage>
  /** Direct messages from now on, until the signal fires. Bounded per subscriber; slow ones lose the oldest. */
  receiveMessages: (topics: string[], options: { signal: AbortSignal }) => AsyncIterable<ReceivedMessage>
  submit: (submission: TransactionSubmission, options?: CallOptions) => Promise<SubmitResult>
  /** NotFoundError when unknown. */
  getTransaction: (txId: string, options?: CallOptions) => Promise<StoredTransaction>
  /**
   * Stored transactions in order, replaying after `cursor`, until the signal fires. Throws at once
   * (CursorExpiredError, UnknownCursorError, InvalidArgumentError) for a cursor it cannot resume.
   */
  subscribe: (request: SubscriptionRequest, options: { signal: AbortSignal }) => AsyncIterable<SubscriptionItem>
  /** The connectivity state and the last transitions; UnavailableError without a connectivity service. */
  connectivity: (options?: CallOptions) => Promise<ConnectivityReportView>
  /** Offline mode (the note is already checked); resolves once the peer connections are closed. */
  suspend: (note: string, options?: CallOptions) => Promise<ConnectivityReportView>
  /** Leaves offline mode. */
  resume: (options?: CallOptions) => Promise<ConnectivityReportView>
  /** The status, then every transition, until the signal fires. */
  watchConnectivity: (options: { signal: AbortSignal }) => AsyncIterable<ConnectivityUpdateView>
  /** A page of stored transactions after `since`; the same cursor errors as subscribe. */
  listTransactions: (listing: TransactionListing, options?: CallOptions) => Promise<TransactionPage>
  // Events (issue 17)
  /** A page of the event log (the query is already checked); UnavailableError without an event log. */
  listEvents: (query: EventQuery, options?: CallOptions) => Promise<EventPage>
  /** Matching events after `cursor` (none: from now on), then live ones, until the signal fires. */
  followEvents: (filter: EventFilter, options: { cursor?: number, signal: AbortSignal }) => AsyncIterable<NodeEvent>
  /** Largest payload submit accepts. */
  readonly maxTransactionBytes: number

  // Admin (issue 17)
  /** The admin operations over this backend's node (src/admin); served behind the admin access rule. */
  readonly admin: AdminOperations
}
