/**
 * The transaction store: an in-memory LRU + TTL cache in front of the node's LevelDB (sublevel
 * "tx"), bounded by total payload bytes (oldest evicted) and by retention time. Every put checks
 * that the payload hashes to the tx id. Survives restarts; `newest()` lets the gossip core learn
 * what the node already holds.
 *
 * Layout in the sublevel (keys are strings, values bytes):
 *   b:<tx id hex>                   -> StoredTransaction (tx_gossip.proto)
 *   t:<stored at, 15 digits>:<id>   -> the age index, for eviction and retention; its order fields feed
 *                                      reconciliation's order index (protocols/tx-gossip/SPEC.md §9.3): one
 *                                      entry per write batch, listing the batch's transactions, or one per
 *                                      transaction in stores written before 2026-12-07 (age-index.ts)
 *   s:<sequence, 15 digits>         -> JournalEntry (the journal, in the transaction's batch: sequence.ts)
 *   m:epoch, m:reserved, m:floor    -> the journal's epoch, reserved numbers and dropped prefix
 */
import { hash } from 'node:crypto'
import type { AbortOptions } from '@libp2p/interface'
import type { AbstractBatchOperation, AbstractBatchOptions } from 'abstract-level'
import { StoredTransaction, type Transaction } from '../../../protos/gen/sorcha/p2p/v1/tx_gossip.ts'
import { hexEquals } from '../../../protocols/models/index.ts'
import type { Sublevel } from '../../storage/index.ts'
import { TxIdMismatchError, TxTooLargeError } from '../errors.ts'
import { GroupCommit } from '../../queue/group-commit.ts'
import { encodeStored } from './record-codec.ts'
import { ageKey, ageKeyTime, decodeAgeEntry, encodeAgeEntry, isBatchEntry, type AgeItem } from './age-index.ts'
import { LruCache } from './lru-cache.ts'
import { PersistedIds } from './persisted-ids.ts'
import { TxSequence, type JournalRecord } from './sequence.ts'
import { WriteClaims, type WriteClaim } from './write-claims.ts'

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
  /** Bounds of the journal (sequence.ts). @default JOURNAL_MAX_ENTRIES numbers, JOURNAL_RETENTION_MS */
  journal?: { maxEntries: number, retentionMs: number }
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

/** A transaction in the shared batches, with keep()'s claim on it (ended by the batch). */
interface QueuedTx extends NewTx { claim?: WriteClaim }

/** Journal bounds when the options give none (the gossip.journal defaults). */
export const JOURNAL_MAX_ENTRIES = 1_000_000
export const JOURNAL_RETENTION_MS = 7 * 24 * 60 * 60 * 1000

/** What newest() yields: enough for the gossip core's `restore` input. */
export interface StoredSummary {
  id: string
  size: number
  hops: number
  /** The transaction's register, where its record names one (records written before registers did not). */
  register?: string
}

/** A stored transaction as reconciliation orders it (protocols/tx-gossip/SPEC.md §9.3). */
export interface StoredEntry extends StoredSummary {
  /** The publisher's timestamp (notification.timestampMs). */
  timestampMs: number
  registerId: string
}

/** Told of every transaction persisted or removed (one observer: reconciliation's order index). */
export interface TxStoreObserver {
  /** The transactions one batch stored (once per batch, not per transaction). */
  stored: (entries: readonly StoredEntry[]) => void
  removed: (id: string) => void
}

/** What the observer hears of a transaction just stored. */
function entryOf (id: string, transaction: Transaction, hops: number): StoredEntry {
  return { id, size: transaction.payload.length, hops, timestampMs: transaction.notification?.timestampMs ?? 0, registerId: transaction.notification?.registerId ?? '' }
}

export { metaSize } from './age-index.ts'

/** SHA-256 of a payload, as the tx id. */
export function txIdOf (payload: Uint8Array): Uint8Array {
  return new Uint8Array(hash('sha256', payload, 'buffer'))
}

/** SHA-256 of a payload as a hex tx id (one call, no hash object, no hex conversion in JavaScript). */
export function txIdHexOf (payload: Uint8Array): string {
  return hash('sha256', payload, 'hex')
}

