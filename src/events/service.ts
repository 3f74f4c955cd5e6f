/**
 * The event log service (docs/events.md): `emit(type, fields)` for producers, the persisted bounded
 * ring, queries and live follow. A libp2p service named `eventLog` (libp2p's own `events` component
 * is its event bus, so that name is taken); producers find it as an optional component, and
 * producers.ts turns the events of sibling services (the peer list, connectivity, the address
 * service, gossip) and of libp2p (connections) into log entries.
 */
import type { Libp2pEvents, Startable } from '@libp2p/interface'
import type { TypedEventTarget } from 'main-event'
import { logger, type Logger } from '../logging/index.ts'
import type { Sublevel } from '../storage/index.ts'
import { DEFAULT_MAX_ENTRIES, DEFAULT_RETENTION_MS, FIELD_TEXT_MAX, PRUNE_INTERVAL_MS } from './constants.ts'
import { followRing } from './follow.ts'
import { attachProducers } from './producers.ts'
import { queryRing, validateQuery } from './query.ts'
import { EventRing } from './ring.ts'
import type { EmitFields, EventData, EventFilter, EventPage, EventQuery, EventSink, NodeEvent, NodeEventType, VerdictInput } from './types.ts'
import { VerdictSampler } from './verdicts.ts'

/** Options of the service; each defaults as documented. */
export interface EventLogInit {
  /** The database sublevel that holds the ring. */
  db: Sublevel
  /** `events.maxEntries`. @default DEFAULT_MAX_ENTRIES */
  maxEntries?: number
  /** `events.retentionMs`. @default DEFAULT_RETENTION_MS */
  retentionMs?: number
  /** @default Date.now */
  clock?: () => number
  /** Attach the producers (libp2p and sibling services' events). @default true */
  producers?: boolean
  /** @default FLUSH_INTERVAL_MS */
  flushIntervalMs?: number
}

/** What the service uses: libp2p's event bus, plus sibling services looked up by name at start. */
export interface EventLogComponents {
  events: TypedEventTarget<Libp2pEvents>
}

/** Figures of the event log (for status and metrics). */
export interface EventLogStats {
  /** Events held (stored and not yet written). */
  stored: number
  oldestSeq: number
  lastSeq: number
  /** Events emitted since start, by type. */
  emitted: Partial<Record<NodeEventType, number>>
  /** Events lost because the database fell far behind. */
  droppedUnwritten: number
}

function clip (text: string): string {
  return text.length > FIELD_TEXT_MAX ? text.slice(0, FIELD_TEXT_MAX) : text
}

/** The event log. */
export class EventLogService implements Startable, EventSink {
  readonly [Symbol.toStringTag] = '@sorcha/event-log'
  private readonly ring: EventRing
  private readonly init: EventLogInit
  private readonly components: EventLogComponents
  private readonly clock: () => number
  private readonly log: Logger
  private readonly listeners = new Set<(event: NodeEvent) => void>()
  private readonly emitted: Partial<Record<NodeEventType, number>> = {}
  private detach: (() => void) | undefined
  private sampler: VerdictSampler | undefined
  private pruneTimer: ReturnType<typeof setInterval> | undefined
  private started = false

  constructor (components: EventLogComponents, init: EventLogInit) {
    this.components = components
    this.init = init
    this.clock = init.clock ?? Date.now
    this.log = logger('sorcha:events')
    this.ring = new EventRing({
      db: init.db,
      maxEntries: init.maxEntries ?? DEFAULT_MAX_ENTRIES,
      retentionMs: init.retentionMs ?? DEFAULT_RETENTION_MS,
      clock: this.clock,
      ...(init.flushIntervalMs === undefined ? {} : { flushIntervalMs: init.flushIntervalMs }),
      onError: err => { this.log.error({ err }, 'could not write events; they stay in memory and are retried') }
    })
  }

  /** True between start() and stop(). */
  get isStarted (): boolean {
    return this.started
  }

  /** Opens the ring, prunes by age, and attaches the producers. Idempotent. */
  async start (): Promise<void> {
    if (this.started) return
    await this.ring.open()
    this.started = true
    await this.prune()
    this.pruneTimer = setInterval(() => { void this.prune() }, PRUNE_INTERVAL_MS)
    this.pruneTimer.unref()
    this.sampler = new VerdictSampler(this, this.clock)
    if (this.init.producers !== false) this.detach = attachProducers(this.components, this, this.clock)
  }

  /** Detaches the producers and writes what is pending. Idempotent. */
  async stop (): Promise<void> {
    if (!this.started) return
    this.started = false
    this.detach?.()
    this.detach = undefined
    this.sampler?.stop()
    this.sampler = undefined
    clearInterval(this.pruneTimer)
    this.pruneTimer = undefined
    await this.ring.close()
  }

  /** Records an event (cheap: it is written with the next batch). Never throws. */
  emit (type: NodeEventType, fields: EmitFields = {}): void {
    const event: Omit<NodeEvent, 'seq'> = { atMs: fields.atMs ?? this.clock(), type, data: fields.data ?? {} }
    if (fields.peerId !== undefined) event.peerId = fields.peerId
    if (fields.txId !== undefined) event.txId = fields.txId
    if (fields.reason !== undefined) event.reason = clip(fields.reason)
    const data: EventData = event.data
    // for...in rather than Object.entries: no array per event (tx_received is one per transaction).
    for (const key in data) {
      const value = data[key]
      if (typeof value === 'string' && value.length > FIELD_TEXT_MAX) data[key] = clip(value)
    }
    const stored = this.ring.append(event)
    this.emitted[type] = (this.emitted[type] ?? 0) + 1
    for (const listener of this.listeners) listener(stored)
  }

  /** Takes a verdict on a peer's message (sampled into peer_verdict events: verdicts.ts); ignored while stopped. */
  verdict (verdict: VerdictInput): void {
    this.sampler?.add(verdict)
  }

  /**
   * A page of stored events matching the query.
   * @throws InvalidEventQueryError
   */
  async query (query: EventQuery, options: { signal?: AbortSignal } = {}): Promise<EventPage> {
    return queryRing(this.ring, query, options)
  }

  /**
   * Matching events after `cursor` (default: from now on), then live ones, until the signal fires.
   * Throws InvalidEventQueryError at once for a bad filter.
   */
  follow (filter: EventFilter, options: { cursor?: number, signal: AbortSignal }): AsyncIterable<NodeEvent> {
    validateQuery({ ...filter, ...(options.cursor === undefined ? {} : { cursor: options.cursor }) })
    return followRing(this.ring, listener => {
      this.listeners.add(listener)
      return () => { this.listeners.delete(listener) }
    }, filter, options)
  }

  /** Writes pending events now (tests, shutdown). */
  async flush (): Promise<void> {
    await this.ring.flush()
  }

  /** Figures of the log. */
  stats (): EventLogStats {
    return { stored: this.ring.size, oldestSeq: this.ring.oldestSeq, lastSeq: this.ring.lastSeq, emitted: { ...this.emitted }, droppedUnwritten: this.ring.droppedUnwritten }
  }

  private async prune (): Promise<void> {
    try {
      await this.ring.prune()
    } catch (err) {
      this.log.warn({ err }, 'could not prune old events')
    }
  }
}
