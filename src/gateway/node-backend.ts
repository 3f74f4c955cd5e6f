/**
 * The backend over a real node: identity and addresses from libp2p, peers from the peer-list service
 * (src/peers) when the node has it, network health from the health monitor (src/health), ping from
 * libp2p's ping service, direct messages from src/direct, and transactions from the gossip layer
 * through the TransactionService interface. A part the node lacks answers UNAVAILABLE with a reason
 * naming it, never a made-up value.
 */
import { peerIdFromString } from '@libp2p/peer-id'
import type { PeerNode } from '../../protocols/models/index.ts'
import type { PeerStatus } from '../../protocols/models/index.ts'
import type { DefaultDirectMessaging, DirectMessageReceived } from '../direct/index.ts'
import { DirectDeliveryError, DirectMessageRejectedError, DirectMessageTooLargeError, InvalidTopicError, NO_LISTENER } from '../direct/index.ts'
import type {
  CallOptions, ConnectivityReportView, ConnectivityUpdateView, GatewayBackend, NetworkHealthView, NodeInfoView, PeerListing,
  ReceivedMessage, SentMessage, StoredTransaction, SubmitResult, SubscriptionItem, SubscriptionRequest, TransactionListing, TransactionPage,
  TransactionSubmission
} from './backend.ts'
import type { EventFilter, EventLogService, EventPage, EventQuery, NodeEvent } from '../events/index.ts'
import { logger } from '../logging/index.ts'
import { AdminOperations } from '../admin/operations.ts'
import type { AdminNode } from '../admin/parts.ts'
import { reportOf, resumePart, suspendPart, watchPart, type ConnectivityPart } from './connectivity.ts'
import { FALLBACK_MAX_TRANSACTION_BYTES, PING_TIMEOUT_MS, SUBSCRIBER_QUEUE_MAX_ITEMS } from './constants.ts'
import { DeadlineExceededError, InvalidArgumentError, NotFoundError, UnavailableError } from './errors.ts'
import { Inbox, noListener } from './inbox.ts'
import { TransactionJournal } from './journal.ts'
import { chunksOf } from './memory-backend.ts'
import type { TransactionService } from './transactions.ts'
import { findRegisterPeers, type RegisterProviderLookup } from './register-peers.ts'

/** The peer list as the gateway uses it (src/peers PeerList satisfies it). */
export interface PeerListView {
  get: (peerId: string, options?: CallOptions) => Promise<PeerNode | undefined>
  list: (query?: { status?: PeerStatus[], orderBy?: 'lastSeen' | 'score', direction?: 'asc' | 'desc', limit?: number }, options?: CallOptions) => Promise<PeerNode[]>
  size: () => number
  /** The current records, from memory, in no order (src/peers PeerList has it). */
  snapshot?: () => PeerNode[]
}

/** The health monitor as the gateway uses it (src/health HealthMonitor satisfies it). */
export interface HealthView {
  snapshot: () => { score: number, connections: number, counts: Record<'unknown' | 'connecting' | 'healthy' | 'degraded' | 'unreachable' | 'banned', number> }
}

/** What the node backend reads from a node. */
export interface NodeParts {
  peerId: string
  startedAtMs: number
  version: string
  /** Registers the node follows; empty = all. */
  registers: () => string[]
  multiaddrs: () => string[]
  protocols: () => string[]
  /** Distinct peers with an open connection. */
  connectedPeers: () => string[]
  ping?: (peerId: string, options?: CallOptions) => Promise<number>
  direct?: Pick<DefaultDirectMessaging, 'send' | 'addReceiver' | 'maxMessageBytes'>
  peerList?: PeerListView
  health?: HealthView
  transactions?: TransactionService
  /** The connectivity service (src/queue/connectivity-service.ts). */
  connectivity?: ConnectivityPart
  /** The event log (src/events). */
  eventLog?: Pick<EventLogService, 'query' | 'follow'>
  /** What the admin operations drive (src/admin); absent: only log levels work. */
  admin?: AdminNode
  /** The topology service's DHT lookup of a register's providers (src/discovery). */
  topology?: RegisterProviderLookup
}

const unavailable = (part: string): UnavailableError => new UnavailableError(`${part}_unavailable`, `this node runs without the ${part} service`)

/** The backend over a node's parts. */
export class NodeBackend implements GatewayBackend {
  /** The node's journal as apps see it; undefined without a gossip layer. */
  readonly journal: TransactionJournal | undefined
  private readonly parts: NodeParts

  constructor (parts: NodeParts) {
    this.parts = parts
    const tx = parts.transactions
    this.journal = tx === undefined
      ? undefined
      : new TransactionJournal({
        source: tx.journal,
        follows: registerId => tx.follows(registerId),
        loadPayload: async (txId, options) => (await tx.get(txId, options))?.payload
      })
  }

  get maxTransactionBytes (): number {
    // Without a gossip layer nothing is accepted anyway (UNAVAILABLE); the fallback only sizes limits.
    return this.parts.transactions?.maxTransactionBytes ?? FALLBACK_MAX_TRANSACTION_BYTES
  }

