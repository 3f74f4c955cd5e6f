/**
 * The transaction journal as apps see it: cursors, resumable subscriptions and paged listing over a
 * JournalSource (the node's persisted store journal, src/gossip/store/sequence.ts), so cursors stay
 * valid across restarts of the node.
 *
 * Cursor format: `<epoch>.<sequence>`; the epoch names the data directory's journal, the sequence
 * counts the transactions it stored (with holes). A cursor means "after this one".
 *
 * A subscription catches up by reading the journal from its cursor, then switches to live records in
 * the same synchronous step that finds it caught up (nothing released in between, so nothing is lost
 * or doubled at the seam). A subscriber that falls SUBSCRIBER_QUEUE_MAX_ITEMS behind the live records
 * drops back to reading the journal from where it is, so memory stays bounded and nothing is skipped.
 * A cursor older than the retention fails with CursorExpiredError, one from another journal with
 * UnknownCursorError; both name the oldest cursor the node accepts. (Before issue 16 an expired cursor
 * produced a `gap` item and the stream went on; an error cannot be overlooked, so it replaced it.)
 */
import type { CallOptions, SubscriptionItem, SubscriptionRequest, TransactionEventView, TransactionListing, TransactionMeta, TransactionPage } from './backend.ts'
import { Channel, ChannelOverflowError } from './channel.ts'
import { INLINE_PAYLOAD_MAX_BYTES, JOURNAL_PAGE_ITEMS, JOURNAL_SCAN_MAX_ITEMS, SUBSCRIBER_QUEUE_MAX_ITEMS } from './constants.ts'
import { CursorExpiredError, InvalidArgumentError, UnknownCursorError } from './errors.ts'
import type { JournalSource, JournalView } from './journal-source.ts'

/** Options of a journal. */
export interface JournalInit {
  source: JournalSource
  /** True if the node hands this register's transactions to apps. @default every register */
  follows?: (registerId: string) => boolean
  /** @default SUBSCRIBER_QUEUE_MAX_ITEMS */
  subscriberQueueMax?: number
  /** Loads a payload for subscribers that want payloads inline; undefined when not stored. */
  loadPayload?: (txId: string, options?: CallOptions) => Promise<Uint8Array | undefined>
}

const CURSOR = /^([0-9a-f]{16})\.(0|[1-9][0-9]{0,14})$/

/** True for text in the journal's cursor format (it may still be from another journal). */
export function isCursor (text: string): boolean {
  return CURSOR.test(text)
}

/** Stored transactions in order, with resumable subscriptions and paged listing. */
export class TransactionJournal {
  private readonly source: JournalSource
  private readonly follows: (registerId: string) => boolean
  private readonly queueMax: number
  private readonly loadPayload: JournalInit['loadPayload']
  private subscribers = 0

  constructor (init: JournalInit) {
    this.source = init.source
    this.follows = init.follows ?? (() => true)
    this.queueMax = init.subscriberQueueMax ?? SUBSCRIBER_QUEUE_MAX_ITEMS
    this.loadPayload = init.loadPayload
  }

  /** Number of subscribers right now. */
  get subscriberCount (): number {
    return this.subscribers
  }

  /** The cursor of sequence number `seq`. */
  cursorOf (seq: number): string {
    return `${this.source.epoch}.${seq}`
  }

  /** The oldest cursor accepted: resuming there replays everything the journal holds. */
  get oldestCursor (): string {
    return this.cursorOf(this.source.floor)
  }

  /**
   * The sequence number a cursor stands for; `fallback` for an empty one.
   * @throws InvalidArgumentError (not a cursor), UnknownCursorError, CursorExpiredError
   */
  position (cursor: string | undefined, fallback: number): number {
    if (cursor === undefined || cursor === '') return fallback
    const match = CURSOR.exec(cursor)
    if (match === null) throw new InvalidArgumentError('invalid_cursor', 'cursor is not one this API issued')
    const seq = Number(match[2])
    const oldest = this.oldestCursor
    if (match[1] !== this.source.epoch || seq > this.source.last) {
      throw new UnknownCursorError(`cursor ${cursor} was not issued by this node's journal (epoch ${this.source.epoch}: another node or data directory); the oldest cursor it accepts is ${oldest}`, oldest)
    }
    if (seq < this.source.floor) throw this.expired(cursor)
    return seq
  }

  private expired (cursor: string): CursorExpiredError {
    const oldest = this.oldestCursor
    return new CursorExpiredError(`cursor ${cursor} is older than this node's journal retention; the oldest cursor it accepts is ${oldest} (transactions between the two were dropped)`, oldest)
  }