/** classic-level (LevelDB) reads `sync` from the batch options; abstract-level's types do not list it. */
const batchOptions = (options: PersistOptions): AbstractBatchOptions<string, Uint8Array> =>
  ({ sync: options.sync === true }) as unknown as AbstractBatchOptions<string, Uint8Array>

const stored = (): 'stored' => 'stored'

/** The store. Call open() after the database is open. */
export class TxStore {
  private readonly db: Sublevel
  private readonly options: TxStoreOptions
  private readonly now: () => number
  private readonly cache: LruCache<string, StoredTx>
  /** Ids the database may hold: a miss here spares a database read. */
  private readonly ids = new PersistedIds()
  private readonly claims = new WriteClaims()
  /** The journal: stored transactions in the order they were stored. */
  readonly journal: TxSequence
  /** Received transactions handed to write() and not written yet. */
  private readonly writing = new Set<string>()
  /**
   * Received transactions are written in shared batches (one at a time; see GroupCommit). A batch
   * ends its items' claims itself (keep()), and a failed one leaves no trace in the cache (see
   * writtenRecently), so that its callers need no promise of their own per transaction.
   */
  private readonly writer = new GroupCommit<QueuedTx>(async items => {
    let ok = false
    try {
      await this.writeBatch(items, {})
      ok = true
    } finally {
      for (const item of items) {
        this.writing.delete(item.id)
        if (!ok) this.cache.delete(item.id)
        item.claim?.end(ok)
      }
    }
  })
  private bytes = 0
  private count = 0
  private observer: TxStoreObserver | undefined

  constructor (db: Sublevel, options: TxStoreOptions) {
    this.db = db
    this.options = options
    this.now = options.now ?? Date.now
    this.cache = new LruCache({ maxBytes: options.cacheMaxBytes, ttlMs: options.cacheTtlMs, now: this.now, sizeOf: tx => tx.transaction.payload.length + 256 })
    this.journal = new TxSequence(db, { maxEntries: options.journal?.maxEntries ?? JOURNAL_MAX_ENTRIES, retentionMs: options.journal?.retentionMs ?? JOURNAL_RETENTION_MS, now: this.now })
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
    await this.journal.open(options)
    for await (const [key, value] of this.db.iterator({ gte: 't:', lt: 't;', signal: options.signal })) {
      for (const item of decodeAgeEntry(key, value)) {
        this.bytes += item.size
        this.count++
        this.ids.add(item.id)
      }
    }
    await this.prune(options)
  }

  /** Stores a transaction; 'duplicate' if it was already there. Checks size and tx id first. */
  async put (transaction: Transaction, hops: number, options: AbortOptions & PersistOptions = {}): Promise<'stored' | 'duplicate'> {
    const id = this.check(transaction)
    options.signal?.throwIfAborted()
    if (await this.persisted(id)) return 'duplicate'
    return await this.persist(id, transaction, hops, options) ? 'stored' : 'duplicate'
  }

  /**
   * Writes several new transactions (known not to be persisted) in one LevelDB batch, with
   * `options.with` in the same batch: the outbound queue's group commit. Sizes are checked; ids are
   * the caller's (it hashed each payload).
   */
  async putMany (items: readonly NewTx[], options: PersistOptions = {}): Promise<void> {
    for (const { id, transaction } of items) {
      if (transaction.payload.length > this.options.maxTxBytes) throw new TxTooLargeError(transaction.payload.length, this.options.maxTxBytes)
      if (transaction.notification === undefined || !hexEquals(transaction.notification.txId, id)) throw new TxIdMismatchError()
    }
    // Each id is claimed like any other write: one that a concurrent write (a copy received from a
    // peer meanwhile) stored first is left out, so it keeps one record and one journal entry; the
    // caller's `options.with` operations are written all the same.
    // Claimed synchronously when certainly new (the common case); the others wait for their claim.
    const quick = items.map(({ id }) => this.claims.tryClaim(id, () => !this.writing.has(id) && !this.ids.mayHold(id)))
    const claims = quick.every(claim => claim !== undefined)
      ? quick
      : await Promise.all(quick.map(async (claim, i) => claim ?? this.claims.claim((items[i] as NewTx).id, async () => this.persisted((items[i] as NewTx).id))))
    const fresh = items.filter((_, i) => claims[i] !== undefined)
    for (const { id } of fresh) this.ids.add(id)
    let storedAtMs: number
    try {
      storedAtMs = await this.writeBatch(fresh, options)
    } catch (err) {
      for (const claim of claims) claim?.end(false)
      throw err
    }
    // Cached only once written: a failed write must not make a retry look like a duplicate.
    for (const { id, transaction, hops } of fresh) this.cache.set(id, { transaction, hops, storedAtMs })
    for (const claim of claims) claim?.end(true)
  }

