/** Queries of the event ring with filters and cursor paging, and the validation of their input. */
import { EVENTS_PAGE_DEFAULT, EVENTS_PAGE_MAX, EVENTS_SCAN_MAX } from './constants.ts'
import type { EventRing } from './ring.ts'
import { isNodeEventType, NODE_EVENT_TYPES, type EventFilter, type EventPage, type EventQuery, type NodeEvent } from './types.ts'

/** A query or follow request that cannot be served; `message` says what is wrong and what is allowed. */
export class InvalidEventQueryError extends Error {
  override name = 'InvalidEventQueryError'
  /** The offending field (`types`, `limit`, `cursor`, `sinceMs`, `untilMs`, `txId`). */
  readonly field: string
  constructor (field: string, message: string) {
    super(message)
    this.field = field
  }
}

const TX_ID = /^[0-9a-f]{64}$/

/**
 * Checks a filter (and a query's limit and cursor); throws InvalidEventQueryError naming the field.
 * Type names are those of NODE_EVENT_TYPES.
 */
export function validateQuery (query: EventQuery): void {
  for (const type of query.types ?? []) {
    if (!isNodeEventType(type)) throw new InvalidEventQueryError('types', `unknown event type "${String(type)}"; known types: ${NODE_EVENT_TYPES.join(', ')}`)
  }
  if (query.limit !== undefined && (!Number.isInteger(query.limit) || query.limit < 1 || query.limit > EVENTS_PAGE_MAX)) {
    throw new InvalidEventQueryError('limit', `limit must be an integer from 1 to ${EVENTS_PAGE_MAX}, got ${query.limit}`)
  }
  if (query.cursor !== undefined && (!Number.isSafeInteger(query.cursor) || query.cursor < 0)) {
    throw new InvalidEventQueryError('cursor', `cursor must be a non-negative integer (a seq of this node's event log), got ${query.cursor}`)
  }
  for (const field of ['sinceMs', 'untilMs'] as const) {
    const value = query[field]
    if (value !== undefined && (!Number.isSafeInteger(value) || value < 0)) throw new InvalidEventQueryError(field, `${field} must be a time in milliseconds since the epoch, got ${value}`)
  }
  if (query.sinceMs !== undefined && query.untilMs !== undefined && query.sinceMs > query.untilMs) {
    throw new InvalidEventQueryError('untilMs', `untilMs (${query.untilMs}) must not be before sinceMs (${query.sinceMs})`)
  }
  if (query.txId !== undefined && !TX_ID.test(query.txId)) throw new InvalidEventQueryError('txId', `txId must be 64 lower-case hex characters, got "${query.txId}"`)
}

/** A predicate for `filter` (cheap: called for every live event per follower). */
export function matcher (filter: EventFilter): (event: NodeEvent) => boolean {
  const types = filter.types === undefined || filter.types.length === 0 ? undefined : new Set<string>(filter.types)
  const { peerId, txId, sinceMs, untilMs } = filter
  return event => (types === undefined || types.has(event.type)) &&
    (peerId === undefined || event.peerId === peerId) &&
    (txId === undefined || event.txId === txId) &&
    (sinceMs === undefined || event.atMs >= sinceMs) &&
    (untilMs === undefined || event.atMs < untilMs)
}

/**
 * One page of matching events, oldest first (or newest first), reading at most `scanMax` held
 * events; a partial page says `more` and its nextCursor continues the scan.
 * @throws InvalidEventQueryError
 */
export async function queryRing (ring: EventRing, query: EventQuery, options: { signal?: AbortSignal, scanMax?: number } = {}): Promise<EventPage> {
  validateQuery(query)
  const limit = query.limit ?? EVENTS_PAGE_DEFAULT
  const newestFirst = query.newestFirst === true
  const matches = matcher(query)
  const scanMax = options.scanMax ?? EVENTS_SCAN_MAX
  const events: NodeEvent[] = []
  let at = query.cursor ?? 0
  let scanned = 0
  let more = false
  for await (const event of ring.read(at, newestFirst, options.signal)) {
    if (events.length >= limit || scanned >= scanMax) {
      more = true
      break
    }
    scanned++
    at = event.seq
    if (matches(event)) events.push(event)
  }
  return { events, nextCursor: at, more, oldestSeq: ring.oldestSeq, lastSeq: ring.lastSeq }
}
