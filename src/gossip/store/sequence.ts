/**
 * The store's journal: every transaction the store newly persists gets the next sequence number,
 * written as `s:<seq, 15 digits>` -> JournalEntry (tx_gossip.proto) in the same LevelDB batch as the
 * transaction, so the journal is exactly the stored transactions in the order they were stored (local
 * submissions and received ones alike). The gateway's subscriptions and ListTransactions read it;
 * cursors are `<epoch>.<seq>`, where the epoch is random once per data directory (`m:epoch`).
 *
 * Order: writes may complete out of order, so entries are *released* (to listeners and to read())
 * strictly in sequence order: `last` is the highest released number, and every entry at or below it
 * is on disk (a failed write leaves a hole, never a later gap).
 *
 * No reuse, even after power loss: a number is released only once a synced `m:reserved` covers it.
 * Reservations come in blocks (one synced write per RESERVE_BLOCK numbers); at open, numbering goes
 * on after max(last key, reservation), so a cursor an app holds never names a later transaction.
 * A clean close records the exact position, so numbering continues without a jump (after a crash it
 * jumps by less than RESERVE_BLOCK).
 *
 * Bounded: the oldest entries are dropped beyond `maxEntries` entries or `retentionMs`; `m:floor`
 * records how far (every number at or below it), so a cursor below it is known to be expired.
 */
import { randomBytes } from 'node:crypto'
import type { AbortOptions } from '@libp2p/interface'
import { JournalEntry } from '../../../protos/gen/sorcha/p2p/v1/tx_gossip.ts'
import { toHex, type TransactionNotification } from '../../../protocols/models/index.ts'
import { logger } from '../../logging/index.ts'
import type { Sublevel } from '../../storage/index.ts'
import { encodeWith } from '../wire.ts'

/** Digits of a sequence number in its key. */
export const SEQ_DIGITS = 15
/** Numbers reserved by one synced write. */
export const RESERVE_BLOCK = 4_096
/** Largest sequence number (keys are 15 digits). */
export const MAX_SEQ = 10 ** SEQ_DIGITS - 1
const EPOCH_KEY = 'm:epoch'
const RESERVED_KEY = 'm:reserved'
const FLOOR_KEY = 'm:floor'
const PREFIX = 's:'
const END = 's;'
/** classic-level's synced write (abstract-level's types leave `sync` out; sublevels pass it through). */
const SYNCED = { sync: true } as { keyEncoding?: undefined }
const encoder = new TextEncoder()
const decoder = new TextDecoder()

/** The key of a sequence number. */
export const seqKey = (seq: number): string => PREFIX + String(seq).padStart(SEQ_DIGITS, '0')

/** One journal record. */
export interface JournalRecord {
  seq: number
  /** Hex tx id. */
  id: string
  /** The publisher's metadata; hopCount = hops it arrived with (0 when published here). */
  notification: TransactionNotification
  storedAtMs: number
}

/** A LevelDB put of a journal entry (for the transaction's batch). */
export interface JournalPut { type: 'put', key: string, value: Uint8Array }

/** Bounds of the journal. */
export interface SequenceOptions {
  maxEntries: number
  retentionMs: number
  now: () => number
}

/** A page of the journal: every released record with seq in (after, upTo], oldest first. */
export interface JournalPage {
  records: JournalRecord[]
  upTo: number
}

/** What readers of the journal use (the gateway's subscriptions and ListTransactions). */
export type TxJournal = Pick<TxSequence, 'epoch' | 'last' | 'floor' | 'read' | 'listen'>

/** The store's journal. */
export class TxSequence {
  private readonly db: Sublevel
  private readonly options: SequenceOptions
  private readonly log = logger('sorcha:gossip')
  private readonly pending = new Map<number, JournalRecord | null>()
  private readonly listeners = new Set<(record: JournalRecord) => void>()
  private epochHex = ''
  private next = 1
  private released = 0
  private floorSeq = 0
  /** Entries on disk. */
  private entries = 0
  /** Highest number a synced reservation covers. */
  private durable = 0
  private reserving = false
  private pruning: Promise<void> | undefined

  constructor (db: Sublevel, options: SequenceOptions) {
    this.db = db
    this.options = options
  }

  /** 16 hex characters, fixed for the data directory. */
  get epoch (): string {
    return this.epochHex
  }

  /** Highest released sequence number: every entry at or below it is stored (0: none yet). */
  get last (): number {
    return this.released
  }

  /** Entries at or below this were dropped (retention); a cursor below it has missed some. */
  get floor (): number {
    return this.floorSeq
  }

  /** Reads (or creates) the epoch, finds where numbering goes on, and reserves the first block. */
  async open (options: AbortOptions = {}): Promise<void> {
    this.pending.clear()
    const epoch = await this.db.get(EPOCH_KEY)
    this.epochHex = epoch === undefined ? randomBytes(8).toString('hex') : decoder.decode(epoch)
    if (epoch === undefined) await this.db.put(EPOCH_KEY, encoder.encode(this.epochHex), SYNCED)
    this.floorSeq = await this.number(FLOOR_KEY)
    let lastKey = 0
    this.entries = 0
    for await (const key of this.db.keys({ gte: PREFIX, lt: END, signal: options.signal })) {
      lastKey = Number(key.slice(PREFIX.length))
      this.entries++
    }
    const start = Math.max(lastKey, await this.number(RESERVED_KEY), this.floorSeq)
    this.next = start + 1
    this.released = start
    this.durable = start + RESERVE_BLOCK
    await this.db.put(RESERVED_KEY, encoder.encode(String(this.durable)), SYNCED)
  }

