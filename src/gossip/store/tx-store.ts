/**
 * The transaction store: an in-memory LRU + TTL cache in front of the node's LevelDB (sublevel
 * "tx"), bounded by total payload bytes (oldest evicted) and by retention time. Every put checks
 * that the payload hashes to the tx id. Survives restarts; `newest()` lets the gossip core learn
 * what the node already holds.
 *
 * Layout in the sublevel (keys are strings, values bytes):
 *   b:<tx id hex>                   -> StoredTransaction (tx_gossip.proto)
 *   t:<stored at, 15 digits>:<id>   -> "<payload bytes>:<hops>" (age index, for eviction and retention)
 */
import { createHash } from 'node:crypto'
import type { AbortOptions } from '@libp2p/interface'
import type { AbstractBatchOperation, AbstractBatchOptions } from 'abstract-level'
import { StoredTransaction, type Transaction } from '../../../protos/gen/sorcha/p2p/v1/tx_gossip.ts'
import { toHex } from '../../../protocols/models/index.ts'
import type { Sublevel } from '../../storage/index.ts'
import { TxIdMismatchError, TxTooLargeError } from '../errors.ts'
import { GroupCommit } from '../../queue/group-commit.ts'
import { encodeWith } from '../wire.ts'
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
  /**
   * Transactions that retention and the byte bound must not remove (the outbound queue's
   * unconfirmed ones). @default none
   */
  retain?: (id: string) => boolean
}

/** One operation of a LevelDB batch; with `sublevel` set it acts on that sublevel (same database). */
export type BatchOp = AbstractBatchOperation<any, string, Uint8Array> // eslint-disable-line @typescript-eslint/no-explicit-any

/** How a transaction is written. */
export interface PersistOptions {
  /** Synced write: resolves only once LevelDB has fsynced it (`sync: true`). @default false */
  sync?: boolean
  /** More operations committed atomically in the same batch (e.g. the outbound queue's record). */
  with?: BatchOp[]
}

/** A transaction to write with putMany(). */
export interface NewTx {
  /** Its hex tx id, already checked against the payload by the caller. */
  id: string
  transaction: Transaction
  hops: number
}

/** What newest() yields: enough for the gossip core's `restore` input. */
export interface StoredSummary { id: string, size: number, hops: number }

const TIME_DIGITS = 15
const encoder = new TextEncoder()
const decoder = new TextDecoder()

/** SHA-256 of a payload, as the tx id. */
export function txIdOf (payload: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(payload).digest())
}

/** classic-level (LevelDB) reads `sync` from the batch options; abstract-level's types do not list it. */
const batchOptions = (options: PersistOptions): AbstractBatchOptions<string, Uint8Array> =>
  ({ sync: options.sync === true }) as unknown as AbstractBatchOptions<string, Uint8Array>

const ageKey = (at: number, id: string): string => `t:${String(at).padStart(TIME_DIGITS, '0')}:${id}`

/** The store. Call open() after the database is open. */
export class TxStore {
  private readonly db: Sublevel
  private readonly options: TxStoreOptions
  private readonly now: () => number
  private readonly cache: LruCache<string, StoredTx>
  /** Ids the database may hold: a miss here spares a database read. */
  private readonly ids = new PersistedIds()
  /** Received transactions handed to write() and not written yet. */
  private readonly writing = new Set<string>()
  /** Received transactions are written in shared batches (one at a time; see GroupCommit). */
  private readonly writer = new GroupCommit<NewTx>(async items => {
    try {
      await this.writeBatch(items, {})
    } finally {
      for (const { id } of items) this.writing.delete(id)
    }
  })
  private bytes = 0
  private count = 0

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
  async put (transaction: Transaction, hops: number, options: AbortOptions & PersistOptions = {}): Promise<'stored' | 'duplicate'> {
    const id = this.check(transaction)
    options.signal?.throwIfAborted()
    if (await this.persisted(id)) return 'duplicate'
    await this.persist(id, transaction, hops, options)
    return 'stored'
  }

  /**
   * Writes several new transactions (known not to be persisted) in one LevelDB batch, with
   * `options.with` in the same batch: the outbound queue's group commit. Sizes are checked; ids are
   * the caller's (it hashed each payload).
   */
  async putMany (items: readonly NewTx[], options: PersistOptions = {}): Promise<void> {
    for (const { id, transaction } of items) {
      if (transaction.payload.length > this.options.maxTxBytes) throw new TxTooLargeError(transaction.payload.length, this.options.maxTxBytes)
      if (transaction.notification === undefined || toHex(transaction.notification.txId) !== id) throw new TxIdMismatchError()
      this.ids.add(id)
    }
    const storedAtMs = await this.writeBatch(items, options)
    // Cached only once written: a failed write must not make a retry look like a duplicate.
    for (const { id, transaction, hops } of items) this.cache.set(id, { transaction, hops, storedAtMs })
  }