  // Admin (issue 17)
  private adminOps: AdminOperations | undefined
  /** The admin operations over the node's parts. */
  get admin (): AdminOperations {
    this.adminOps ??= new AdminOperations(this.parts.admin)
    return this.adminOps
  }

  /** Nothing to release: subscriptions end with their signals. (Kept for the servers' lifecycle.) */
  close (): void {}

  async nodeInfo (): Promise<NodeInfoView> {
    const p = this.parts
    return {
      peerId: p.peerId, addresses: p.multiaddrs(), protocols: p.protocols(), version: p.version, startedAtMs: p.startedAtMs,
      connections: p.connectedPeers().length, knownPeers: p.peerList?.size() ?? 0, registers: p.registers(), maxTransactionBytes: this.maxTransactionBytes,
      maxDirectMessageBytes: p.direct?.maxMessageBytes ?? 0,
      ...(p.connectivity === undefined ? {} : { connectivity: p.connectivity.status() }),
      ...(p.transactions?.queueStats === undefined ? {} : { queue: p.transactions.queueStats() })
    }
  }

  /** A call that needs a peer fails plainly while the operator has the node offline, not as "peer unreachable". */
  private refuseWhileSuspended (): void {
    if (this.parts.connectivity?.status().state === 'suspended') {
      throw new UnavailableError('node_suspended', 'this node is offline (suspended by its operator): sorcha-peer online resumes it')
    }
  }

  private get connectivityPart (): ConnectivityPart {
    if (this.parts.connectivity === undefined) throw unavailable('connectivity')
    return this.parts.connectivity
  }

  async connectivity (): Promise<ConnectivityReportView> {
    return reportOf(this.connectivityPart)
  }

  async suspend (note: string, options?: CallOptions): Promise<ConnectivityReportView> {
    return suspendPart(this.connectivityPart, note, options)
  }

  async resume (options?: CallOptions): Promise<ConnectivityReportView> {
    return resumePart(this.connectivityPart, options)
  }

  watchConnectivity (options: { signal: AbortSignal }): AsyncIterable<ConnectivityUpdateView> {
    return watchPart(this.connectivityPart, options)
  }

  // Events (issue 17)
  private get eventLogPart (): NonNullable<NodeParts['eventLog']> {
    if (this.parts.eventLog === undefined) throw new UnavailableError('event_log_unavailable', 'this node runs without the event log service')
    return this.parts.eventLog
  }

  async listEvents (query: EventQuery, options?: CallOptions): Promise<EventPage> {
    return this.eventLogPart.query(query, options)
  }

  followEvents (filter: EventFilter, options: { cursor?: number, signal: AbortSignal }): AsyncIterable<NodeEvent> {
    return this.eventLogPart.follow(filter, options)
  }

  async networkHealth (): Promise<NetworkHealthView> {
    const health = this.parts.health
    if (health === undefined) throw unavailable('health')
    const s = health.snapshot()
    return {
      score: s.score, knownPeers: this.parts.peerList?.size() ?? Object.values(s.counts).reduce((a, b) => a + b, 0),
      healthyPeers: s.counts.healthy, degradedPeers: s.counts.degraded, unreachablePeers: s.counts.unreachable,
      bannedPeers: s.counts.banned, connectedPeers: s.connections, measuredAtMs: Date.now()
    }
  }

  private get peerList (): PeerListView {
    if (this.parts.peerList === undefined) throw unavailable('peer_list')
    return this.parts.peerList
  }

  async listPeers (listing: PeerListing, options?: CallOptions): Promise<{ peers: PeerNode[], totalKnown: number }> {
    const list = this.peerList
    const peers = await list.list({ ...(listing.status === undefined ? {} : { status: listing.status }), orderBy: listing.orderBy ?? 'lastSeen', direction: listing.direction ?? 'desc', limit: listing.limit }, options)
    return { peers, totalKnown: list.size() }
  }

  knownPeers (limit: number): { peers: PeerNode[], totalKnown: number } | undefined {
    const list = this.parts.peerList
    if (list?.snapshot === undefined) return undefined
    const peers = list.snapshot()
    return { peers: peers.length > limit ? peers.slice(0, limit) : peers, totalKnown: list.size() }
  }

  async getPeer (peerId: string, options?: CallOptions): Promise<PeerNode> {
    const peer = await this.peerList.get(peerId, options)
    if (peer === undefined) throw new NotFoundError('peer_not_found', `peer ${peerId} is not in the peer list`)
    return peer
  }

  async findPeersForRegister (registerId: string, limit: number, options: CallOptions & { includeDht?: boolean } = {}): Promise<PeerNode[]> {
    const list = this.peerList
    if (options.includeDht === true && this.parts.topology === undefined) throw unavailable('topology')
    return findRegisterPeers(list, registerId, limit, {
      ...(options.signal === undefined ? {} : { signal: options.signal }),
      ...(options.includeDht === true && this.parts.topology !== undefined ? { dht: this.parts.topology } : {})
    })
  }

