/**
 * The Events API operations (events.proto), transport-neutral like operations.ts: request messages
 * checked into event-log queries (InvalidArgumentError naming the field), events as proto messages.
 */
import type { Event, EventFilter as EventFilterMessage, FollowEventsRequest, ListEventsRequest, ListEventsResponse } from '../../protos/gen/sorcha/api/v1/events.ts'
import { EVENTS_PAGE_DEFAULT, EVENTS_PAGE_MAX } from '../events/constants.ts'
import { InvalidEventQueryError, validateQuery } from '../events/query.ts'
import { NODE_EVENT_TYPES, type EventFilter, type EventQuery, type NodeEvent, type NodeEventType } from '../events/types.ts'
import type { GatewayBackend } from './backend.ts'
import { InvalidArgumentError } from './errors.ts'
import { checkLimit, checkPeerId, checkTxId } from './validate.ts'

/** Most types one filter may name. */
const MAX_FILTER_TYPES = NODE_EVENT_TYPES.length

const REASONS: Record<string, string> = {
  types: 'invalid_event_type',
  limit: 'invalid_limit',
  cursor: 'invalid_cursor',
  sinceMs: 'invalid_time_range',
  untilMs: 'invalid_time_range',
  txId: 'invalid_tx_id'
}

/** An event-log filter from the request message. @throws InvalidArgumentError */
export function filterOf (message: EventFilterMessage | undefined): EventFilter {
  const filter: EventFilter = {}
  if (message === undefined) return filter
  if (message.types.length > MAX_FILTER_TYPES) throw new InvalidArgumentError('too_many_items', `types has more than ${MAX_FILTER_TYPES} entries`)
  if (message.types.length > 0) filter.types = message.types as NodeEventType[]
  if (message.peerId !== '') filter.peerId = checkPeerId(message.peerId)
  if (message.txId !== '') filter.txId = checkTxId(message.txId)
  if (message.sinceMs > 0) filter.sinceMs = message.sinceMs
  if (message.untilMs > 0) filter.untilMs = message.untilMs
  return filter
}

/** Runs the event log's own checks, as InvalidArgumentError. */
function checked (query: EventQuery): EventQuery {
  try {
    validateQuery(query)
  } catch (err) {
    if (err instanceof InvalidEventQueryError) throw new InvalidArgumentError(REASONS[err.field] ?? 'invalid_argument', err.message)
    throw err
  }
  return query
}

/** An event as the proto message: data values as text. */
export function eventMessage (event: NodeEvent): Event {
  const data: Record<string, string> = {}
  for (const [key, value] of Object.entries(event.data)) data[key] = String(value)
  return { seq: event.seq, atMs: event.atMs, type: event.type, peerId: event.peerId ?? '', txId: event.txId ?? '', reason: event.reason ?? '', data }
}

/**
 * A page of the event log.
 * @throws InvalidArgumentError (bad filter, limit or cursor), UnavailableError (no event log)
 */
export async function listEvents (backend: GatewayBackend, request: ListEventsRequest, options: { signal?: AbortSignal } = {}): Promise<ListEventsResponse> {
  const limit = checkLimit(request.limit, EVENTS_PAGE_DEFAULT, EVENTS_PAGE_MAX)
  const query = checked({ ...filterOf(request.filter), limit, newestFirst: request.newestFirst, ...(request.cursor > 0 ? { cursor: request.cursor } : {}) })
  const page = await backend.listEvents(query, options)
  return { events: page.events.map(eventMessage), nextCursor: page.nextCursor, more: page.more, oldestSeq: page.oldestSeq, lastSeq: page.lastSeq }
}

/**
 * Matching events after the cursor (or every held one with fromStart; none: from now on), then live
 * ones. Fails before the first event for a bad filter or a node without an event log.
 */
export function followEvents (backend: GatewayBackend, request: FollowEventsRequest, options: { signal: AbortSignal }): AsyncIterable<Event> {
  const filter = filterOf(request.filter)
  const cursor = request.fromStart ? 0 : request.cursor > 0 ? request.cursor : undefined
  checked({ ...filter, ...(cursor === undefined ? {} : { cursor }) })
  const events = backend.followEvents(filter, { ...(cursor === undefined ? {} : { cursor }), signal: options.signal })
  return (async function * () { for await (const event of events) yield eventMessage(event) })()
}
