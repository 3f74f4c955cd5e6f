/**
 * What both strategies share: the transaction store, publish() preparation (tx id, notification,
 * validation), get(), followed registers, lifecycle flags and event emission. A strategy implements
 * `spread`, `onStart`, `onStop` and its counters.
 */
import type { AbortOptions } from '@libp2p/interface'
import { TypedEventEmitter } from 'main-event'
import type { Transaction } from '../../protos/gen/sorcha/p2p/v1/tx_gossip.ts'
import { fromHex, isRegisterId, toHex, validateTransactionNotification, type TransactionNotification } from '../../protocols/models/index.ts'
import type { Config } from '../config/index.ts'
import type { Logger } from '../logging/index.ts'
import { logger } from '../logging/index.ts'
import type { Storage } from '../storage/index.ts'
import { DEFAULT_CONTENT_TYPE, STORE_PRUNE_INTERVAL_MS } from './constants.ts'
import type { DistributorStats, GossipStrategy, GossipVerdict, PublishInput, PublishResult, ReceivedTransaction, TxDistributor, TxDistributorEvents } from './distributor.ts'
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
}

/** Shared part of both strategies. */
export abstract class DistributorBase extends TypedEventEmitter<TxDistributorEvents> implements TxDistributor {
  abstract readonly strategy: GossipStrategy
  protected readonly config: Readonly<Config['gossip']>
  protected readonly store: TxStore
  protected readonly self: string
  protected readonly log: Logger
  protected readonly followed: Set<string>
  protected started = false
  protected published = 0
  protected rejects = 0
  private pruneTimer: ReturnType<typeof setTimeout> | undefined

  constructor (init: DistributorInit) {
    super()
    this.config = init.config
    this.self = init.peerId
    this.log = logger('sorcha:gossip', { peer: init.peerId })
    this.followed = new Set(init.config.registers)
    this.store = new TxStore(init.storage.sublevel('tx'), {
      maxBytes: init.config.store.maxBytes,
      maxTxBytes: init.config.maxTxBytes,
      retentionMs: init.config.store.retentionMs,
      cacheMaxBytes: init.config.store.cacheMaxBytes,
      cacheTtlMs: init.config.store.cacheTtlMs,
      journal: init.config.journal
    })
  }

  /** Sends a transaction that was just stored to the network. */
  protected abstract spread (id: string, transaction: Transaction, options: AbortOptions): Promise<void>
  protected abstract onStart (): Promise<void>
  protected abstract onStop (): Promise<void>
  protected abstract counters (): Omit<DistributorStats, 'strategy' | 'published' | 'rejects' | 'store'>

  async start (): Promise<void> {
    if (this.started) return
    await this.store.open()
    await this.onStart()
    this.started = true
    this.schedulePrune()
  }

  async stop (): Promise<void> {
    if (!this.started) return
    this.started = false
    clearTimeout(this.pruneTimer)
    this.pruneTimer = undefined
    await this.onStop()
    await this.store.close()
  }

  private schedulePrune (): void {
    this.pruneTimer = setTimeout(() => {
      this.store.prune().catch(err => { this.log.warn({ err }, 'store prune failed') }).finally(() => {
        if (this.started) this.schedulePrune()
      })
    }, STORE_PRUNE_INTERVAL_MS)
  }

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
    const transaction: Transaction = { notification, payload: input.payload }
    if (await this.store.has(id, options)) return { txId: id, notification, duplicate: true }
    this.store.remember(id, { transaction, hops: 0, storedAtMs: Date.now() })
    await this.store.put(transaction, 0, options)
    this.published++
    await this.spread(id, transaction, options)
    this.emitReceived(id, transaction, this.self, 0)
    return { txId: id, notification, duplicate: false }
  }

  async get (txId: Uint8Array | string, options: AbortOptions = {}): Promise<ReceivedTransaction | undefined> {
    const id = typeof txId === 'string' ? (txId.length === 64 ? fromHex(txId) : undefined) : txId
    if (id?.length !== 32) throw new InvalidTxIdError()
    const hex = toHex(id)
    const stored = await this.store.get(hex, options)
    return stored === undefined ? undefined : this.view(hex, stored, stored.hops === 0 ? this.self : '', stored.hops)
  }

  follow (registerId: string): void {
    if (!isRegisterId(registerId)) throw new InvalidTransactionError('registerId', 'is not a register id')
    this.followed.add(registerId)
  }

  unfollow (registerId: string): void {
    this.followed.delete(registerId)
  }

  follows (registerId: string): boolean {
    return this.followed.size === 0 ? this.strategy === 'sorcha' : this.followed.has(registerId)
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
  protected async accept (id: string, transaction: Transaction, from: string, hops: number): Promise<'stored' | 'duplicate'> {
    const outcome = await this.store.keep(id, transaction, hops)
    if (outcome === 'stored') this.emitReceived(id, transaction, from, hops)
    return outcome
  }

  /** Hands a new transaction to the application if its register is followed. */
  protected emitReceived (id: string, transaction: Transaction, from: string, hops: number): void {
    const registerId = transaction.notification?.registerId ?? ''
    if (!this.follows(registerId)) return
    this.safeDispatchEvent('tx:received', { detail: this.view(id, { transaction, hops, storedAtMs: 0 }, from, hops) })
  }

  /** Reports a verdict (for peer scoring) and counts rejects. */
  protected emitVerdict (verdict: GossipVerdict): void {
    if (verdict.verdict === 'reject') {
      this.rejects++
      this.log.debug({ peer: verdict.peer, code: verdict.code }, 'rejected a peer message')
    }
    // One verdict per message received: build the event only for someone listening.
    if (this.listenerCount('gossip:verdict') > 0) this.safeDispatchEvent('gossip:verdict', { detail: verdict })
  }
}