  /** Resolves once every write() so far is on disk (before the database closes). */
  async flush (): Promise<void> {
    await this.writer.idle()
  }

  /** One batch holding `items` and `options.with`; returns its storedAtMs. */
  private async writeBatch (items: readonly NewTx[], options: PersistOptions): Promise<number> {
    const storedAtMs = this.now()
    const journal = this.writesOf(items, storedAtMs)
    const ops = journal.ops
    if (options.with !== undefined) ops.push(...options.with)
    try {
      await this.db.batch(ops, batchOptions(options))
    } catch (err) {
      journal.settle(false)
      throw err
    }
    journal.settle(true)
    for (const { transaction } of items) this.bytes += transaction.payload.length
    if (this.observer !== undefined && items.length > 0) this.observer.stored(items.map(({ id, transaction, hops }) => entryOf(id, transaction, hops)))
    this.count += items.length
    if (this.bytes > this.options.maxBytes) await this.evictOldest({})
    return storedAtMs
  }

  /**
   * For each id, true if the database holds it: answered from memory for what was written lately
   * (in the cache and no write of it in flight: the have-queries of a flush ask about just those),
   * false from the Bloom filters for most others, and the rest from one getMany.
   */
  async persistedMany (ids: readonly string[]): Promise<boolean[]> {
    const out = ids.map(() => false)
    const maybe: number[] = []
    ids.forEach((id, i) => {
      if (this.writtenRecently(id)) out[i] = true
      else if (this.ids.mayHold(id)) maybe.push(i)
    })
    if (maybe.length === 0) return out
    const values = await this.db.getMany(maybe.map(i => `b:${ids[i] as string}`))
    values.forEach((value, j) => { if (value !== undefined) out[maybe[j] as number] = true })
    return out
  }

  /**
   * True if `id` is in the cache and not being written: the cache holds a transaction while its write
   * is in flight (then `writing` or a claim names it) and after it succeeded; a failed write removes
   * it, and so does eviction from the database.
   */
  private writtenRecently (id: string): boolean {
    return !this.writing.has(id) && !this.claims.has(id) && this.cache.has(id)
  }