  async ping (peerId: string, options?: CallOptions): Promise<number> {
    const ping = this.parts.ping
    if (ping === undefined) throw unavailable('ping')
    this.refuseWhileSuspended()
    // libp2p's ping has no deadline of its own: a peer with no known address can keep the dial (and a
    // REST call, which has no deadline either) waiting for ever.
    const timeout = AbortSignal.timeout(PING_TIMEOUT_MS)
    try {
      return await ping(peerId, { signal: options?.signal === undefined ? timeout : AbortSignal.any([options.signal, timeout]) })
    } catch (err) {
      if (timeout.aborted && options?.signal?.aborted !== true) throw new DeadlineExceededError('ping_timeout', `peer ${peerId} did not answer within ${PING_TIMEOUT_MS} ms`)
      throw deliveryError(err, options, 'ping', peerId)
    }
  }

  async sendMessage (peerId: string, topic: string, payload: Uint8Array, options?: CallOptions): Promise<SentMessage> {
    const direct = this.parts.direct
    if (direct === undefined) throw unavailable('direct')
    this.refuseWhileSuspended()
    try {
      return await direct.send(peerIdFromString(peerId), topic, payload, options)
    } catch (err) {
      if (err instanceof InvalidTopicError) throw new InvalidArgumentError('invalid_topic', err.message)
      if (err instanceof DirectMessageTooLargeError) throw new InvalidArgumentError('payload_too_large', err.message)
      if (err instanceof DirectMessageRejectedError && err.reason === NO_LISTENER) throw noListener(peerId, topic)
      if (err instanceof DirectMessageRejectedError) throw new InvalidArgumentError(`peer_rejected_${err.reason}`.slice(0, 64), err.message)
      throw deliveryError(err, options, 'direct', peerId)
    }
  }

  async * receiveMessages (topics: string[], options: { signal: AbortSignal }): AsyncGenerator<ReceivedMessage> {
    const direct = this.parts.direct
    if (direct === undefined) throw unavailable('direct')
    // A message counts as received (and its sender's SendMessage succeeds) once this stream took it.
    const inbox = new Inbox<DirectMessageReceived>(SUBSCRIBER_QUEUE_MAX_ITEMS)
    const remove = direct.addReceiver({ ...(topics.length === 0 ? {} : { topics: new Set(topics) }), deliver: async message => inbox.offer(message) })
    const onAbort = (): void => { inbox.close() }
    if (options.signal.aborted) inbox.close()
    else options.signal.addEventListener('abort', onAbort, { once: true })
    try {
      yield * inbox
    } finally {
      remove()
      options.signal.removeEventListener('abort', onAbort)
    }
  }

  private get transactions (): TransactionService {
    if (this.parts.transactions === undefined) throw unavailable('gossip')
    return this.parts.transactions
  }

  async submit (submission: TransactionSubmission, options?: CallOptions): Promise<SubmitResult> {
    return this.transactions.publish(submission, options)
  }

  async getTransaction (txId: string, options?: CallOptions): Promise<StoredTransaction> {
    const body = await this.transactions.get(txId, options)
    if (body === undefined) throw new NotFoundError('tx_not_found', `transaction ${txId} is not stored on this node`)
    const { payload, read } = body
    const state = body.state === undefined ? {} : { state: body.state }
    if (read !== undefined) return { meta: body.meta, read, ...state }
    if (payload !== undefined) return { meta: body.meta, read: size => chunksOf(payload, size), ...state }
    throw new NotFoundError('tx_body_missing', `transaction ${txId} is known but its body is not stored here`)
  }

  subscribe (request: SubscriptionRequest, options: { signal: AbortSignal }): AsyncIterable<SubscriptionItem> {
    if (this.journal === undefined) throw unavailable('gossip')
    return this.journal.subscribe(request, options)
  }

  async listTransactions (listing: TransactionListing, options?: CallOptions): Promise<TransactionPage> {
    if (this.journal === undefined) throw unavailable('gossip')
    return this.journal.list(listing, options)
  }
}

/**
 * A failed exchange with a peer as UNAVAILABLE, or DEADLINE_EXCEEDED when it timed out. The client
 * gets a fixed message per case: the cause's text comes from libp2p and the stream layer (`Invalid
 * URL`, stream resets...), so it is logged here at debug level instead of sent.
 */
function deliveryError (err: unknown, options: CallOptions | undefined, what: 'ping' | 'direct', peerId: string): Error {
  const reason = options?.signal?.reason as unknown
  if (options?.signal?.aborted === true && reason instanceof Error && reason.name === 'DeadlineExceededError') return reason
  logger('sorcha:gateway').debug({ peerId, what, err }, 'peer exchange failed')
  if (err instanceof DirectDeliveryError && err.timedOut) return new DeadlineExceededError(`${what}_timeout`, `peer ${peerId} did not answer in time`)
  const name = (err as { name?: unknown } | null)?.name
  if (name === 'NoValidAddressesError') return new UnavailableError('peer_no_address', `no dialable address is known for peer ${peerId}`)
  if (name === 'UnsupportedProtocolError') return new UnavailableError('peer_unsupported', `peer ${peerId} does not speak the ${what === 'ping' ? 'ping' : 'direct-message'} protocol`)
  return new UnavailableError('peer_unreachable', `peer ${peerId} cannot be reached`)
}
