/**
 * The REST/JSON server of the app API on Fastify 5: routes under /v1 (routes.ts), request
 * validation by JSON Schema, errors as application/problem+json (problem.ts), SSE for streams, the
 * OpenAPI 3.1 document at /openapi.json (generated from the route schemas by @fastify/swagger), a
 * liveness route at /healthz, TLS (mutual TLS with gateway.tls.requireClientCert) when configured, the API
 * token and the shared per-client rate limit.
 */
import cors from '@fastify/cors'
import swagger from '@fastify/swagger'
import Fastify, { type FastifyError, type FastifyInstance, type FastifyRequest } from 'fastify'
import { logger, type Logger } from '../../logging/index.ts'
import { NotFoundError, ResourceExhaustedError, UnavailableError } from '../errors.ts'
import type { GatewayOperations } from '../operations.ts'
import type { RateLimiter } from '../rate-limiter.ts'
import { CORS_MAX_AGE_S } from '../constants.ts'
import type { ApiToken } from '../api-token.ts'
import type { TlsMaterial } from '../tls.ts'
import { edgeServerOptions, installEdges, methodNotAllowed } from './http-edges.ts'
import { fromFastifyError, PROBLEM_SCHEMA, sendProblem } from './problem.ts'
import { messageSchemas } from './proto-json.ts'
import { SUBMIT_BODY } from './request-schemas.ts'
import type { GatewayRecorder } from '../../metrics/gateway.ts'
import { connectivityRoutes } from './connectivity-routes.ts'
import { eventRoutes } from './events-routes.ts'
import { adminAccess } from '../../admin/access.ts'
import { adminRoutes } from './admin-routes.ts'
import { peerRoutes, transactionRoutes } from './routes.ts'
import { DASHBOARD_HEADER, DashboardAuth } from '../../dashboard/auth.ts'
import { DashboardFeed } from '../../dashboard/feed.ts'
import { dashboardRoutes } from '../../dashboard/routes.ts'
import { registrySource } from '../../dashboard/series.ts'
import type { Registry } from 'prom-client'
import { buildValidator } from './validation.ts'

/** Proto messages REST responses use (their schemas go into the OpenAPI document). */
const RESPONSE_TYPES = [
  'NodeInfo', 'NetworkHealth', 'ListPeersResponse', 'GetPeerResponse', 'FindPeersForRegisterResponse', 'PingResponse',
  'SendMessageResponse', 'DirectMessage', 'SubmitTransactionResponse', 'SubmitAck', 'TransactionHeader', 'TransactionEvent', 'ListTransactionsResponse',
  'ConnectivityReport', 'ConnectivityStatus', 'ConnectivityChange',
  'ListEventsResponse', 'Event'
].map(n => `sorcha.api.v1.${n}`)

/** Options of the REST server. */
export interface RestGatewayInit {
  operations: GatewayOperations
  limiter: RateLimiter
  host: string
  port: number
  maxMessageBytes: number
  maxStreams: number
  /** The bearer token requests must carry (shared with the gRPC server; replaced on reload). */
  token: ApiToken
  /** TLS material; undefined = plain HTTP. */
  tls?: TlsMaterial
  /** With tls: require a client certificate signed by tls.ca (mutual TLS). */
  requireClientCert?: boolean
  version: string
  /** Browser origins allowed by CORS (gateway.rest.corsOrigins); empty = no CORS headers. */
  corsOrigins?: readonly string[]
  /** Records each finished request (src/metrics); none without. */
  metrics?: GatewayRecorder
  /** The node's metrics registry, for the dashboard's byte and latency charts; none without. */
  registry?: Registry
}

/**
 * @fastify/cors options: the configured origins (echoed back, with Vary: Origin; `*` for any), the
 * methods and request headers the API uses, and the response headers a page may read. No
 * credentials: the API token travels in the authorization header, never in a cookie.
 */
function corsOptions (origins: readonly string[]): Record<string, unknown> {
  return {
    origin: origins.includes('*') ? '*' : [...origins],
    methods: ['GET', 'HEAD', 'POST'],
    allowedHeaders: ['authorization', 'content-type', 'last-event-id'],
    exposedHeaders: ['retry-after', 'x-sorcha-tx-id', 'allow'],
    maxAge: CORS_MAX_AGE_S,
    credentials: false,
    // A lone OPTIONS without the preflight headers is answered too, rather than with a text/plain 400.
    strictPreflight: false
  }
}

/**
 * Options of the HTTPS server: the certificate and key, and for mutual TLS the CA bundle client
 * certificates must chain to (a handshake without one, or with one from another CA, fails).
 */
