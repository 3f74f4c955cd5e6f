/**
 * The REST routes of the Connectivity service: the state, offline mode (suspend / resume) and an SSE
 * stream of its changes. Each route's `operationId` names the RPC it mirrors.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { toRestJson } from './proto-json.ts'
import { SUSPEND_BODY } from './request-schemas.ts'
import type { RouteContext } from './routes.ts'
import { streamSse, type SseEvent } from './sse.ts'

const API = 'sorcha.api.v1.'
const PROBLEM = { description: 'Problem (RFC 9457); code = gRPC status name', content: { 'application/problem+json': { schema: { $ref: 'Problem#' } } } }
const report = (description: string): Record<string, unknown> => ({ 200: { description, content: { 'application/json': { schema: { $ref: 'ConnectivityReport#' } } } }, '4XX': PROBLEM, '5XX': PROBLEM })

/** Registers the connectivity routes. */
export function connectivityRoutes (app: FastifyInstance, ctx: RouteContext): void {
  const { ops } = ctx
  const signal = (request: FastifyRequest): AbortSignal => (request as unknown as { sorchaSignal: AbortSignal }).sorchaSignal
  app.get('/v1/connectivity', { schema: { operationId: 'GetConnectivity', tags: ['Connectivity'], summary: 'The connectivity state (offline, connecting, online, degraded, suspended), why and since when, and the last transitions', response: report('The state') } },
    async request => toRestJson(`${API}ConnectivityReport`, await ops.connectivity({ signal: signal(request) })))
  app.post('/v1/connectivity/suspend', { schema: { operationId: 'Suspend', tags: ['Connectivity'], summary: 'Offline mode: close every peer connection, refuse new ones, pause health checks and discovery (persisted across restarts); answers once the connections are closed. The body is optional', body: SUSPEND_BODY, response: report('Suspended') } },
    async (request: FastifyRequest<{ Body: { note?: string } | null | undefined }>) =>
      toRestJson(`${API}ConnectivityReport`, await ops.suspend(request.body?.note ?? '', { signal: signal(request) })))
  app.post('/v1/connectivity/resume', { schema: { operationId: 'Resume', tags: ['Connectivity'], summary: 'Leave offline mode: allow connections again and dial bootstrap and known peers at once', response: report('Resumed') } },
    async request => toRestJson(`${API}ConnectivityReport`, await ops.resume({ signal: signal(request) })))
  app.get('/v1/connectivity/stream', { schema: { operationId: 'WatchConnectivity', tags: ['Connectivity'], summary: 'Server-Sent Events: one `status` event (data = ConnectivityStatus), then a `change` event per transition (data = ConnectivityChange)', response: { 200: { description: 'event: status, data: ConnectivityStatus; event: change, data: ConnectivityChange', content: { 'text/event-stream': { schema: { type: 'string' } } } }, '4XX': PROBLEM, '5XX': PROBLEM } } },
    async (request, reply) => {
      const controller = new AbortController()
      // Fails here, as a problem, when the node has no connectivity service: before the stream opens.
      const updates = ops.watchConnectivity({ signal: controller.signal })
      const release = ctx.openStream()
      await streamSse(request, reply, async function * (sig): AsyncGenerator<SseEvent> {
        sig.addEventListener('abort', () => { controller.abort() }, { once: true })
        for await (const update of updates) {
          if (update.status !== undefined) yield { event: 'status', data: toRestJson(`${API}ConnectivityStatus`, update.status) }
          else if (update.change !== undefined) yield { event: 'change', data: toRestJson(`${API}ConnectivityChange`, update.change) }
        }
      }, release, ctx.stopping)
    })
}