  /** Resolves once every write() so far is on disk (before the database closes). */
  async flush (): Promise<void> {
    await this.writer.idle()
  }

  /** One batch holding `items` and `options.with`; returns its storedAtMs. */
  private async writeBatch (items: readonly NewTx[], options: PersistOptions): Promise<number> {
    const storedAtMs = this.now()
    const ops: BatchOp[] = []
    for (const { id, transaction, hops } of items) ops.push(...this.recordOps(id, transaction, hops, storedAtMs))
    if (options.with !== undefined) ops.push(...options.with)
    await this.db.batch(ops, batchOptions(options))
    for (const { transaction } of items) this.bytes += transaction.payload.length
    this.count += items.length
    if (this.bytes > this.options.maxBytes) await this.evictOldest({})
    return storedAtMs
  }

  /** For each id, true if the database holds it (the Bloom filters spare most reads; the rest in one getMany). */
  async persistedMany (ids: readonly string[]): Promise<boolean[]> {
    const out = ids.map(() => false)
    const maybe: number[] = []
    ids.forEach((id, i) => { if (this.ids.mayHold(id)) maybe.push(i) })
    if (maybe.length === 0) return out
    const values = await this.db.getMany(maybe.map(i => `b:${ids[i] as string}`))
    values.forEach((value, j) => { if (value !== undefined) out[maybe[j] as number] = true })
    return out
  }

  /** True if the database (not the cache, which remember() fills early) holds `id`, or write() is writing it. */
  async persisted (id: string): Promise<boolean> {
    if (this.writing.has(id)) return true
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
   * hashed a second time; its size and the notification's id are still checked. Writes without
   * options share batches: one LevelDB batch per turn of the event loop rather than one per
   * transaction (measured in the queue benchmark: the per-batch cost was a quarter of a receiver's CPU).
   */
  write (id: string, transaction: Transaction, hops: number, options: PersistOptions = {}): Promise<void> {
    const { notification, payload } = transaction
    // Not an async function (no promise per call beyond the batch's): failures are rejections all the same.
    if (payload.length > this.options.maxTxBytes) return Promise.reject(new TxTooLargeError(payload.length, this.options.maxTxBytes))
    if (notification === undefined || toHex(notification.txId) !== id) return Promise.reject(new TxIdMismatchError())
    if (options.sync === true || options.with !== undefined) return this.persist(id, transaction, hops, options)
    this.cache.set(id, { transaction, hops, storedAtMs: this.now() })
    this.ids.add(id)
    this.writing.add(id)
    return this.writer.add({ id, transaction, hops }, payload.length)
  }

  /** The batch operations that store one transaction. */
  private recordOps (id: string, transaction: Transaction, hops: number, storedAtMs: number): BatchOp[] {
    return [
      { type: 'put', key: `b:${id}`, value: encodeWith(StoredTransaction.encode, { transaction, storedAtMs, hopCount: hops }, transaction.payload.length + 512) },
      { type: 'put', key: ageKey(storedAtMs, id), value: encoder.encode(`${transaction.payload.length}:${hops}`) }
    ]
  }

  private async persist (id: string, transaction: Transaction, hops: number, options: PersistOptions = {}): Promise<void> {
    const payload = transaction.payload
    const storedAtMs = this.now()
    const record: StoredTx = { transaction, hops, storedAtMs }
    this.cache.set(id, record)
    this.ids.add(id)
    const ops = this.recordOps(id, transaction, hops, storedAtMs)
    if (options.with !== undefined) ops.push(...options.with)
    await this.db.batch(ops, batchOptions(options))
    this.bytes += payload.length
    this.count++
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
      // Unconfirmed transactions of the outbound queue stay (their bytes are bounded by queue.maxBytes).
      if (this.options.retain?.(id) === true) continue
      await this.db.batch([{ type: 'del', key }, { type: 'del', key: `b:${id}` }])
      this.cache.delete(id)
      this.bytes -= Number(decoder.decode(value).split(':')[0])
      this.count--
    }
  }
}
