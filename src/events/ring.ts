/**
 * The persisted event ring: events in a LevelDB sublevel keyed by sequence number, written in
 * batches (one LevelDB batch per FLUSH_INTERVAL_MS or FLUSH_BATCH_MAX events, never one write per
 * event), bounded by count (`maxEntries`: each batch deletes as many of the oldest as it adds beyond
 * the bound) and by age (`retentionMs`: pruned every PRUNE_INTERVAL_MS). Events not yet written are
 * read from memory, so a query or a follower sees an event as soon as it is emitted.
 */
import type { Sublevel } from '../storage/index.ts'
import { FLUSH_BATCH_MAX, FLUSH_INTERVAL_MS, PENDING_MAX } from './constants.ts'
import type { NodeEvent } from './types.ts'

/** Options of a ring. */
export interface EventRingInit {
  db: Sublevel
  maxEntries: number
  retentionMs: number
  /** @default FLUSH_INTERVAL_MS */
  flushIntervalMs?: number
  /** @default Date.now */
  clock?: () => number
  /** Told of a failed write (the events stay pending and are retried with the next batch). */
  onError?: (err: unknown) => void
}

const KEY_DIGITS = 16

/** The key of sequence number `seq` (zero-padded, so keys sort like numbers). */
export function keyOf (seq: number): string {
  return String(seq).padStart(KEY_DIGITS, '0')
}

const encoder = new TextEncoder()
const decoder = new TextDecoder()

/** Decodes a stored event; undefined for a record that is not one (it is skipped). */
export function decodeEvent (bytes: Uint8Array): NodeEvent | undefined {
  try {
    const event = JSON.parse(decoder.decode(bytes)) as NodeEvent
    return typeof event.seq === 'number' && typeof event.type === 'string' ? event : undefined
  } catch {
    return undefined
  }
}

/** The ring. open() before reading; append() works at any time (events wait in memory). */
export class EventRing {
  private readonly init: EventRingInit
  private readonly clock: () => number
  /** Events not yet written, oldest first. */
  private pending: NodeEvent[] = []
  /** Oldest sequence number stored or pending; 0 when empty. */
  private first = 0
  /** Newest sequence number issued. */
  private last = 0
  private opened = false
  /** True once the stored ring's extent has been read (the first open). */
  private loaded = false
  private timer: ReturnType<typeof setTimeout> | undefined
  private writing: Promise<void> | undefined
  /** Events dropped unwritten because the database fell PENDING_MAX behind. */
  droppedUnwritten = 0

  constructor (init: EventRingInit) {
    this.init = init
    this.clock = init.clock ?? Date.now
  }

  /** Oldest sequence number held (0 when empty). */
  get oldestSeq (): number {
    return this.first
  }

  /** Newest sequence number issued (0 when none). */
  get lastSeq (): number {
    return this.last
  }

  /** Events held (stored and pending). */
  get size (): number {
    return this.first === 0 ? 0 : this.last - this.first + 1
  }

  /** Reads where the stored ring begins and ends; trims it to maxEntries. Idempotent. */
  async open (): Promise<void> {
    if (this.opened) return
    const db = this.init.db
    if (!this.loaded) {
      const [oldest] = await db.keys({ limit: 1 }).all()
      const [newest] = await db.keys({ limit: 1, reverse: true }).all()
      const storedLast = newest === undefined ? 0 : Number(newest)
      // Events appended before the first open() were numbered from 0: renumber them after the stored ones.
      for (const event of this.pending) event.seq += storedLast
      this.last += storedLast
      this.first = oldest === undefined ? (this.pending[0]?.seq ?? 0) : Number(oldest)
      this.loaded = true
    }
    this.opened = true
    const floor = this.last - this.init.maxEntries + 1
    if (this.first !== 0 && floor > this.first) {
      await db.clear({ lt: keyOf(floor) })
      this.first = floor
    }
    this.schedule()
  }

  /** Numbers and keeps an event; written with the next batch. Returns it with its sequence number. */
  append (event: Omit<NodeEvent, 'seq'>): NodeEvent {
    const full = event as NodeEvent
    full.seq = ++this.last
    if (this.first === 0) this.first = full.seq
    this.pending.push(full)
    if (this.pending.length > PENDING_MAX) {
      this.pending.shift()
      this.droppedUnwritten++
    }
    // One batch at a time: while one is being written, the next gathers (never a flush per event).
    if (this.pending.length >= FLUSH_BATCH_MAX && this.writing === undefined) void this.flush()
    else this.schedule()
    return full
  }

