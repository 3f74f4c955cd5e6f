/**
 * The transaction store: an in-memory LRU + TTL cache in front of the node's LevelDB (sublevel
 * "tx"), bounded by total payload bytes (oldest evicted) and by retention time. Every put checks
 * that the payload hashes to the tx id. Survives restarts; `newest()` lets the gossip core learn
 * what the node already holds.
 *
 * Layout in the sublevel (keys are strings, values bytes):
 *   b:<tx id hex>                   -> StoredTransaction (tx_gossip.proto)
 *   t:<stored at, 15 digits>:<id>   -> "<payload bytes>:<hops>:<timestampMs>:<register id>" (age index, for
 *                                      eviction and retention; the last two fields feed reconciliation's order
 *                                      index, protocols/tx-gossip/SPEC.md §9.3; records written before them have
 *                                      only the first two, and the rest is read from b:)
 */
import { createHash } from 'node:crypto'
import type { AbortOptions } from '@libp2p/interface'
import { StoredTransaction, type Transaction } from '../../../protos/gen/sorcha/p2p/v1/tx_gossip.ts'
import { toHex } from '../../../protocols/models/index.ts'
import type { Sublevel } from '../../storage/index.ts'
import { TxIdMismatchError, TxTooLargeError } from '../errors.ts'
import { LruCache } from './lru-cache.ts'
import { PersistedIds } from './persisted-ids.ts'

/** A stored transaction as the store hands it out. */
export interface StoredTx {
  transaction: Transaction
  /** Hops it arrived with; 0 if published here. */
  hops: number
  storedAtMs: number
}

/** Limits of the store. */
export interface TxStoreOptions {
  maxBytes: number
  maxTxBytes: number
  retentionMs: number
  cacheMaxBytes: number
  cacheTtlMs: number
  /** The clock. @default Date.now */
  now?: () => number
}

/** What newest() yields: enough for the gossip core's `restore` input. */
export interface StoredSummary { id: string, size: number, hops: number }

/** A stored transaction as reconciliation orders it (protocols/tx-gossip/SPEC.md §9.3). */
export interface StoredEntry extends StoredSummary {
  /** The publisher's timestamp (notification.timestampMs). */
  timestampMs: number
  registerId: string
}

/** Told of every transaction persisted or removed (one observer: reconciliation's order index). */
export interface TxStoreObserver {
  stored: (entry: StoredEntry) => void
  removed: (id: string) => void
}

const TIME_DIGITS = 15
const encoder = new TextEncoder()
const decoder = new TextDecoder()

/** SHA-256 of a payload, as the tx id. */
export function txIdOf (payload: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(payload).digest())
}

const ageKey = (at: number, id: string): string => `t:${String(at).padStart(TIME_DIGITS, '0')}:${id}`

/** The store. Call open() after the database is open. */
export class TxStore {
  private readonly db: Sublevel
  private readonly options: TxStoreOptions
  private readonly now: () => number
  private readonly cache: LruCache<string, StoredTx>
  /** Ids the database may hold: a miss here spares a database read. */
  private readonly ids = new PersistedIds()
  private bytes = 0
  private count = 0
  private observer: TxStoreObserver | undefined

  constructor (db: Sublevel, options: TxStoreOptions) {
    this.db = db
    this.options = options
    this.now = options.now ?? Date.now
    this.cache = new LruCache({ maxBytes: options.cacheMaxBytes, ttlMs: options.cacheTtlMs, now: this.now, sizeOf: tx => tx.transaction.payload.length + 256 })
  }

  /** Payload bytes and entries persisted. */
  get usage (): { bytes: number, count: number } {
    return { bytes: this.bytes, count: this.count }
  }

  /** Reads the age index (sizes for the byte bound), then drops what retention or the bound excludes. */
  async open (options: AbortOptions = {}): Promise<void> {
    this.bytes = 0
    this.count = 0
    this.cache.clear()
    this.ids.clear()
    for await (const [key, value] of this.db.iterator({ gte: 't:', lt: 't;', signal: options.signal })) {
      this.bytes += Number(decoder.decode(value).split(':')[0])
      this.count++
      this.ids.add(key.slice(2 + TIME_DIGITS + 1))
    }
    await this.prune(options)
  }

  /** Stores a transaction; 'duplicate' if it was already there. Checks size and tx id first. */
  async put (transaction: Transaction, hops: number, options: AbortOptions = {}): Promise<'stored' | 'duplicate'> {
    const id = this.check(transaction)
    options.signal?.throwIfAborted()
    if (await this.persisted(id)) return 'duplicate'
    await this.persist(id, transaction, hops)
    return 'stored'
  }

  /** True if the database (not the cache, which remember() fills early) holds `id`. */
  async persisted (id: string): Promise<boolean> {
    if (!this.ids.mayHold(id)) return false
    return (await this.db.get(`b:${id}`)) !== undefined
  }

  /** True if the database certainly does not hold `id` (answered from memory; false means "maybe", ask persisted()). */
  certainlyNew (id: string): boolean {
    return !this.ids.mayHold(id)
  }

  /**
   * Writes a received transaction known not to be persisted (see persisted()). Receivers use
   * persisted() + write() so that the application hears of a new transaction as soon as it is known
   * to be new, without waiting for the write. `id` is the hex SHA-256 the caller has already checked
   * the payload against (both strategies verify a body before accepting it), so the payload is not
   * hashed a second time; its size and the notification's id are still checked.
   */
  async write (id: string, transaction: Transaction, hops: number): Promise<void> {
    const { notification, payload } = transaction
    if (payload.length > this.options.maxTxBytes) throw new TxTooLargeError(payload.length, this.options.maxTxBytes)
    if (notification === undefined || toHex(notification.txId) !== id) throw new TxIdMismatchError()
    await this.persist(id, transaction, hops)
  }

