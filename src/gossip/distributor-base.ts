/**
 * What both strategies share: the transaction store, the durable outbound queue (src/queue) that
 * publish() writes through, the have-query that confirms queued transactions, get() with each
 * transaction's state, followed registers, lifecycle flags and event emission. A strategy
 * implements `queueTransport` (how the queue hands it transactions), `onStart`, `onStop` and its
 * counters.
 */
import type { GossipRecorder } from '../metrics/gossip.ts'
import type { AbortOptions } from '@libp2p/interface'
import { TypedEventEmitter } from 'main-event'
import type { Transaction } from '../../protos/gen/sorcha/p2p/v1/tx_gossip.ts'
import { fromHex, isRegisterId, toHex, validateTransactionNotification, type TransactionNotification } from '../../protocols/models/index.ts'
import type { Config } from '../config/index.ts'
import { eventSinkOf, type EventSink } from '../events/index.ts'
import type { Logger } from '../logging/index.ts'
import { logger } from '../logging/index.ts'
import type { Storage } from '../storage/index.ts'
import {
  OutboundQueue, QUEUE_DEFAULTS, QUEUE_SUBLEVEL, TxHave, connectivityOf, sendingCheck,
  type ConnectivityView, type QueueConfig, type QueueStats, type QueueTransport, type TxHaveComponents, type TxState
} from '../queue/index.ts'
import { DEFAULT_CONTENT_TYPE, STORE_PRUNE_INTERVAL_MS } from './constants.ts'
import type { DistributorStats, GossipStrategy, GossipVerdict, PublishInput, PublishResult, ReceivedTransaction, StoredTransactionView, TxDistributor, TxDistributorEvents } from './distributor.ts'
import { GossipNotStartedError, InvalidTransactionError, InvalidTxIdError, TxTooLargeError } from './errors.ts'
import type { TxJournal } from './store/sequence.ts'
import { TxStore, txIdOf, type StoredTx } from './store/tx-store.ts'

/** Options every distributor takes. */
export interface DistributorInit {
  /** The `gossip` configuration section. */
  config: Readonly<Config['gossip']>
  storage: Storage
  /** The node's peer id (base58btc). */
  peerId: string
  /** The `queue` configuration section. @default QUEUE_DEFAULTS */
  queue?: Readonly<QueueConfig>
  /** Records bytes, verdicts, fetch and first-receipt figures (src/metrics); none without. */
  metrics?: GossipRecorder
}

/** What acceptInBatch() tells once a store batch ended: the ids it stored, or those it failed to. */
export interface BatchOutcome {
  stored: (ids: readonly string[]) => void
  failed: (ids: readonly string[], err: unknown) => void
}

/** A received transaction handed to the store. */
interface Accepted { id: string, transaction: Transaction, from: string, hops: number }

/** The libp2p components the shared part uses: the have-query's, and the open connections. */
export type DistributorComponents = TxHaveComponents & {
  connectionManager: TxHaveComponents['connectionManager'] & { getConnections: () => unknown[] }
}

/** Shared part of both strategies. */
export abstract class DistributorBase extends TypedEventEmitter<TxDistributorEvents> implements TxDistributor {
  abstract readonly strategy: GossipStrategy
  protected readonly config: Readonly<Config['gossip']>
  protected readonly store: TxStore
  protected readonly self: string
  protected readonly log: Logger
  protected readonly metrics: GossipRecorder | undefined
  protected readonly followed: Set<string>
  /** The durable outbound queue every publish() goes through. */
  protected readonly queue: OutboundQueue
  protected started = false
  protected published = 0
  protected rejects = 0
  private pruneTimer: ReturnType<typeof setTimeout> | undefined
  private readonly baseComponents: DistributorComponents
  private readonly have: TxHave
  /** Received transactions waiting for their store batch, by the batch's promise (acceptInBatch). */
  private readonly groups = new Map<Promise<void>, Accepted[]>()
  /** publish() calls in flight, by tx id: a concurrent identical submit waits for the first. */
  private readonly publishing = new Map<string, Promise<PublishResult>>()
  private connectivity: ConnectivityView | undefined
  /** The node's event log, when it runs one (tx_published, tx_received, tx_recovered, tx_fetch_failed). */
  protected eventLog: EventSink | undefined
  private readonly onConnectivity = (): void => { this.queue.poke() }

