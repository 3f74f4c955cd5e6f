/**
 * The gRPC server of the app API on @grpc/grpc-js: the four API services, the standard health
 * service (grpc.health.v1, package grpc-health-check) and server reflection (@grpc/reflection, which
 * lists the API and the health service), over TLS when configured and mutual TLS when a client
 * certificate is required. The health service reports the node's readiness (src/probes/): service
 * "" and each API service are SERVING when the node is ready and NOT_SERVING otherwise.
 */
import { fileURLToPath } from 'node:url'
import { Server, ServerCredentials, ServerInterceptingCall, status as GrpcStatus, type ServerInterceptor } from '@grpc/grpc-js'
import { loadSync } from '@grpc/proto-loader'
import { ReflectionService } from '@grpc/reflection'
import { HealthImplementation, protoPath as HEALTH_PROTO, type ServingStatus } from 'grpc-health-check'
import { logger, type Logger } from '../../logging/index.ts'
import type { GatewayRecorder } from '../../metrics/gateway.ts'
import type { ProbeSource, ReadinessReport } from '../../probes/index.ts'
import { GRPC_TRANSPORT_SLACK_BYTES } from '../constants.ts'
import type { GatewayOperations } from '../operations.ts'
import type { RateLimiter } from '../rate-limiter.ts'
import type { ApiToken } from '../api-token.ts'
import type { TlsMaterial } from '../tls.ts'
import { ReloadableServerCredentials } from './credentials.ts'
import { CallGuard } from './call-context.ts'
import { apiDefinitions } from './definitions.ts'
import { connectivityHandlers } from './connectivity-handlers.ts'
import { eventHandlers } from './events-handlers.ts'
import { adminAccess } from '../../admin/access.ts'
import { adminHandlers } from './admin-handlers.ts'
import { communicationHandlers, discoveryHandlers, transactionHandlers } from './handlers.ts'

/** The API's proto files, relative to protos/. */
export const API_PROTO_FILES = [
  'sorcha/api/v1/peer_discovery.proto',
  'sorcha/api/v1/peer_communication.proto',
  'sorcha/api/v1/transaction_distribution.proto',
  'sorcha/api/v1/connectivity.proto',
  'sorcha/api/v1/events.proto',
  'sorcha/api/v1/admin.proto'
]
/** The protos/ directory of this package. */
export const PROTOS_DIR = fileURLToPath(new URL('../../../protos', import.meta.url))
/** Fully qualified names of the API services (also the health service's per-service keys). */
export const API_SERVICES = ['sorcha.api.v1.PeerDiscovery', 'sorcha.api.v1.PeerCommunication', 'sorcha.api.v1.TransactionDistribution', 'sorcha.api.v1.Connectivity', 'sorcha.api.v1.Events', 'sorcha.api.v1.Admin']

/** Options of the gRPC server. */
export interface GrpcGatewayInit {
  operations: GatewayOperations
  limiter: RateLimiter
  host: string
  port: number
  maxMessageBytes: number
  maxStreams: number
  /** The bearer token calls must carry (shared with the REST server; replaced on reload). */
  token: ApiToken
  /** TLS material; undefined = plaintext (h2c). */
  tls?: TlsMaterial
  /** With tls: require a client certificate signed by tls.ca. */
  requireClientCert?: boolean
  /** What the health service reports. @default SERVING while the server runs */
  readiness?: ProbeSource
  /** Records each finished call (src/metrics); none without. */
  metrics?: GatewayRecorder
}

const STATUS_NAMES = new Map(Object.entries(GrpcStatus).filter(([, v]) => typeof v === 'number').map(([k, v]) => [v as number, k]))

/**
 * Records every call's method, status and duration (the method path is one of the server's own):
 * when the server sends its status, or as CANCELLED when the client goes first (no status is sent).
 */
function metricsInterceptor (metrics: GatewayRecorder): ServerInterceptor {
  return (method, call) => {
    const started = performance.now()
    let recorded = false
    const record = (status: string): void => {
      if (recorded) return
      recorded = true
      metrics.request('grpc', method.path, status, (performance.now() - started) / 1000)
    }
    return new ServerInterceptingCall(call, {
      start: next => { next({ onCancel: () => { record('CANCELLED') } }) },
      sendStatus: (status, next) => {
        record(STATUS_NAMES.get(status.code) ?? 'UNKNOWN')
        next(status)
      }
    })
  }
}

/** The names the health service answers for: "" (the whole server) and each API service. */
export const HEALTH_SERVICES = ['', ...API_SERVICES]

/** The gRPC server. start/stop idempotent. */
export class GrpcGateway {
  private readonly init: GrpcGatewayInit
  private readonly log: Logger
  private server: Server | undefined
  private guard: CallGuard | undefined
  private health: HealthImplementation | undefined
  private credentials: ReloadableServerCredentials | undefined
  private boundPort = 0
  private readonly onReadiness = (event: CustomEvent<ReadinessReport>): void => { this.setHealth(event.detail.ready ? 'SERVING' : 'NOT_SERVING') }

