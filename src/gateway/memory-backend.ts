/**
 * A self-contained backend that keeps transactions in memory and has no peers: for unit tests,
 * benchmarks of the gateway's own overhead, and app developers who want a local API to code
 * against. Bounded: `maxStored` transactions (oldest evicted). Direct messages to its own peer id
 * loop back (acknowledged once a ReceiveMessages/Session/SSE stream took them, else
 * FAILED_PRECONDITION no_listener); to anyone else they are UNAVAILABLE.
 */
import { randomBytes } from 'node:crypto'
import type { PeerNode } from '../../protocols/models/index.ts'
import type {
  CallOptions, ConnectivityReportView, ConnectivityUpdateView, GatewayBackend, NetworkHealthView, NodeInfoView, PeerListing,
  ReceivedMessage, SentMessage, StoredTransaction, SubmitResult, SubscriptionItem, SubscriptionRequest, TransactionListing, TransactionMeta,
  TransactionPage, TransactionSubmission
} from './backend.ts'
import type { EventPage, NodeEvent } from '../events/types.ts'
import { AdminOperations } from '../admin/operations.ts'
import { DIRECT_MAX_MESSAGE_BYTES, DIRECT_TIMEOUT_MS } from '../direct/constants.ts'
import { firstDelivered } from '../direct/delivery.ts'
import { MemoryConnectivity, reportOf, resumePart, suspendPart, watchPart } from './connectivity.ts'
import { JOURNAL_MAX_ENTRIES, SUBSCRIBER_QUEUE_MAX_ITEMS } from './constants.ts'
import { InvalidArgumentError, NotFoundError, UnavailableError } from './errors.ts'
import { Inbox, noListener } from './inbox.ts'
import { TransactionJournal } from './journal.ts'
import { MemoryJournal } from './journal-source.ts'
import { txIdOf } from './validate.ts'
import { servesRegister } from './register-peers.ts'

/** Options of the in-memory backend. */
export interface MemoryBackendInit {
  /** The peer id apps see (the caller chooses; nothing is made up). */
  peerId: string
  /** @default 16 MiB */
  maxTransactionBytes?: number
  /** @default 10_000 */
  maxStored?: number
  /** Peers to report. @default [] */
  peers?: PeerNode[]
  /** Largest direct-message payload (loopback). @default DIRECT_MAX_MESSAGE_BYTES (1 MiB) */
  maxDirectMessageBytes?: number
  /** Journal records kept for cursors (oldest dropped). @default JOURNAL_MAX_ENTRIES */
  journalMaxEntries?: number
}

interface Stored {
  meta: TransactionMeta
  payload: Uint8Array
}

/** Splits a payload into chunks of at most `size` bytes. */
export async function * chunksOf (payload: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let offset = 0; offset < payload.byteLength; offset += size) yield payload.subarray(offset, offset + size)
}

/** The in-memory backend. */
export class MemoryBackend implements GatewayBackend {
  readonly maxTransactionBytes: number
  readonly maxDirectMessageBytes: number
  readonly journal: TransactionJournal
  private readonly records: MemoryJournal
  private readonly peerId: string
  private readonly maxStored: number
  private readonly stored = new Map<string, Stored>()
  private readonly peers: PeerNode[]
  private readonly inboxes = new Set<{ topics: Set<string> | undefined, inbox: Inbox<ReceivedMessage> }>()
  private readonly startedAtMs = Date.now()
  /** No peers: offline, unless suspended. */
  private readonly connectivityPart = new MemoryConnectivity()
  // Admin (issue 17)
  /** No libp2p node: the node operations answer UNAVAILABLE (libp2p_unavailable); log levels work. */
  readonly admin = new AdminOperations(undefined)

  constructor (init: MemoryBackendInit) {
    this.peerId = init.peerId
    this.maxTransactionBytes = init.maxTransactionBytes ?? 16 * 1024 * 1024
    this.maxStored = init.maxStored ?? 10_000
    this.maxDirectMessageBytes = init.maxDirectMessageBytes ?? DIRECT_MAX_MESSAGE_BYTES
    this.peers = init.peers ?? []
    this.records = new MemoryJournal(init.journalMaxEntries ?? JOURNAL_MAX_ENTRIES)
    this.journal = new TransactionJournal({ source: this.records, loadPayload: async txId => this.stored.get(txId)?.payload })
  }

  async nodeInfo (): Promise<NodeInfoView> {
    return {
      peerId: this.peerId, addresses: [], protocols: [], version: '', startedAtMs: this.startedAtMs,
      connections: 0, knownPeers: this.peers.length, registers: [], maxTransactionBytes: this.maxTransactionBytes,
      maxDirectMessageBytes: this.maxDirectMessageBytes, connectivity: this.connectivityPart.status()
    }
  }

  async connectivity (): Promise<ConnectivityReportView> {
    return reportOf(this.connectivityPart)
  }

  async suspend (note: string): Promise<ConnectivityReportView> {
    return suspendPart(this.connectivityPart, note)
  }

  async resume (): Promise<ConnectivityReportView> {
    return resumePart(this.connectivityPart)
  }