  constructor (init: DistributorInit, components: DistributorComponents) {
    super()
    this.config = init.config
    this.self = init.peerId
    this.baseComponents = components
    this.log = logger('sorcha:gossip', { peer: init.peerId })
    this.metrics = init.metrics
    this.followed = new Set(init.config.registers)
    const queue = init.queue ?? QUEUE_DEFAULTS
    this.store = new TxStore(init.storage.sublevel('tx'), {
      maxBytes: init.config.store.maxBytes,
      maxTxBytes: init.config.maxTxBytes,
      retentionMs: init.config.store.retentionMs,
      cacheMaxBytes: init.config.store.cacheMaxBytes,
      cacheTtlMs: init.config.store.cacheTtlMs,
      journal: init.config.journal,
      retain: id => this.queue.holds(id)
    })
    this.queue = new OutboundQueue({
      db: init.storage.sublevel(QUEUE_SUBLEVEL),
      store: this.store,
      // The store keeps unconfirmed transactions whatever its bounds, so they must fit in it.
      config: { ...queue, maxBytes: Math.min(queue.maxBytes, init.config.store.maxBytes) },
      log: logger('sorcha:queue', { peer: init.peerId }),
      // Which peers hold a transaction published here, once enough of them do (queue.confirmations).
      onConfirmed: ({ id, holders, queuedAtMs }) => {
        this.eventLog?.emit('tx_confirmed', { txId: id, data: { holders: holders.join(' '), peers: holders.length, afterMs: Math.max(0, Date.now() - queuedAtMs) } })
      }
    })
    this.have = new TxHave(components, { holds: async ids => this.store.persistedMany(ids), log: this.log })
  }

  /** How the outbound queue hands this strategy transactions (first sends and resends). */
  protected abstract queueTransport (): QueueTransport
  protected abstract onStart (): Promise<void>
  protected abstract onStop (): Promise<void>
  protected abstract counters (): Omit<DistributorStats, 'strategy' | 'published' | 'rejects' | 'store'>

  async start (): Promise<void> {
    if (this.started) return
    // The queue first: the store must not prune what it still has to send.
    await this.queue.open()
    await this.store.open()
    await this.onStart()
    await this.have.start()
    // Looked up now, not when built: libp2p builds services in order and this one may come later.
    this.connectivity = connectivityOf(this.baseComponents)
    this.eventLog = eventSinkOf(this.baseComponents)
    this.connectivity?.addEventListener('connectivity:change', this.onConnectivity)
    const connections = (): number => this.baseComponents.connectionManager.getConnections().length
    this.queue.start({ transport: this.queueTransport(), have: this.have, sending: sendingCheck(this.connectivity, connections) })
    this.started = true
    this.schedulePrune()
  }

  async stop (): Promise<void> {
    if (!this.started) return
    this.started = false
    clearTimeout(this.pruneTimer)
    this.pruneTimer = undefined
    this.connectivity?.removeEventListener('connectivity:change', this.onConnectivity)
    this.connectivity = undefined
    await this.queue.stop()
    await this.have.stop()
    await this.onStop()
    await this.store.flush()
    await this.store.close()
  }

  private schedulePrune (): void {
    this.pruneTimer = setTimeout(() => {
      this.store.prune().catch(err => { this.log.warn({ err }, 'store prune failed') }).finally(() => {
        if (this.started) this.schedulePrune()
      })
    }, STORE_PRUNE_INTERVAL_MS)
  }