  private async persist (id: string, transaction: Transaction, hops: number): Promise<void> {
    const payload = transaction.payload
    const storedAtMs = this.now()
    const record: StoredTx = { transaction, hops, storedAtMs }
    this.cache.set(id, record)
    this.ids.add(id)
    const timestampMs = transaction.notification?.timestampMs ?? 0
    const registerId = transaction.notification?.registerId ?? ''
    await this.db.batch([
      { type: 'put', key: `b:${id}`, value: StoredTransaction.encode({ transaction, storedAtMs, hopCount: hops }).finish() },
      { type: 'put', key: ageKey(storedAtMs, id), value: encoder.encode(`${payload.length}:${hops}:${timestampMs}:${registerId}`) }
    ])
    this.bytes += payload.length
    this.count++
    this.observer?.stored({ id, size: payload.length, hops, timestampMs, registerId })
    if (this.bytes > this.options.maxBytes) await this.evictOldest({})
  }

  /** The hex tx id of a transaction whose size and id are valid; throws otherwise. */
  private check (transaction: Transaction): string {
    const { notification, payload } = transaction
    if (payload.length > this.options.maxTxBytes) throw new TxTooLargeError(payload.length, this.options.maxTxBytes)
    if (notification === undefined || toHex(txIdOf(payload)) !== toHex(notification.txId)) throw new TxIdMismatchError()
    return toHex(notification.txId)
  }

  /** Keeps a transaction in the memory cache only (served at once while the put is in flight). */
  remember (id: string, tx: StoredTx): void {
    this.cache.set(id, tx)
  }

  /** The transaction from the cache, without touching the database. */
  cached (id: string): StoredTx | undefined {
    return this.cache.get(id)
  }

  /** The transaction with tx id `id` (hex), from the cache or the database. */
  async get (id: string, options: AbortOptions = {}): Promise<StoredTx | undefined> {
    const hit = this.cache.get(id)
    if (hit !== undefined) return hit
    options.signal?.throwIfAborted()
    const bytes = await this.db.get(`b:${id}`)
    if (bytes === undefined) return undefined
    const stored = StoredTransaction.decode(bytes)
    if (stored.transaction === undefined) return undefined
    const tx: StoredTx = { transaction: stored.transaction, hops: stored.hopCount, storedAtMs: stored.storedAtMs }
    this.cache.set(id, tx)
    return tx
  }

  /** True if the store holds `id`. */
  async has (id: string, options: AbortOptions = {}): Promise<boolean> {
    if (this.cache.get(id) !== undefined) return true
    options.signal?.throwIfAborted()
    return this.persisted(id)
  }

  /** Up to `limit` of the most recently stored transactions, newest first. */
  async newest (limit: number, options: AbortOptions = {}): Promise<StoredSummary[]> {
    const out: StoredSummary[] = []
    for await (const [key, value] of this.db.iterator({ gte: 't:', lt: 't;', reverse: true, limit, signal: options.signal })) {
      const [size, hops] = decoder.decode(value).split(':').map(Number)
      out.push({ id: key.slice(2 + TIME_DIGITS + 1), size: size ?? 0, hops: hops ?? 0 })
    }
    return out
  }

  /** Removes transactions older than the retention, and the oldest beyond the byte bound. */
  async prune (options: AbortOptions = {}): Promise<void> {
    this.cache.prune()
    await this.removeWhile(key => Number(key.slice(2, 2 + TIME_DIGITS)) < this.now() - this.options.retentionMs, options)
    if (this.bytes > this.options.maxBytes) await this.evictOldest(options)
  }

  private async evictOldest (options: AbortOptions): Promise<void> {
    await this.removeWhile(() => this.bytes > this.options.maxBytes, options)
  }

  private async removeWhile (condition: (ageKey: string) => boolean, options: AbortOptions): Promise<void> {
    for await (const [key, value] of this.db.iterator({ gte: 't:', lt: 't;', signal: options.signal })) {
      if (!condition(key)) break
      const id = key.slice(2 + TIME_DIGITS + 1)
      await this.db.batch([{ type: 'del', key }, { type: 'del', key: `b:${id}` }])
      this.cache.delete(id)
      this.bytes -= Number(decoder.decode(value).split(':')[0])
      this.count--
      this.observer?.removed(id)
    }
  }

  /** Sets (or clears) the observer told of every later write and removal. */
  observe (observer: TxStoreObserver | undefined): void {
    this.observer = observer
  }

  /** Every stored transaction with its order key, oldest stored first (reconciliation's index at start). */
  async * entries (options: AbortOptions = {}): AsyncGenerator<StoredEntry> {
    for await (const [key, value] of this.db.iterator({ gte: 't:', lt: 't;', signal: options.signal })) {
      const id = key.slice(2 + TIME_DIGITS + 1)
      const fields = decoder.decode(value).split(':')
      const size = Number(fields[0])
      const hops = Number(fields[1])
      if (fields.length >= 4) {
        yield { id, size, hops, timestampMs: Number(fields[2]), registerId: fields.slice(3).join(':') }
        continue
      }
      // Written before the order fields existed: read them from the record itself.
      const notification = (await this.get(id, options))?.transaction.notification
      if (notification !== undefined) yield { id, size, hops, timestampMs: notification.timestampMs, registerId: notification.registerId }
    }
  }
}