function httpsOptions (tls: TlsMaterial, requireClientCert: boolean): Record<string, unknown> {
  return { ...contextOptions(tls, requireClientCert), ...(requireClientCert ? { requestCert: true, rejectUnauthorized: true } : {}) }
}

/** The parts of the HTTPS options a new secure context replaces. */
const contextOptions = (tls: TlsMaterial, requireClientCert: boolean): Record<string, unknown> =>
  ({ cert: tls.cert, key: tls.key, ...(requireClientCert ? { ca: tls.ca } : {}) })

/** Builds the Fastify app (not listening); exported for route enumeration in tests. */
export async function buildRestApp (init: RestGatewayInit, stopping: AbortSignal, streams: { open: number }): Promise<FastifyInstance> {
  const app = Fastify({
    bodyLimit: init.maxMessageBytes,
    logger: false,
    ...(init.tls === undefined ? {} : { https: httpsOptions(init.tls, init.requireClientCert === true) }),
    schemaController: { compilersFactory: { buildValidator: buildValidator() } },
    ...edgeServerOptions()
  } as Parameters<typeof Fastify>[0]) as unknown as FastifyInstance
  // CORS first: its hook answers a preflight before the token check (a browser sends no token on one).
  if ((init.corsOrigins ?? []).length > 0) await app.register(cors, corsOptions(init.corsOrigins ?? []))
  installEdges(app, { defaultBodyLimit: init.maxMessageBytes, stopping })
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Sorcha Peer API', version: init.version, description: 'REST form of the sorcha.api.v1 gRPC services. Errors are application/problem+json whose `code` is the gRPC status name.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'gateway.token, when configured' } } },
      ...(init.token.required ? { security: [{ bearer: [] }] } : {})
    },
    refResolver: { buildLocalReference: (json: Record<string, unknown>, _base: unknown, _fragment: unknown, i: number) => typeof json.$id === 'string' ? json.$id : `def-${i}` }
  })
  for (const schema of messageSchemas(RESPONSE_TYPES).values()) app.addSchema(schema)
  app.addSchema(PROBLEM_SCHEMA)
  app.addSchema(SUBMIT_BODY)
  app.addSchema({ $id: 'SubmitBatchResponse', type: 'object', properties: { acks: { type: 'array', items: { $ref: 'SubmitAck#' } } }, required: ['acks'] })
  app.addSchema({ $id: 'TransactionResponse', type: 'object', properties: { header: { $ref: 'TransactionHeader#' }, payload: { type: 'string', format: 'byte' }, payloadIncluded: { type: 'boolean' } }, required: ['header', 'payload', 'payloadIncluded'] })

  const routes: Array<{ method: string, url: string, hidden: boolean }> = []
  app.addHook('onRoute', route => {
    for (const method of [route.method].flat()) routes.push({ method, url: route.url, hidden: (route.schema as { hide?: boolean } | undefined)?.hide === true })
  })
  app.decorate('sorchaRoutes', routes)
  const metrics = init.metrics
  // On the response's close, which comes whether it finished or the client left (an SSE stream ends
  // that way), once. The route pattern, never the raw URL: the label's values are the server's routes.
  if (metrics !== undefined) {
    app.addHook('onRequest', async (request, reply) => {
      const started = performance.now()
      reply.raw.once('close', () => { metrics.request('rest', `${request.method} ${request.routeOptions.url ?? 'unmatched'}`, String(reply.statusCode), (performance.now() - started) / 1000) })
    })
  }
  const dashboardAuth = new DashboardAuth(init.token)
  app.decorateRequest('sorchaSignal', null)
  app.addHook('onRequest', async (request, reply) => {
    if (!request.url.startsWith('/v1/') || request.method === 'OPTIONS') return
    // The dashboard's calls: its session cookie, with a header a cross-site form cannot send.
    const dashboard = request.headers.authorization === undefined && request.headers[DASHBOARD_HEADER] !== undefined && dashboardAuth.hasSession(request.headers.cookie)
    if (!dashboard) init.token.check(request.headers.authorization)
    init.limiter.take(request.ip)
    const controller = new AbortController()
    // The client going away before the response is finished cancels the work (like a gRPC cancel).
    reply.raw.once('close', () => { if (!reply.raw.writableFinished) controller.abort() })
    ;(request as unknown as { sorchaSignal: AbortSignal }).sorchaSignal = AbortSignal.any([controller.signal, stopping])
  })
  app.setErrorHandler(async (err: FastifyError, request, reply) => { await sendProblem(reply, fromFastifyError(err, request.routeOptions.bodyLimit ?? init.maxMessageBytes, request.routeOptions.url)) })
  app.setNotFoundHandler(async (request, reply) => {
    const wrongMethod = methodNotAllowed(routes, request.method, request.url)
    if (wrongMethod !== undefined) {
      reply.header('allow', wrongMethod.allow)
      await sendProblem(reply, wrongMethod.error)
      return
    }
    await sendProblem(reply, new NotFoundError('no_route', `no route ${request.method} ${request.url.split('?')[0] ?? ''}`))
  })

  const ctx = {
    ops: init.operations,
    stopping,
    takeItem: (request: FastifyRequest) => { init.limiter.take(request.ip) },
    openStream: () => {
      if (streams.open >= init.maxStreams) throw new ResourceExhaustedError('too_many_streams', `the server holds its maximum of ${init.maxStreams} streams`)
      streams.open++
      let released = false
      return () => { if (!released) { released = true; streams.open-- } }
    }
  }
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger())
  app.get('/healthz', { schema: { operationId: 'Liveness', tags: ['Health'], summary: 'Liveness of the API server (the REST form of grpc.health.v1)', response: { 200: { description: 'Serving', content: { 'application/json': { schema: { type: 'object', properties: { status: { type: 'string', enum: ['SERVING'] } }, required: ['status'] } } } } } } },
    async () => ({ status: 'SERVING' }))
  peerRoutes(app, ctx)
  transactionRoutes(app, ctx)
  connectivityRoutes(app, ctx)
  eventRoutes(app, ctx)
  const access = adminAccess({ host: init.host, hostSetting: 'gateway.rest.host', token: init.token.required, clientCertificates: init.tls !== undefined && init.requireClientCert === true })
  adminRoutes(app, ctx, access)
  const feed = new DashboardFeed(init.operations.backend, init.registry === undefined ? {} : { metrics: registrySource(init.registry) })
  stopping.addEventListener('abort', () => { feed.close() }, { once: true })
  app.decorate('sorchaDashboardFeed', feed)
  dashboardRoutes(app, { auth: dashboardAuth, feed, access, secure: init.tls !== undefined, openStream: ctx.openStream, stopping, limit: ctx.takeItem })
  return app
}