  /** Records where numbering stands (synced), so the next open goes on without a jump. */
  async close (): Promise<void> {
    this.listeners.clear()
    await this.pruning?.catch(() => {})
    try {
      await this.db.put(RESERVED_KEY, encoder.encode(String(this.next - 1)), SYNCED)
    } catch (err) {
      this.log.debug({ err }, 'could not record the journal position on close')
    }
  }

  private async number (key: string): Promise<number> {
    const value = await this.db.get(key)
    const n = value === undefined ? 0 : Number(decoder.decode(value))
    return Number.isSafeInteger(n) && n >= 0 ? n : 0
  }

  /** The next sequence number; the caller must settle() it whatever happens to its write. */
  allocate (): number {
    const seq = this.next++
    this.reserveAhead()
    return seq
  }

  /** The put that records `record` under its number, for the transaction's batch; `value`: the record already encoded as a JournalEntry. */
  op (record: JournalRecord, value?: Uint8Array): JournalPut {
    // In the shared writer (wire.ts): a fresh one grows from a few bytes, once per stored transaction.
    return { type: 'put', key: seqKey(record.seq), value: value ?? encodeWith(JournalEntry.encode, { notification: record.notification, storedAtMs: record.storedAtMs }, 1024) }
  }

  /** The write of `seq` ended: stored (`record`) or failed (null). Releases what is now in order. */
  settle (seq: number, record: JournalRecord | null): void {
    this.pending.set(seq, record)
    this.release()
  }

  /** Calls `listener` with every record released from now on, in order; returns the unsubscribe function. */
  listen (listener: (record: JournalRecord) => void): () => void {
    this.listeners.add(listener)
    return () => { this.listeners.delete(listener) }
  }

  private release (): void {
    for (let seq = this.released + 1; this.pending.has(seq); seq++) {
      if (seq > this.durable) {
        this.reserveAhead()
        return
      }
      const record = this.pending.get(seq) as JournalRecord | null
      this.pending.delete(seq)
      this.released = seq
      if (record === null) continue
      this.entries++
      for (const listener of this.listeners) {
        try {
          listener(record)
        } catch (err) {
          this.log.warn({ err }, 'a journal listener failed')
        }
      }
    }
    const slack = Math.max(1_000, Math.floor(this.options.maxEntries / 10))
    if (this.entries > this.options.maxEntries + slack && this.pruning === undefined) void this.prune().catch(() => {})
  }

  // A synced reservation ahead of the numbers handed out, so releasing never waits for it in practice.
  private reserveAhead (): void {
    if (this.reserving || this.next - 1 + RESERVE_BLOCK / 2 <= this.durable) return
    this.reserving = true
    const target = this.next - 1 + RESERVE_BLOCK
    this.db.put(RESERVED_KEY, encoder.encode(String(target)), SYNCED).then(() => {
      this.durable = Math.max(this.durable, target)
      this.reserving = false
      this.release()
    }, (err: unknown) => {
      // Retried by the next allocate or settle; entries beyond the old reservation wait meanwhile.
      this.reserving = false
      this.log.warn({ err }, 'could not reserve journal sequence numbers')
    })
  }

  /** Released records with seq > after, oldest first, at most `limit`. */
  async read (after: number, limit: number, options: AbortOptions = {}): Promise<JournalPage> {
    const upTo = this.released
    if (after >= upTo || limit <= 0) return { records: [], upTo: Math.max(after, upTo) }
    const records: JournalRecord[] = []
    for await (const [key, value] of this.db.iterator({ gt: seqKey(Math.max(after, 0)), lte: seqKey(upTo), limit, signal: options.signal })) {
      const record = decodeJournalRecord(key, value)
      if (record !== undefined) records.push(record)
    }
    const full = records.length >= limit
    return { records, upTo: full ? (records[records.length - 1] as JournalRecord).seq : upTo }
  }

  /** Drops the oldest entries beyond maxEntries numbers or older than retentionMs. */
  async prune (options: AbortOptions = {}): Promise<void> {
    if (this.pruning !== undefined) return this.pruning
    this.pruning = this.dropOld(options).finally(() => { this.pruning = undefined })
    return this.pruning
  }

  private async dropOld (options: AbortOptions): Promise<void> {
    const cutoff = this.options.now() - this.options.retentionMs
    const upTo = this.released
    let excess = this.entries - this.options.maxEntries
    let bound = this.floorSeq
    let dropped = 0
    // Oldest first: those beyond maxEntries, then those past the retention.
    for await (const [key, value] of this.db.iterator({ gt: seqKey(bound), lte: seqKey(upTo), signal: options.signal })) {
      if (excess <= 0 && (decodeJournalRecord(key, value)?.storedAtMs ?? 0) >= cutoff) break
      bound = Number(key.slice(PREFIX.length))
      excess--
      dropped++
    }
    if (dropped === 0) return
    // The floor first: if the process dies before the entries go, they only count as expired early.
    await this.db.put(FLOOR_KEY, encoder.encode(String(bound)))
    this.floorSeq = bound
    this.entries -= dropped
    await this.db.clear({ gte: PREFIX, lte: seqKey(bound) })
  }
}

/** A journal record from its key and value; undefined for a damaged one (it is skipped). */
export function decodeJournalRecord (key: string, value: Uint8Array): JournalRecord | undefined {
  try {
    const entry = JournalEntry.decode(value)
    if (entry.notification === undefined) return undefined
    return { seq: Number(key.slice(PREFIX.length)), id: toHex(entry.notification.txId), notification: entry.notification, storedAtMs: entry.storedAtMs }
  } catch {
    return undefined
  }
}
