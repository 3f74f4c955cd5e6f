/**
 * Where the gateway's journal reads from: the node's store journal (gossip-adapter.ts maps it) or the
 * in-memory backend's own (MemoryJournal below). Sequence numbers grow with each stored transaction
 * (with holes); `last` is the highest released one (every record at or below it can be read), and
 * records at or below `floor` were dropped by the retention.
 */
import { randomBytes } from 'node:crypto'
import type { CallOptions, TransactionMeta } from './backend.ts'

/** One journal record. */
export interface JournalView {
  seq: number
  meta: TransactionMeta
}

/** Every record with seq in (after, upTo], oldest first. */
export interface JournalPageView {
  records: JournalView[]
  upTo: number
}

/** A journal the gateway reads. */
export interface JournalSource {
  /** 16 hex characters naming this journal (one per data directory). */
  readonly epoch: string
  readonly last: number
  readonly floor: number
  /** Records after `after`, at most `limit`. */
  read: (after: number, limit: number, options?: CallOptions) => Promise<JournalPageView>
  /** Records released from now on, in order; returns the unsubscribe function. */
  listen: (listener: (record: JournalView) => void) => () => void
}

/** An in-memory journal (the memory backend's): the last `maxEntries` records, a random epoch per instance. */
export class MemoryJournal implements JournalSource {
  readonly epoch = randomBytes(8).toString('hex')
  private readonly records: JournalView[] = []
  private readonly listeners = new Set<(record: JournalView) => void>()
  private readonly maxEntries: number
  private seq = 0
  private dropped = 0

  constructor (maxEntries: number) {
    this.maxEntries = maxEntries
  }

  get last (): number {
    return this.seq
  }

  get floor (): number {
    return this.dropped
  }

  /** Records a stored transaction; returns its sequence number. */
  append (meta: TransactionMeta): number {
    const record = { seq: ++this.seq, meta }
    this.records.push(record)
    if (this.records.length > this.maxEntries) this.dropped = (this.records.shift() as JournalView).seq
    for (const listener of this.listeners) listener(record)
    return record.seq
  }

  async read (after: number, limit: number): Promise<JournalPageView> {
    const first = this.records[0]?.seq ?? this.seq + 1
    const start = Math.max(0, after + 1 - first)
    const records = this.records.slice(start, start + limit)
    const upTo = records.length >= limit ? (records[records.length - 1] as JournalView).seq : Math.max(after, this.seq)
    return { records, upTo }
  }

  listen (listener: (record: JournalView) => void): () => void {
    this.listeners.add(listener)
    return () => { this.listeners.delete(listener) }
  }
}