  private schedule (): void {
    if (this.timer !== undefined || !this.opened || this.pending.length === 0) return
    this.timer = setTimeout(() => { this.timer = undefined; void this.flush() }, this.init.flushIntervalMs ?? FLUSH_INTERVAL_MS)
    this.timer.unref()
  }

  /** Writes every pending event (one batch), dropping the oldest beyond maxEntries. */
  async flush (): Promise<void> {
    while (this.writing !== undefined) await this.writing
    if (!this.opened || this.pending.length === 0) return
    clearTimeout(this.timer)
    this.timer = undefined
    const batch = this.pending.slice()
    const ops: Array<{ type: 'put', key: string, value: Uint8Array } | { type: 'del', key: string }> = []
    for (const event of batch) ops.push({ type: 'put', key: keyOf(event.seq), value: encoder.encode(JSON.stringify(event)) })
    const top = batch[batch.length - 1]?.seq ?? this.last
    const floor = Math.max(this.first, top - this.init.maxEntries + 1)
    for (let seq = this.first; seq < floor; seq++) ops.push({ type: 'del', key: keyOf(seq) })
    let failed = false
    this.writing = this.init.db.batch(ops).then(() => {
      // Only now are they readable from the database.
      const rest = this.pending.findIndex(e => e.seq > top)
      this.pending.splice(0, rest === -1 ? this.pending.length : rest)
      this.first = Math.max(this.first, floor)
    }, (err: unknown) => { failed = true; this.init.onError?.(err) }).finally(() => {
      this.writing = undefined
      // After a failure, retry on the timer rather than at once.
      if (!failed && this.pending.length >= FLUSH_BATCH_MAX) void this.flush()
      else this.schedule()
    })
    await this.writing
  }

  /** Drops events older than retentionMs (at most `max` per call); returns how many. */
  async prune (max = 10_000): Promise<number> {
    if (!this.opened) return 0
    await this.flush()
    const cutoff = this.clock() - this.init.retentionMs
    const old: string[] = []
    let floor = this.first
    for await (const [key, value] of this.init.db.iterator({ limit: max })) {
      const event = decodeEvent(value)
      if (event !== undefined && event.atMs >= cutoff) break
      old.push(key)
      floor = Number(key) + 1
    }
    if (old.length === 0) return 0
    await this.init.db.batch(old.map(key => ({ type: 'del' as const, key })))
    // Emptied: the next append starts it again (sequence numbers go on from `last`).
    this.first = floor > this.last ? 0 : Math.max(this.first, floor)
    return old.length
  }

  /**
   * Held events after `after`, oldest first (newestFirst: before `after`, newest first), the stored
   * ones then the pending ones, each once.
   */
  async * read (after: number, newestFirst = false, signal?: AbortSignal): AsyncGenerator<NodeEvent> {
    // Copied before the database is read: an event leaves `pending` only once its batch is written,
    // so every event is in this copy or in what the database iterator sees (or both: read once).
    const pending = this.pending.slice()
    if (newestFirst) {
      let below = after <= 0 ? Number.MAX_SAFE_INTEGER : after
      for (let i = pending.length - 1; i >= 0; i--) {
        const event = pending[i]
        if (event === undefined || event.seq >= below) continue
        below = event.seq
        yield event
      }
      if (!this.opened) return
      for await (const value of this.init.db.values({ lt: keyOf(below), reverse: true, signal } as object)) {
        const event = decodeEvent(value)
        if (event !== undefined && event.seq < below) {
          below = event.seq
          yield event
        }
      }
      return
    }
    let above = after
    if (this.opened) {
      for await (const value of this.init.db.values({ gt: keyOf(above), signal } as object)) {
        const event = decodeEvent(value)
        if (event !== undefined && event.seq > above) {
          above = event.seq
          yield event
        }
      }
    }
    for (const event of pending) {
      if (event.seq <= above) continue
      above = event.seq
      yield event
    }
  }

  /** Writes what is pending and stops the timer. */
  async close (): Promise<void> {
    await this.flush()
    clearTimeout(this.timer)
    this.timer = undefined
    this.opened = false
  }
}