  watchConnectivity (options: { signal: AbortSignal }): AsyncIterable<ConnectivityUpdateView> {
    return watchPart(this.connectivityPart, options)
  }

  // Events (issue 17): the in-memory backend keeps no event log.
  async listEvents (): Promise<EventPage> {
    throw new UnavailableError('event_log_unavailable', 'this node runs without the event log service')
  }

  followEvents (): AsyncIterable<NodeEvent> {
    throw new UnavailableError('event_log_unavailable', 'this node runs without the event log service')
  }

  async networkHealth (): Promise<NetworkHealthView> {
    return { score: 0, knownPeers: this.peers.length, healthyPeers: 0, degradedPeers: 0, unreachablePeers: 0, bannedPeers: 0, connectedPeers: 0, measuredAtMs: Date.now() }
  }

  async listPeers (listing: PeerListing): Promise<{ peers: PeerNode[], totalKnown: number }> {
    const key = listing.orderBy === 'score' ? 'score' : 'lastSeenMs'
    const sign = listing.direction === 'asc' ? 1 : -1
    const peers = this.peers
      .filter(p => listing.status === undefined || listing.status.includes(p.status))
      .sort((a, b) => sign * (a[key] - b[key]))
      .slice(0, listing.limit)
    return { peers, totalKnown: this.peers.length }
  }

  async getPeer (peerId: string): Promise<PeerNode> {
    const peer = this.peers.find(p => p.peerId === peerId)
    if (peer === undefined) throw new NotFoundError('peer_not_found', `peer ${peerId} is not known`)
    return peer
  }

  async findPeersForRegister (registerId: string, limit: number): Promise<PeerNode[]> {
    return this.peers.filter(p => servesRegister(p, registerId))
      .sort((a, b) => b.score - a.score).slice(0, limit)
  }

  async ping (peerId: string): Promise<number> {
    if (peerId === this.peerId) return 0
    throw new UnavailableError('peer_unreachable', `peer ${peerId} cannot be reached`)
  }

  async sendMessage (peerId: string, topic: string, payload: Uint8Array): Promise<SentMessage> {
    if (payload.byteLength > this.maxDirectMessageBytes) throw new InvalidArgumentError('payload_too_large', `payload exceeds ${this.maxDirectMessageBytes} bytes`)
    if (peerId !== this.peerId) throw new UnavailableError('peer_unreachable', `peer ${peerId} cannot be reached`)
    const started = performance.now()
    const now = Date.now()
    const message: ReceivedMessage = { messageId: randomBytes(16).toString('hex'), fromPeerId: this.peerId, topic, payload, sentAtMs: now, receivedAtMs: now }
    const offers = [...this.inboxes].filter(i => i.topics === undefined || i.topics.has(topic)).map(async i => i.inbox.offer(message))
    // As between nodes: acknowledged only once an app stream took it.
    if (!await firstDelivered(offers, DIRECT_TIMEOUT_MS / 2)) throw noListener(peerId, topic)
    return { messageId: message.messageId, rttMs: performance.now() - started }
  }

  async * receiveMessages (topics: string[], options: { signal: AbortSignal }): AsyncGenerator<ReceivedMessage> {
    const inbox = { topics: topics.length === 0 ? undefined : new Set(topics), inbox: new Inbox<ReceivedMessage>(SUBSCRIBER_QUEUE_MAX_ITEMS) }
    this.inboxes.add(inbox)
    const onAbort = (): void => { inbox.inbox.close() }
    if (options.signal.aborted) inbox.inbox.close()
    else options.signal.addEventListener('abort', onAbort, { once: true })
    try {
      yield * inbox.inbox
    } finally {
      options.signal.removeEventListener('abort', onAbort)
      this.inboxes.delete(inbox)
    }
  }

  async submit (submission: TransactionSubmission, _options?: CallOptions): Promise<SubmitResult> {
    const txId = txIdOf(submission.payload)
    if (this.stored.has(txId)) return { txId, duplicate: true }
    this.accept({
      txId, registerId: submission.registerId, sender: this.peerId, timestampMs: Date.now(),
      sizeBytes: submission.payload.byteLength, contentType: submission.contentType, hopCount: 0
    }, submission.payload)
    return { txId, duplicate: false }
  }

  /** Stores a transaction and journals it (also used to inject "received" transactions in tests). */
  accept (meta: TransactionMeta, payload: Uint8Array): void {
    if (this.stored.size >= this.maxStored) {
      const oldest = this.stored.keys().next()
      if (oldest.done !== true) this.stored.delete(oldest.value)
    }
    this.stored.set(meta.txId, { meta, payload })
    this.records.append(meta)
  }

  async getTransaction (txId: string): Promise<StoredTransaction> {
    const found = this.stored.get(txId)
    if (found === undefined) throw new NotFoundError('tx_not_found', `transaction ${txId} is not stored here`)
    return { meta: found.meta, read: size => chunksOf(found.payload, size) }
  }

  subscribe (request: SubscriptionRequest, options: { signal: AbortSignal }): AsyncIterable<SubscriptionItem> {
    return this.journal.subscribe(request, options)
  }

  async listTransactions (listing: TransactionListing, options?: CallOptions): Promise<TransactionPage> {
    return this.journal.list(listing, options)
  }
}