/** Every route the app registered (method, URL, hidden from the OpenAPI document or not). */
export function registeredRoutes (app: FastifyInstance): Array<{ method: string, url: string, hidden: boolean }> {
  return (app as unknown as { sorchaRoutes: Array<{ method: string, url: string, hidden: boolean }> }).sorchaRoutes
}

/** The REST server. start/stop idempotent. */
export class RestGateway {
  private readonly init: RestGatewayInit
  private readonly log: Logger
  private app: FastifyInstance | undefined
  private stopping = new AbortController()
  private readonly streams = { open: 0 }
  private boundPort = 0

  constructor (init: RestGatewayInit) {
    this.init = init
    this.log = logger('sorcha:gateway', { transport: 'rest' })
  }

  /** The bound port (after start). */
  get port (): number {
    return this.boundPort
  }

  /** Base URL clients use. */
  get url (): string {
    const host = this.init.host.includes(':') ? `[${this.init.host}]` : this.init.host
    return `${this.init.tls === undefined ? 'http' : 'https'}://${host}:${this.boundPort}`
  }

  /** Streams (SSE) open now. */
  get openStreams (): number {
    return this.streams.open
  }

  /** The Fastify app (after start), for route enumeration. */
  get fastify (): FastifyInstance | undefined {
    return this.app
  }

  async start (): Promise<void> {
    if (this.app !== undefined) return
    this.stopping = new AbortController()
    const app = await buildRestApp(this.init, this.stopping.signal, this.streams)
    await app.listen({ host: this.init.host, port: this.init.port })
    const address = app.server.address()
    this.boundPort = typeof address === 'object' && address !== null ? address.port : this.init.port
    this.app = app
    this.log.debug({ url: this.url, tls: this.init.tls !== undefined }, 'REST API listening')
  }

  /** New TLS material for the connections accepted from now on (open ones keep theirs). */
  updateTls (tls: TlsMaterial): void {
    const server = this.app?.server as { setSecureContext?: (options: Record<string, unknown>) => void } | undefined
    if (this.init.tls === undefined || server?.setSecureContext === undefined) return
    server.setSecureContext(contextOptions(tls, this.init.requireClientCert === true))
  }

  /** Ends open SSE streams (UNAVAILABLE), then closes the server. */
  async stop (): Promise<void> {
    const app = this.app
    if (app === undefined) return
    this.app = undefined
    this.stopping.abort(new UnavailableError('shutting_down', 'the server is shutting down'))
    await app.close()
    this.log.debug('REST API stopped')
  }
}