  /**
   * Acknowledges a transaction once it is durable: a new one is written (synced, with its queue
   * record) before this resolves, then sent if the node can send (`announced`) or left `queued`.
   * Concurrent calls with the same payload share one write: exactly one of them reports
   * `duplicate: false`.
   * @throws TxTooLargeError, InvalidTransactionError, GossipNotStartedError, QueueFullError
   */
  async publish (input: PublishInput, options: AbortOptions = {}): Promise<PublishResult> {
    if (!this.started) throw new GossipNotStartedError()
    if (!(input.payload instanceof Uint8Array)) throw new InvalidTransactionError('payload', 'is not bytes')
    if (input.payload.length > this.config.maxTxBytes) throw new TxTooLargeError(input.payload.length, this.config.maxTxBytes)
    const notification: TransactionNotification = {
      txId: txIdOf(input.payload),
      registerId: input.registerId,
      sender: this.self,
      timestampMs: input.timestampMs ?? Date.now(),
      sizeBytes: input.payload.length,
      contentType: input.contentType ?? DEFAULT_CONTENT_TYPE,
      hopCount: 0
    }
    const valid = validateTransactionNotification(notification)
    if (!valid.ok) throw new InvalidTransactionError(valid.field, valid.reason)
    const id = toHex(notification.txId)
    // Registered before the first await, so that a second identical call cannot pass the store check too.
    const first = this.publishing.get(id)
    if (first !== undefined) {
      const won = await first
      return { ...won, duplicate: true, state: this.stateOf(id, 0) }
    }
    const work = this.publishNew(id, { notification, payload: input.payload }, options)
    this.publishing.set(id, work)
    try {
      return await work
    } finally {
      this.publishing.delete(id)
    }
  }

  private async publishNew (id: string, transaction: Transaction, options: AbortOptions): Promise<PublishResult> {
    const notification = transaction.notification as TransactionNotification
    // Almost every new transaction is answered from memory (the store's Bloom filters), without a read.
    const held = this.store.certainlyNew(id) ? undefined : await this.store.get(id, options)
    if (held !== undefined) return { txId: id, notification, duplicate: true, state: this.stateOf(id, held.hops) }
    options.signal?.throwIfAborted()
    const state = await this.queue.submit(id, transaction)
    this.published++
    this.eventLog?.emit('tx_published', { txId: id, data: { registerId: notification.registerId, bytes: transaction.payload.length, state } })
    this.emitReceived(id, transaction, this.self, 0)
    return { txId: id, notification, duplicate: false, state }
  }

  /** A stored transaction's state: the queue's while unconfirmed, else confirmed (published here) or received. */
  private stateOf (id: string, hops: number): TxState {
    return this.queue.stateOf(id) ?? (hops === 0 ? 'confirmed' : 'received')
  }

  /** The outbound queue's figures. */
  queueStats (): QueueStats {
    return this.queue.stats()
  }

  async get (txId: Uint8Array | string, options: AbortOptions = {}): Promise<StoredTransactionView | undefined> {
    const id = typeof txId === 'string' ? (txId.length === 64 ? fromHex(txId) : undefined) : txId
    if (id?.length !== 32) throw new InvalidTxIdError()
    const hex = toHex(id)
    const stored = await this.store.get(hex, options)
    if (stored === undefined) return undefined
    return { ...this.view(hex, stored, stored.hops === 0 ? this.self : '', stored.hops), state: this.stateOf(hex, stored.hops) }
  }

  follow (registerId: string): void {
    if (!isRegisterId(registerId)) throw new InvalidTransactionError('registerId', 'is not a register id')
    if (this.followed.has(registerId)) return
    this.followed.add(registerId)
    this.registersChanged()
  }

  unfollow (registerId: string): void {
    if (this.followed.delete(registerId)) this.registersChanged()
  }

  registers (): string[] {
    return [...this.followed].sort()
  }

  relaysAll (): boolean {
    return this.config.relayAllRegisters
  }

  private registersChanged (): void {
    this.safeDispatchEvent('registers:changed', { detail: { registers: this.registers() } })
  }

  // Empty means every register, for both strategies (docs/gossip.md).
  follows (registerId: string): boolean {
    return this.followed.size === 0 || this.followed.has(registerId)
  }

  get journal (): TxJournal {
    return this.store.journal
  }

  stats (): DistributorStats {
    return { strategy: this.strategy, published: this.published, rejects: this.rejects, store: this.store.usage, ...this.counters() }
  }