  /** True if the database holds `id`, or write() is writing it. */
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
    if (notification === undefined || !hexEquals(notification.txId, id)) return Promise.reject(new TxIdMismatchError())
    if (options.sync === true || options.with !== undefined) return this.persist(id, transaction, hops, options).then(() => {})
    // A failed write leaves no trace in the cache (the batch removes it, see writer).
    return this.enqueue(id, transaction, hops, undefined)
  }

  /** write() of a checked transaction into the shared batches; the batch ends `claim`. */
  private enqueue (id: string, transaction: Transaction, hops: number, claim: WriteClaim | undefined): Promise<void> {
    this.cache.set(id, { transaction, hops, storedAtMs: this.now() })
    this.ids.add(id)
    this.writing.add(id)
    return this.writer.add(claim === undefined ? { id, transaction, hops } : { id, transaction, hops, claim }, transaction.payload.length)
  }

  /**
   * keep() of the common case without a promise per transaction: when its size and notification are
   * valid, nobody else is writing it and the Bloom filters say the database certainly does not hold
   * it, the transaction is claimed and queued in the shared batch, and the batch's promise is
   * returned, shared by every transaction of the batch: it resolves once they are all stored (each
   * 'stored', with its journal entry) and rejects if the batch failed (none stored, no trace left).
   * Undefined otherwise: nothing was done, ask keep().
   */
  keepInBatch (id: string, transaction: Transaction, hops: number): Promise<void> | undefined {
    const { notification, payload } = transaction
    if (payload.length > this.options.maxTxBytes || notification === undefined || !hexEquals(notification.txId, id)) return undefined
    const claim = this.claims.tryClaim(id, () => !this.writing.has(id) && !this.ids.mayHold(id))
    return claim === undefined ? undefined : this.enqueue(id, transaction, hops, claim)
  }

  /**
   * Writes a received transaction unless the database holds it (or another write of it succeeds
   * first): 'stored' once it is on disk with its journal entry, 'duplicate' otherwise. A failed write
   * throws and leaves no trace (not cached, no journal entry), so the transaction can arrive again.
   * Checks the size and the notification's id, as write() does. The common case (nobody else is
   * writing it, and the Bloom filters say the database certainly does not hold it) is claimed
   * synchronously (keepInBatch, plus one promise for the outcome).
   */
  keep (id: string, transaction: Transaction, hops: number): Promise<'stored' | 'duplicate'> {
    const { notification, payload } = transaction
    if (payload.length > this.options.maxTxBytes) return Promise.reject(new TxTooLargeError(payload.length, this.options.maxTxBytes))
    if (notification === undefined || !hexEquals(notification.txId, id)) return Promise.reject(new TxIdMismatchError())
    const quick = this.keepInBatch(id, transaction, hops)
    if (quick !== undefined) return quick.then(stored)
    return this.claims.claim(id, async () => this.persisted(id)).then(slow => slow === undefined ? 'duplicate' : this.enqueue(id, transaction, hops, slow).then(stored))
  }

  /** Flushes nothing (writes are awaited by their callers); records the journal's position. */
  async close (): Promise<void> {
    await this.journal.close()
  }


  /** False when another write of `id` succeeded first (one write, one journal entry per transaction). */
  private async persist (id: string, transaction: Transaction, hops: number, options: PersistOptions = {}): Promise<boolean> {
    const claim = await this.claims.claim(id, async () => this.persisted(id))
    if (claim === undefined) return false
    const payload = transaction.payload
    const storedAtMs = this.now()
    const record: StoredTx = { transaction, hops, storedAtMs }
    this.cache.set(id, record)
    this.ids.add(id)
    const journal = this.writesOf([{ id, transaction, hops }], storedAtMs)
    try {
      const ops = journal.ops
      if (options.with !== undefined) ops.push(...options.with)
      await this.db.batch(ops, batchOptions(options))
    } catch (err) {
      journal.settle(false)
      this.cache.delete(id)
      claim.end(false)
      throw err
    }
    journal.settle(true)
    claim.end(true)
    this.bytes += payload.length
    this.count++
    this.observer?.stored([entryOf(id, transaction, hops)])
    if (this.bytes > this.options.maxBytes) await this.evictOldest({})
    return true
  }

  /**
   * The batch operations that store new transactions in one batch: per transaction its record (`b:`)
   * and its journal entry (sequence.ts; the record and the entry share one encoding of the
   * notification, record-codec.ts), and one age index entry (`t:`) listing them all (age-index.ts);
   * `settle(ok)` must be called once the batch ended. Every write of a new transaction takes a
   * journal entry, so the journal is exactly the stored transactions.
   */
  private writesOf (items: ReadonlyArray<{ id: string, transaction: Transaction, hops: number }>, storedAtMs: number): { ops: BatchOp[], settle: (ok: boolean) => void } {
    const ops: BatchOp[] = []
    const entries: JournalRecord[] = []
    const ages: AgeItem[] = []
    for (const { id, transaction, hops } of items) {
      const { record, entry } = encodeStored(transaction, hops, storedAtMs)
      const notification = transaction.notification as NonNullable<Transaction['notification']>
      const journalRecord: JournalRecord = { seq: this.journal.allocate(), id, notification: { ...notification, hopCount: hops }, storedAtMs }
      entries.push(journalRecord)
      ages.push({ id, size: transaction.payload.length, hops, timestampMs: notification.timestampMs, registerId: notification.registerId })
      ops.push({ type: 'put', key: `b:${id}`, value: record }, this.journal.op(journalRecord, entry))
    }
    const first = ages[0]
    if (first !== undefined) ops.push({ type: 'put', key: ageKey(storedAtMs, first.id), value: encodeAgeEntry(ages) })
    return { ops, settle: ok => { for (const entry of entries) this.journal.settle(entry.seq, ok ? entry : null) } }
  }

  /** The hex tx id of a transaction whose size and id are valid; throws otherwise. */
  private check (transaction: Transaction): string {
    const { notification, payload } = transaction
    if (payload.length > this.options.maxTxBytes) throw new TxTooLargeError(payload.length, this.options.maxTxBytes)
    const id = txIdHexOf(payload)
    if (notification === undefined || !hexEquals(notification.txId, id)) throw new TxIdMismatchError()
    return id
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
    const stored = decodeStoredTransaction(bytes)
    if (stored?.transaction === undefined) return undefined
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
    if (limit <= 0) return out
    for await (const [key, value] of this.db.iterator({ gte: 't:', lt: 't;', reverse: true, signal: options.signal })) {
      const items = decodeAgeEntry(key, value)
      for (let i = items.length - 1; i >= 0 && out.length < limit; i--) {
        const { id, size, hops, registerId } = items[i] as AgeItem
        out.push(registerId === undefined || registerId === '' ? { id, size, hops } : { id, size, hops, register: registerId })
      }
      if (out.length >= limit) break
    }
    return out
  }

  /** Removes transactions older than the retention, and the oldest beyond the byte bound. */
  async prune (options: AbortOptions = {}): Promise<void> {
    this.cache.prune()
    const cutoff = this.now() - this.options.retentionMs
    await this.removeWhile(at => at < cutoff, options)
    if (this.bytes > this.options.maxBytes) await this.evictOldest(options)
    await this.journal.prune(options)
  }

  private async evictOldest (options: AbortOptions): Promise<void> {
    await this.removeWhile((_at, bytes) => bytes > this.options.maxBytes, options)
  }

  /**
   * Removes the oldest transactions while `condition(stored at, payload bytes left)` holds, one age
   * entry at a time: its records and the entry (or the entry rewritten with the transactions it
   * keeps) in one batch.
   */
  private async removeWhile (condition: (at: number, bytes: number) => boolean, options: AbortOptions): Promise<void> {
    for await (const [key, value] of this.db.iterator({ gte: 't:', lt: 't;', signal: options.signal })) {
      const at = ageKeyTime(key)
      let bytes = this.bytes
      if (!condition(at, bytes)) break
      const kept: AgeItem[] = []
      const gone: AgeItem[] = []
      let stopped = false
      for (const item of decodeAgeEntry(key, value)) {
        stopped ||= !condition(at, bytes)
        // Unconfirmed transactions of the outbound queue stay (their bytes are bounded by queue.maxBytes).
        if (stopped || this.options.retain?.(item.id) === true) {
          kept.push(item)
          continue
        }
        gone.push(item)
        bytes -= item.size
      }
      if (gone.length === 0) continue
      const entry: BatchOp = kept.length === 0 || !isBatchEntry(value) ? { type: 'del', key } : { type: 'put', key, value: encodeAgeEntry(kept, true) }
      await this.db.batch([...gone.map((item): BatchOp => ({ type: 'del', key: `b:${item.id}` })), entry])
      for (const { id, size } of gone) {
        this.cache.delete(id)
        this.bytes -= size
        this.count--
        this.observer?.removed(id)
      }
      if (stopped) break
    }
  }

  /** Sets (or clears) the observer told of every later write and removal. */
  observe (observer: TxStoreObserver | undefined): void {
    this.observer = observer
  }

  /** Every stored transaction with its order key, oldest stored first (reconciliation's index at start). */
  async * entries (options: AbortOptions = {}): AsyncGenerator<StoredEntry> {
    for await (const [key, value] of this.db.iterator({ gte: 't:', lt: 't;', signal: options.signal })) {
      for (const { id, size, hops, timestampMs, registerId } of decodeAgeEntry(key, value)) {
        if (timestampMs !== undefined && registerId !== undefined) {
          yield { id, size, hops, timestampMs, registerId }
          continue
        }
        // Written before the order fields existed: read them from the record itself.
        const notification = (await this.get(id, options))?.transaction.notification
        if (notification !== undefined) yield { id, size, hops, timestampMs: notification.timestampMs, registerId: notification.registerId }
      }
    }
  }
}

/** A `b:` record, or undefined when its bytes are not one (a damaged body reads as not held, as get() says of a missing one). */
export function decodeStoredTransaction (bytes: Uint8Array): StoredTransaction | undefined {
  try {
    return StoredTransaction.decode(bytes)
  } catch {
    return undefined
  }
}
