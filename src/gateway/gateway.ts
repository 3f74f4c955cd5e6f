/**
 * The gateway: one backend, one operations layer, one rate limiter, and the two servers (gRPC and
 * REST) configured from the `gateway` section. start/stop idempotent; stop ends open streams.
 */
import { bindErrorFor, type Config } from '../config/index.ts'
import type { GatewayRecorder } from '../metrics/gateway.ts'
import type { Registry } from 'prom-client'
import type { ProbeSource } from '../probes/index.ts'
import type { GatewayBackend } from './backend.ts'
import { GrpcGateway } from './grpc/server.ts'
import { GatewayOperations } from './operations.ts'
import { RateLimiter } from './rate-limiter.ts'
import { RestGateway } from './rest/server.ts'
import { ApiToken } from './api-token.ts'
import { checkExposure } from './exposure.ts'
import { SecretsReloader, type ReloadCause, type ReloadOutcome } from './secrets-reloader.ts'
import { loadSecrets } from './tls.ts'

/** The `gateway` section of the configuration. */
export type GatewayConfig = Config['gateway']

/** Options of a gateway. */
export interface GatewayInit {
  backend: GatewayBackend
  config: GatewayConfig
  /** Software version reported to apps. @default package version */
  version?: string
  /** What the gRPC health service reports (the node's readiness). @default SERVING while running */
  readiness?: ProbeSource
  /** Records requests (src/metrics); none without. */
  metrics?: GatewayRecorder
  /** The node's metrics registry (the dashboard's byte and latency charts); none without. */
  registry?: Registry
}

const hostPort = (endpoint: { host: string, port: number }): string =>
  `${endpoint.host.includes(':') ? `[${endpoint.host}]` : endpoint.host}:${endpoint.port}`

/** The running API servers. */
export class Gateway {
  readonly operations: GatewayOperations
  readonly limiter: RateLimiter
  private readonly init: GatewayInit
  private grpcServer: GrpcGateway | undefined
  private restServer: RestGateway | undefined
  private secrets: SecretsReloader | undefined
  private transition: Promise<void> = Promise.resolve()

  constructor (init: GatewayInit) {
    this.init = init
    const { config } = init
    this.operations = new GatewayOperations({ backend: init.backend, maxMessageBytes: config.maxMessageBytes, version: init.version ?? '0.1.0' })
    this.limiter = new RateLimiter({ perSecond: config.rateLimit.perSecond, burst: config.rateLimit.burst })
  }

  /** host:port of the gRPC server (after start). */
  get grpcAddress (): string {
    return this.grpcServer?.address ?? ''
  }

  /** Base URL of the REST server (after start). */
  get restUrl (): string {
    return this.restServer?.url ?? ''
  }

  /** Streaming calls open now on each server. */
  get openStreams (): { grpc: number, rest: number } {
    return { grpc: this.grpcServer?.openStreams ?? 0, rest: this.restServer?.openStreams ?? 0 }
  }

  /** The REST server (after start), e.g. to enumerate its routes. */
  get rest (): RestGateway | undefined {
    return this.restServer
  }

  /**
   * Reads the TLS certificate, key and CA bundle and the token file again and, when they changed and
   * are usable, makes new connections use them (open connections keep theirs); a file that cannot be
   * read or used keeps the previous material and logs one warning. Never throws.
   */
  async reload (cause: ReloadCause = 'request'): Promise<ReloadOutcome> {
    return this.secrets?.reload(cause) ?? 'unchanged'
  }

  /**
   * Checks where the servers may listen, reads the TLS files and the token, starts both servers and,
   * with gateway.reloadOnChange, watches the files. Idempotent.
   * @throws InsecureApiError, TlsFileError, or a StartupError for a failed bind
   */
  async start (): Promise<void> {
    this.transition = this.transition.catch(() => {}).then(async () => {
      if (this.grpcServer !== undefined) return
      const { config } = this.init
      checkExposure(config)
      const initial = await loadSecrets(config)
      const { tls } = initial
      const token = new ApiToken(initial.token)
      const common = {
        operations: this.operations,
        limiter: this.limiter,
        maxMessageBytes: config.maxMessageBytes,
        maxStreams: config.maxStreams,
        token,
        requireClientCert: config.tls.requireClientCert,
        ...(tls === undefined ? {} : { tls }),
        ...(this.init.metrics === undefined ? {} : { metrics: this.init.metrics })
      }
      const grpc = new GrpcGateway({ ...common, host: config.grpc.host, port: config.grpc.port, ...(this.init.readiness === undefined ? {} : { readiness: this.init.readiness }) })
      const rest = new RestGateway({ ...common, host: config.rest.host, port: config.rest.port, corsOrigins: config.rest.corsOrigins, version: this.init.version ?? '0.1.0', ...(this.init.registry === undefined ? {} : { registry: this.init.registry }) })
      // A failed bind becomes a StartupError naming the setting (AddressInUseError: gateway.grpc.port...).
      await grpc.start().catch((err: unknown) => { throw bindErrorFor('gateway.grpc.port', hostPort(config.grpc), err) })
      try {
        await rest.start()
      } catch (err) {
        await grpc.stop()
        throw bindErrorFor('gateway.rest.port', hostPort(config.rest), err)
      }
      this.grpcServer = grpc
      this.restServer = rest
      const secrets = new SecretsReloader(config, initial)
      secrets.onChange(next => {
        if (next.tls !== undefined) { grpc.updateTls(next.tls); rest.updateTls(next.tls) }
        token.set(next.token)
      })
      if (config.reloadOnChange) secrets.watch()
      this.secrets = secrets
    })
    return this.transition
  }

  /** Stops both servers (open streams end with UNAVAILABLE). Idempotent. */
  async stop (): Promise<void> {
    this.transition = this.transition.catch(() => {}).then(async () => {
      const grpc = this.grpcServer
      const rest = this.restServer
      this.grpcServer = undefined
      this.restServer = undefined
      this.secrets?.close()
      this.secrets = undefined
      await Promise.all([grpc?.stop(), rest?.stop()])
    })
    return this.transition
  }
}