  /**
   * Transactions after `request.cursor` (or from now on), then live ones, until the signal fires.
   * Throws at once (before any item) for a cursor that cannot be resumed.
   */
  subscribe (request: SubscriptionRequest, options: { signal: AbortSignal }): AsyncIterable<SubscriptionItem> {
    const start = this.position(request.cursor, this.source.last)
    const registers = request.registerIds === undefined || request.registerIds.length === 0 ? undefined : new Set(request.registerIds)
    return this.follow(start, registers, request.includePayload === true, options.signal)
  }

  private matches (meta: TransactionMeta, registers: Set<string> | undefined): boolean {
    return (registers === undefined || registers.has(meta.registerId)) && this.follows(meta.registerId)
  }

  private async * follow (start: number, registers: Set<string> | undefined, includePayload: boolean, signal: AbortSignal): AsyncGenerator<SubscriptionItem> {
    this.subscribers++
    try {
      let after = start
      while (!signal.aborted) {
        if (this.source.floor > after) throw this.expired(this.cursorOf(after))
        const page = await this.source.read(after, JOURNAL_PAGE_ITEMS, { signal })
        for (const record of page.records) {
          after = record.seq
          if (this.matches(record.meta, registers)) yield await this.item(record, includePayload, signal)
        }
        after = Math.max(after, page.upTo)
        if (page.records.length === JOURNAL_PAGE_ITEMS || this.source.last > after) continue
        // Caught up: listen from here, in the same synchronous step as the check above, so no record
        // is released in between.
        const from = after
        const channel = new Channel<JournalView>(this.queueMax)
        const unlisten = this.source.listen(record => { if (record.seq > from) channel.push(record) })
        after = yield * this.live(channel, unlisten, after, registers, includePayload, signal)
      }
    } finally {
      this.subscribers--
    }
  }

  /** Live records from `channel` until the signal fires or the subscriber falls behind; returns where it got to. */
  private async * live (channel: Channel<JournalView>, unlisten: () => void, after: number, registers: Set<string> | undefined, includePayload: boolean, signal: AbortSignal): AsyncGenerator<SubscriptionItem, number> {
    const onAbort = (): void => { channel.end() }
    if (signal.aborted) channel.end()
    else signal.addEventListener('abort', onAbort, { once: true })
    let at = after
    try {
      for await (const record of channel) {
        at = record.seq
        if (this.matches(record.meta, registers)) yield await this.item(record, includePayload, signal)
      }
    } catch (err) {
      // Too far behind: read on from the journal instead of buffering more.
      if (!(err instanceof ChannelOverflowError)) throw err
    } finally {
      unlisten()
      signal.removeEventListener('abort', onAbort)
    }
    return at
  }

  private async item (record: JournalView, includePayload: boolean, signal: AbortSignal): Promise<SubscriptionItem> {
    const base = { cursor: this.cursorOf(record.seq), meta: record.meta }
    if (!includePayload || record.meta.sizeBytes > INLINE_PAYLOAD_MAX_BYTES || this.loadPayload === undefined) return { kind: 'transaction', event: base }
    const payload = await this.loadPayload(record.meta.txId, { signal }).catch(() => undefined)
    return { kind: 'transaction', event: payload === undefined ? base : { ...base, payload } }
  }

  /**
   * Up to `limit` transactions after `since` (empty: from the oldest held), oldest first, reading at
   * most JOURNAL_SCAN_MAX_ITEMS records. @throws as position()
   */
  async list (request: TransactionListing, options: CallOptions = {}): Promise<TransactionPage> {
    let after = this.position(request.since, this.source.floor)
    const registers = request.registerIds === undefined || request.registerIds.length === 0 ? undefined : new Set(request.registerIds)
    const events: TransactionEventView[] = []
    let scanned = 0
    let more = false
    while (events.length < request.limit) {
      if (this.source.floor > after) throw this.expired(this.cursorOf(after))
      if (scanned >= JOURNAL_SCAN_MAX_ITEMS) {
        more = true
        break
      }
      const page = await this.source.read(after, Math.min(JOURNAL_PAGE_ITEMS, JOURNAL_SCAN_MAX_ITEMS - scanned), options)
      scanned += page.records.length
      for (const record of page.records) {
        after = record.seq
        if (this.matches(record.meta, registers)) events.push({ cursor: this.cursorOf(record.seq), meta: record.meta })
        if (events.length >= request.limit) break
      }
      if (events.length >= request.limit) {
        more = after < this.source.last
        break
      }
      after = Math.max(after, page.upTo)
      if (page.records.length === 0 || after >= this.source.last) break
    }
    return { events, nextCursor: this.cursorOf(after), more }
  }
}