  private view (id: string, stored: StoredTx, from: string, hops: number): ReceivedTransaction {
    const notification = { ...(stored.transaction.notification as TransactionNotification), hopCount: hops }
    return { txId: id, notification, payload: stored.transaction.payload, from, local: hops === 0 && from === this.self }
  }

  /**
   * A transaction received from `from` and verified: written to the store first, and handed to the
   * application only once the write succeeded and the store did not hold it already (the final guard
   * of exactly-once delivery across restarts, SPEC.md §6.3). Rejects when the write failed: nothing
   * is delivered and the store keeps no trace, so the transaction can arrive again; the caller must
   * then not mark it held (sorcha: leave `verify` unanswered; gossipsub: ignore the message).
   */
  protected accept (id: string, transaction: Transaction, from: string, hops: number): Promise<'stored' | 'duplicate'> {
    return this.store.keep(id, transaction, hops).then(outcome => {
      if (outcome === 'stored') this.stored({ id, transaction, from, hops })
      return outcome
    })
  }

  /**
   * accept() of the common case, told once per store batch instead of once per transaction: when the
   * store can queue the transaction in its shared batch at once (TxStore.keepInBatch: certainly new,
   * nobody else writing it), it joins that batch's group and true is returned; once the batch is
   * written every transaction of the group is handed to the application (as accept() does) and then
   * `outcome.stored` hears their ids, in order; if the write failed, `outcome.failed` hears them and
   * nothing is delivered (as it hears one whose hand-over to the application threw). False: nothing was done, call accept(). Every caller passes the same
   * `outcome` (the first of a batch's group is used for it).
   */
  protected acceptInBatch (id: string, transaction: Transaction, from: string, hops: number, outcome: BatchOutcome): boolean {
    const batch = this.store.keepInBatch(id, transaction, hops)
    if (batch === undefined) return false
    let group = this.groups.get(batch)
    if (group === undefined) {
      const members: Accepted[] = []
      group = members
      this.groups.set(batch, members)
      batch.then(() => {
        this.groups.delete(batch)
        const ids: string[] = []
        for (const member of members) {
          // As with accept(): a transaction whose hand-over throws is reported failed (the rest of the batch goes on).
          try {
            this.stored(member)
            ids.push(member.id)
          } catch (err) {
            outcome.failed([member.id], err)
          }
        }
        outcome.stored(ids)
      }, (err: unknown) => {
        this.groups.delete(batch)
        outcome.failed(members.map(member => member.id), err)
      })
    }
    group.push({ id, transaction, from, hops })
    return true
  }

  /** A received transaction the store just wrote: told to the event log and metrics, handed to the application. */
  private stored ({ id, transaction, from, hops }: Accepted): void {
    this.eventLog?.emit('tx_received', { txId: id, peerId: from, data: { hops, registerId: transaction.notification?.registerId ?? '', bytes: transaction.payload.length, delivered: this.follows(transaction.notification?.registerId ?? '') } })
    this.metrics?.firstReceipt(hops, Date.now() - (transaction.notification?.timestampMs ?? Date.now()))
    this.emitReceived(id, transaction, from, hops)
  }

  /** Hands a new transaction to the application if its register is followed (the event is built only for someone listening). */
  protected emitReceived (id: string, transaction: Transaction, from: string, hops: number): void {
    const registerId = transaction.notification?.registerId ?? ''
    if (!this.follows(registerId) || this.listenerCount('tx:received') === 0) return
    this.safeDispatchEvent('tx:received', { detail: this.view(id, { transaction, hops, storedAtMs: 0 }, from, hops) })
  }

  /** Reports a verdict (for peer scoring) and counts rejects. */
  protected emitVerdict (verdict: GossipVerdict): void {
    this.metrics?.verdict(verdict.verdict, verdict.code)
    this.eventLog?.verdict?.(verdict)
    if (verdict.verdict === 'reject') {
      this.rejects++
      this.log.debug({ peer: verdict.peer, code: verdict.code }, 'rejected a peer message')
    }
    // One verdict per message received: build the event only for someone listening.
    if (this.listenerCount('gossip:verdict') > 0) this.safeDispatchEvent('gossip:verdict', { detail: verdict })
  }
}
