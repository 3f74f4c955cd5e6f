/**
 * The transaction journal: the last N transactions the node accepted, in order, each with a cursor,
 * plus live fan-out to subscribers. Subscriptions resume after a cursor by replaying what the journal
 * still holds; a cursor older than that (or from an earlier run of the node) yields a gap notice
 * first, so an app knows it may have missed events and can reconcile.
 *
 * Cursor format: `<epoch>.<sequence>`, where epoch is random per journal (per node run) and sequence
 * counts from 1. Bounded: JOURNAL_MAX_ENTRIES entries (oldest dropped), SUBSCRIBER_QUEUE_MAX_ITEMS per
 * subscriber (a subscriber further behind is cut off with ChannelOverflowError and resumes).
 */
import { randomBytes } from 'node:crypto'
import type { CallOptions, SubscriptionItem, SubscriptionRequest, TransactionMeta } from './backend.ts'
import { Channel } from './channel.ts'
import { INLINE_PAYLOAD_MAX_BYTES, JOURNAL_MAX_ENTRIES, SUBSCRIBER_QUEUE_MAX_ITEMS } from './constants.ts'
import { InvalidArgumentError } from './errors.ts'

interface Entry {
  seq: number
  meta: TransactionMeta
}

interface Subscriber {
  registers: Set<string> | undefined
  channel: Channel<Entry | SubscriptionItem>
}

/** Options of a journal. */
export interface JournalInit {
  /** @default JOURNAL_MAX_ENTRIES */
  maxEntries?: number
  /** @default SUBSCRIBER_QUEUE_MAX_ITEMS */
  subscriberQueueMax?: number
  /** Loads a payload for subscribers that want payloads inline; undefined when not stored. */
  loadPayload?: (txId: string, options?: CallOptions) => Promise<Uint8Array | undefined>
}

const CURSOR = /^([0-9a-f]{16})\.([1-9][0-9]{0,15})$/

/** True for text in the journal's cursor format (it may still be from another run). */
export function isCursor (text: string): boolean {
  return CURSOR.test(text)
}

/** Accepted transactions in order, with resumable subscriptions. */
export class TransactionJournal {
  readonly epoch = randomBytes(8).toString('hex')
  private readonly entries: Entry[] = []
  private readonly subscribers = new Set<Subscriber>()
  private readonly maxEntries: number
  private readonly queueMax: number
  private readonly loadPayload: JournalInit['loadPayload']
  private seq = 0

  constructor (init: JournalInit = {}) {
    this.maxEntries = init.maxEntries ?? JOURNAL_MAX_ENTRIES
    this.queueMax = init.subscriberQueueMax ?? SUBSCRIBER_QUEUE_MAX_ITEMS
    this.loadPayload = init.loadPayload
  }

  /** Records an accepted transaction and hands it to matching subscribers. Returns its cursor. */
  append (meta: TransactionMeta): string {
    const entry: Entry = { seq: ++this.seq, meta }
    this.entries.push(entry)
    if (this.entries.length > this.maxEntries) this.entries.shift()
    for (const sub of this.subscribers) {
      if (sub.registers === undefined || sub.registers.has(meta.registerId)) sub.channel.push(entry)
    }
    return this.cursorOf(entry.seq)
  }

  /** Number of subscribers right now. */
  get subscriberCount (): number {
    return this.subscribers.size
  }

  private cursorOf (seq: number): string {
    return `${this.epoch}.${seq}`
  }

  /** @throws InvalidArgumentError for a cursor that is not of our format at all */
  private parseCursor (cursor: string): { epoch: string, seq: number } {
    const match = CURSOR.exec(cursor)
    if (match === null) throw new InvalidArgumentError('invalid_cursor', 'cursor is not one this API issued')
    return { epoch: match[1] as string, seq: Number(match[2]) }
  }

  /** Replay (entries after `cursor`) plus live entries, until the signal fires. */
  async * subscribe (request: SubscriptionRequest, options: { signal: AbortSignal }): AsyncGenerator<SubscriptionItem> {
    const registers = request.registerIds === undefined || request.registerIds.length === 0 ? undefined : new Set(request.registerIds)
    const sub: Subscriber = { registers, channel: new Channel(this.queueMax + this.maxEntries) }
    // Snapshot, register and replay run in one synchronous step, so the replay ends exactly where
    // live delivery starts: nothing is lost or doubled between them.
    const snapshot = [...this.entries]
    const cursor = request.cursor === undefined || request.cursor === '' ? undefined : this.parseCursor(request.cursor)
    this.subscribers.add(sub)
    const onAbort = (): void => { sub.channel.end() }
    options.signal.addEventListener('abort', onAbort, { once: true })
    try {
      if (cursor !== undefined) this.replay(sub, snapshot, cursor, request.cursor as string)
      for await (const item of sub.channel) {
        if ('kind' in item) {
          yield item
          continue
        }
        yield { kind: 'transaction', event: await this.view(item, request.includePayload === true, options.signal) }
      }
    } finally {
      options.signal.removeEventListener('abort', onAbort)
      this.subscribers.delete(sub)
    }
  }

  private replay (sub: Subscriber, snapshot: Entry[], cursor: { epoch: string, seq: number }, requested: string): void {
    const oldest = snapshot[0]
    const sameRun = cursor.epoch === this.epoch
    const after = sameRun ? cursor.seq : 0
    if (oldest !== undefined && (!sameRun || oldest.seq > after + 1)) {
      sub.channel.push({ kind: 'gap', requestedCursor: requested, oldestCursor: this.cursorOf(oldest.seq) })
    } else if (oldest === undefined && !sameRun) {
      sub.channel.push({ kind: 'gap', requestedCursor: requested, oldestCursor: '' })
    }
    for (const entry of snapshot) {
      if (entry.seq > after && (sub.registers === undefined || sub.registers.has(entry.meta.registerId))) sub.channel.push(entry)
    }
  }

  private async view (entry: Entry, includePayload: boolean, signal: AbortSignal): Promise<{ cursor: string, meta: TransactionMeta, payload?: Uint8Array }> {
    const base = { cursor: this.cursorOf(entry.seq), meta: entry.meta }
    if (!includePayload || entry.meta.sizeBytes > INLINE_PAYLOAD_MAX_BYTES || this.loadPayload === undefined) return base
    const payload = await this.loadPayload(entry.meta.txId, { signal }).catch(() => undefined)
    return payload === undefined ? base : { ...base, payload }
  }
}