  constructor (init: GrpcGatewayInit) {
    this.init = init
    this.log = logger('sorcha:gateway', { transport: 'grpc' })
  }

  /** The bound port (after start). */
  get port (): number {
    return this.boundPort
  }

  /** Streaming calls open now. */
  get openStreams (): number {
    return this.guard?.openStreams ?? 0
  }

  /** host:port clients dial. */
  get address (): string {
    const host = this.init.host.includes(':') ? `[${this.init.host}]` : this.init.host
    return `${host}:${this.boundPort}`
  }

  async start (): Promise<void> {
    if (this.server !== undefined) return
    const { init } = this
    const server = new Server({
      // Read somewhat more than the API limit, so an oversized request reaches our decoder and gets
      // INVALID_ARGUMENT with a reason; beyond the slack grpc-js answers RESOURCE_EXHAUSTED itself.
      'grpc.max_receive_message_length': init.maxMessageBytes + GRPC_TRANSPORT_SLACK_BYTES,
      'grpc.max_send_message_length': init.maxMessageBytes + GRPC_TRANSPORT_SLACK_BYTES,
      ...(init.metrics === undefined ? {} : { interceptors: [metricsInterceptor(init.metrics)] })
    })
    const guard = new CallGuard({ token: init.token, limiter: init.limiter, maxStreams: init.maxStreams })
    const defs = apiDefinitions(init.maxMessageBytes)
    server.addService(defs.discovery, discoveryHandlers(init.operations, guard))
    server.addService(defs.communication, communicationHandlers(init.operations, guard))
    server.addService(defs.transactions, transactionHandlers(init.operations, guard))
    server.addService(defs.connectivity, connectivityHandlers(init.operations, guard))
    server.addService(defs.events, eventHandlers(init.operations, guard))
    server.addService(defs.admin, adminHandlers(init.operations.backend.admin, guard, adminAccess({ host: init.host, hostSetting: 'gateway.grpc.host', token: init.token.required, clientCertificates: init.tls !== undefined && init.requireClientCert === true })))
    const initial: ServingStatus = init.readiness === undefined || init.readiness.readiness().ready ? 'SERVING' : 'NOT_SERVING'
    const health = new HealthImplementation(Object.fromEntries(HEALTH_SERVICES.map(s => [s, initial])))
    health.addToServer(server)
    const options = { keepCase: false, longs: Number, enums: String, defaults: true, oneofs: true }
    // Reflection lists what its package definition holds: the API, and the health service too.
    const packageDefinition = { ...loadSync(API_PROTO_FILES, { ...options, includeDirs: [PROTOS_DIR] }), ...loadSync(HEALTH_PROTO, options) }
    new ReflectionService(packageDefinition).addToServer(server)
    const secure = init.tls === undefined ? undefined : new ReloadableServerCredentials(init.tls, init.requireClientCert === true)
    const credentials = secure ?? ServerCredentials.createInsecure()
    const host = init.host.includes(':') ? `[${init.host}]` : init.host
    this.boundPort = await new Promise<number>((resolve, reject) => {
      server.bindAsync(`${host}:${init.port}`, credentials, (err, port) => { if (err === null) resolve(port); else reject(err) })
    })
    this.server = server
    this.credentials = secure
    this.guard = guard
    this.health = health
    init.readiness?.addEventListener('readiness:change', this.onReadiness)
    // Readiness may have changed while the server was binding.
    if (init.readiness !== undefined) this.setHealth(init.readiness.readiness().ready ? 'SERVING' : 'NOT_SERVING')
    this.log.debug({ address: this.address, tls: init.tls !== undefined, mtls: init.requireClientCert === true }, 'gRPC API listening')
  }

  /** Marks the services NOT_SERVING, ends open streams, then shuts down (forcibly after `graceMs`). */
  async stop (graceMs = 2000): Promise<void> {
    const server = this.server
    if (server === undefined) return
    this.server = undefined
    this.credentials = undefined
    this.init.readiness?.removeEventListener('readiness:change', this.onReadiness)
    this.setHealth('NOT_SERVING')
    this.guard?.abortAll()
    await new Promise<void>(resolve => {
      const timer = setTimeout(() => { server.forceShutdown(); resolve() }, graceMs)
      server.tryShutdown(() => { clearTimeout(timer); resolve() })
    })
    this.log.debug('gRPC API stopped')
  }

  /** New TLS material for the connections accepted from now on (open ones keep theirs). */
  updateTls (tls: TlsMaterial): void {
    this.credentials?.update(tls)
  }

  private setHealth (status: ServingStatus): void {
    for (const name of HEALTH_SERVICES) this.health?.setStatus(name, status)
  }
}
