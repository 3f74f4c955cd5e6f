/**
 * The REST routes of the Events service (events.proto): GET /v1/events (a page of the event log) and
 * GET /v1/events/stream (SSE; each event's SSE id is its seq, so Last-Event-ID resumes). Each route's
 * `operationId` names the RPC it mirrors.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { EVENTS_PAGE_DEFAULT, EVENTS_PAGE_MAX } from '../../events/constants.ts'
import { NODE_EVENT_TYPES } from '../../events/types.ts'
import { followEvents, listEvents } from '../event-operations.ts'
import { InvalidArgumentError } from '../errors.ts'
import { toRestJson } from './proto-json.ts'
import type { RouteContext } from './routes.ts'
import { streamSse, type SseEvent } from './sse.ts'

const API = 'sorcha.api.v1.'
const PROBLEM = { description: 'Problem (RFC 9457); code = gRPC status name', content: { 'application/problem+json': { schema: { $ref: 'Problem#' } } } }
const ERRORS = { '4XX': PROBLEM, '5XX': PROBLEM }
const MS = { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER }
const SEQ = { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER, 'x-reason': 'invalid_cursor' }

/** The filter's query parameters, shared by both routes. */
const FILTER = {
  // Type names are checked by the operations, so REST and gRPC say the same about an unknown one.
  type: { type: 'array', maxItems: NODE_EVENT_TYPES.length, items: { type: 'string', maxLength: 64 }, description: `repeatable; any of these event types: ${NODE_EVENT_TYPES.join(', ')}; none = every type` },
  // Peer and transaction ids too: the same checks and words as on gRPC (event-operations.ts).
  peerId: { type: 'string', maxLength: 128, description: 'only events about this peer (a libp2p peer id)' },
  txId: { type: 'string', maxLength: 128, description: 'only events about this transaction (64 lowercase hex characters)' },
  sinceMs: { ...MS, 'x-reason': 'invalid_time_range', description: 'at or after this time (unix epoch ms)' },
  untilMs: { ...MS, 'x-reason': 'invalid_time_range', description: 'before this time (unix epoch ms)' }
}

const LIST_QUERY = {
  type: 'object',
  properties: {
    ...FILTER,
    cursor: { ...SEQ, description: 'continue after this seq (before it with newestFirst): a nextCursor' },
    // The maximum is checked by the operations, in the same words as on gRPC.
    limit: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER, default: 0, 'x-reason': 'invalid_limit', description: `0 = server default (${EVENTS_PAGE_DEFAULT}); at most ${EVENTS_PAGE_MAX}` },
    newestFirst: { type: 'boolean', default: false }
  },
  additionalProperties: false
}

const STREAM_QUERY = {
  type: 'object',
  properties: {
    ...FILTER,
    cursor: { ...SEQ, description: 'replay held events after this seq first (or Last-Event-ID); none = only new events' },
    fromStart: { type: 'boolean', default: false, description: 'replay every held event first' }
  },
  additionalProperties: false
}

interface FilterQuery { type?: string[], peerId?: string, txId?: string, sinceMs?: number, untilMs?: number }

const filterOf = (q: FilterQuery): { types: string[], peerId: string, txId: string, sinceMs: number, untilMs: number } =>
  ({ types: q.type ?? [], peerId: q.peerId ?? '', txId: q.txId ?? '', sinceMs: q.sinceMs ?? 0, untilMs: q.untilMs ?? 0 })

/** Registers the events routes. */
export function eventRoutes (app: FastifyInstance, ctx: RouteContext): void {
  const { ops } = ctx
  const signal = (request: FastifyRequest): AbortSignal => (request as unknown as { sorchaSignal: AbortSignal }).sorchaSignal
  app.get('/v1/events', { schema: { operationId: 'ListEvents', tags: ['Events'], summary: 'A page of the event log: filters (type, peerId, txId, sinceMs, untilMs), oldest first or newestFirst, continued with cursor = nextCursor', querystring: LIST_QUERY, response: { 200: { description: 'A page', content: { 'application/json': { schema: { $ref: 'ListEventsResponse#' } } } }, ...ERRORS } } },
    async (request: FastifyRequest<{ Querystring: FilterQuery & { cursor?: number, limit: number, newestFirst: boolean } }>) => {
      const q = request.query
      return toRestJson(`${API}ListEventsResponse`, await listEvents(ops.backend, { filter: filterOf(q), cursor: q.cursor ?? 0, limit: q.limit, newestFirst: q.newestFirst }, { signal: signal(request) }))
    })
  app.get('/v1/events/stream', { schema: { operationId: 'FollowEvents', tags: ['Events'], summary: 'Server-Sent Events: an `event` per log entry (id = seq; data = Event), replaying after `cursor` or Last-Event-ID (or every held one with fromStart), then live', querystring: STREAM_QUERY, response: { 200: { description: 'event: event, id: seq, data: Event', content: { 'text/event-stream': { schema: { type: 'string' } } } }, ...ERRORS } } },
    async (request: FastifyRequest<{ Querystring: FilterQuery & { cursor?: number, fromStart: boolean } }>, reply) => {
      const lastEventId = request.headers['last-event-id']
      let cursor = request.query.cursor ?? 0
      if (request.query.cursor === undefined && typeof lastEventId === 'string' && lastEventId !== '') {
        if (!/^(0|[1-9][0-9]{0,15})$/.test(lastEventId)) throw new InvalidArgumentError('invalid_cursor', 'Last-Event-ID must be the seq of an event (a non-negative integer)')
        cursor = Number(lastEventId)
      }
      // Checked here, before the stream opens: a bad filter or a node without an event log is a problem response.
      const following = new AbortController()
      const events = followEvents(ops.backend, { filter: filterOf(request.query), cursor, fromStart: request.query.fromStart }, { signal: following.signal })
      const release = ctx.openStream()
      await streamSse(request, reply, async function * (sig): AsyncGenerator<SseEvent> {
        const stop = (): void => { following.abort() }
        sig.addEventListener('abort', stop, { once: true })
        try {
          for await (const event of events) yield { id: String(event.seq), event: 'event', data: toRestJson(`${API}Event`, event) }
        } finally {
          sig.removeEventListener('abort', stop)
          following.abort()
        }
      }, release, ctx.stopping)
    })
}
