/**
 * A Sorcha node: identity, database and libp2p, started and stopped as one. Domain services (peer
 * list, discovery, health, address, gossip, gateway) plug in as libp2p services, so libp2p starts
 * and stops them in order with the node; `start()` and `stop()` are idempotent, and stop undoes
 * everything start did (docs/conventions.md §3).
 *
 * Start order: database, libp2p (its services, then its listeners), then what serves the outside
 * world, only once libp2p listens: the operations listener (/livez, /readyz), the metrics listener
 * (/metrics, when metrics.enabled) and services with an
 * `afterListen` hook (the app gateway). A failure anywhere stops everything already started and
 * rejects with a StartupError naming the setting, so the process can exit instead of serving an API
 * over a node without a listener. Stop runs the other way; the operations listener closes last, so
 * /livez answers 503 while the node stops.
 */
import type { Libp2p, PeerId, ServiceMap } from '@libp2p/interface'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { createLibp2p } from 'libp2p'
import { TypedEventEmitter } from 'main-event'
import { multiaddr } from '@multiformats/multiaddr'
import { ListenFailedError, listenErrorFor, type Config } from '../config/index.ts'
import { logger, type Logger } from '../logging/index.ts'
import { bindNodeMetrics, createNodeMetrics, MetricsServer, type NodeMetrics } from '../metrics/index.ts'
import { NodeProbes, OpsServer } from '../probes/index.ts'
import { createStorage, type Storage } from '../storage/index.ts'
import { peerListGater } from '../peers/gater.ts'
import { ipDiversityGater } from '../peers/ip-diversity.ts'
import { connectivityGater, mergeGaters, type RefusalSource } from '../queue/connectivity-gater.ts'
import type { PeerList } from '../peers/types.ts'
import { defaultContributions } from './contributions.ts'
import { loadGossipStrategy } from '../gossip/strategy-loader.ts'
import { loadOrCreateIdentity, prepareDataDir } from './identity.ts'
import { coreServices, libp2pOptions } from './libp2p-options.ts'
import type { ListenFailures } from './listen-errors.ts'

/** What a service factory receives beyond libp2p's own components. */
export interface NodeContext {
  config: Readonly<Config>
  storage: Storage
  /** The node's peer id as a string (base58btc). */
  peerId: string
  /** Liveness and readiness (the gateway's gRPC health service reports them); absent in unit tests. */
  probes?: NodeProbes
  /** The node's metrics when metrics.enabled; services record into their domain's part (src/metrics). */
  metrics?: NodeMetrics
}

/**
 * A service that serves the outside world: the node calls `afterListen` once libp2p listens (after
 * libp2p's own start), in service order; a failure stops the node. libp2p's `beforeStop`/`stop`
 * undo it as usual.
 */
export interface AfterListen {
  afterListen: () => Promise<void> | void
}

const hasAfterListen = (service: unknown): service is AfterListen =>
  typeof (service as Partial<AfterListen> | null)?.afterListen === 'function'

/** A contribution to the node: extra libp2p services built with access to the node context. */
export type ServiceContribution = (context: NodeContext) => ServiceMap

/** Events a node emits. */
export interface SorchaNodeEvents {
  'node:started': CustomEvent<{ peerId: string }>
  'node:stopped': CustomEvent<{ peerId: string }>
}

/** Options for SorchaNode.create. */
export interface SorchaNodeOptions {
  /** Feature services (peer list, discovery, gossip...). @default defaultContributions(config) */
  contributions?: ServiceContribution[]
}

/** A running (or stopped) Sorcha node. */
export class SorchaNode extends TypedEventEmitter<SorchaNodeEvents> {
  readonly config: Readonly<Config>
  readonly libp2p: Libp2p<ServiceMap>
  readonly storage: Storage
  readonly peerId: PeerId
  /** True when the identity key was created by this process. */
  readonly identityCreated: boolean
  /** Liveness and readiness, updated as the node starts, stops and gains or loses peers. */
  readonly probes: NodeProbes
  /** The node's metrics (registry and families) when metrics.enabled. */
  readonly metrics: NodeMetrics | undefined
  private readonly log: Logger
  private readonly listenFailures: ListenFailures
  private readonly listeners = new Set<unknown>()
  private ops: OpsServer | undefined
  private metricsServer: MetricsServer | undefined
  private state: 'stopped' | 'starting' | 'started' | 'stopping' = 'stopped'
  private transition: Promise<void> = Promise.resolve()

  private constructor (config: Readonly<Config>, libp2p: Libp2p<ServiceMap>, storage: Storage, identityCreated: boolean, probes: NodeProbes, listenFailures: ListenFailures, metrics: NodeMetrics | undefined) {
    super()
    this.metrics = metrics
    this.config = config
    this.libp2p = libp2p
    this.storage = storage
    this.peerId = libp2p.peerId
    this.identityCreated = identityCreated
    this.probes = probes
    this.listenFailures = listenFailures
    this.log = logger('sorcha:node', { peer: libp2p.peerId.toString() })
    const peersChanged = (): void => { probes.update({ connectedPeers: libp2p.getPeers().length }) }
    libp2p.addEventListener('peer:connect', peersChanged)
    libp2p.addEventListener('peer:disconnect', peersChanged)
    libp2p.addEventListener('transport:listening', event => { this.listeners.add(event.detail); probes.update({ listeners: this.listeners.size }) })
    libp2p.addEventListener('transport:close', event => { this.listeners.delete(event.detail); probes.update({ listeners: this.listeners.size }) })
  }

  /**
   * Loads the identity and composes libp2p; does not start anything.
   * @throws IdentityUnreadableError, IdentityCorruptError, DataDirUnwritableError, OptionalModuleError
   */
  static async create (config: Readonly<Config>, options: SorchaNodeOptions = {}): Promise<SorchaNode> {
    // The gossipsub strategy's code, only when configured (src/gossip/strategy-loader.ts).
    await loadGossipStrategy(config.gossip.strategy)
    const { privateKey, created } = await loadOrCreateIdentity(config.dataDir)
    await prepareDataDir(config.dataDir)
    const storage = createStorage(config.dataDir)
    const probes = new NodeProbes({ listenAddresses: config.listen.length, bootstrapPeers: config.bootstrap.length })
    const metrics = config.metrics.enabled ? createNodeMetrics() : undefined
    const context: NodeContext = { config, storage, peerId: peerIdFromPrivateKey(privateKey).toString(), probes, ...(metrics === undefined ? {} : { metrics }) }
    const services: ServiceMap = { ...coreServices(config) }
    for (const contribute of options.contributions ?? defaultContributions(config)) Object.assign(services, contribute(context))
    // Bans live in the peer list and offline mode in the connectivity service, which exist only once
    // libp2p has built its services.
    const built: { libp2p?: Libp2p<ServiceMap> } = {}
    const gater = mergeGaters(
      peerListGater(() => built.libp2p?.services.peerList as PeerList | undefined),
      connectivityGater(() => built.libp2p?.services.connectivity as RefusalSource | undefined),
      ipDiversityGater({
        maxPerRange: config.connections.maxPeersPerIpRange,
        allow: [...config.connections.ipRangeAllow, ...config.connections.allow],
        connections: () => built.libp2p?.getConnections(),
        ...(metrics === undefined ? {} : { onRefused: () => { metrics.reputation.rangeRefused() } })
      })
    )
    const listenFailures: ListenFailures = new Map()
    const composed = libp2pOptions(config, privateKey, services, gater, listenFailures)
    if (metrics !== undefined) composed.metrics = metrics.libp2p
    built.libp2p = await createLibp2p(composed) as unknown as Libp2p<ServiceMap>
    if (metrics !== undefined) bindNodeMetrics(metrics, built.libp2p)
    return new SorchaNode(config, built.libp2p, storage, created, probes, listenFailures, metrics)
  }

  /** True between a completed start() and the next stop(). */
  get isStarted (): boolean {
    return this.state === 'started'
  }

  /** Base URL of the operations listener (/livez, /readyz) while it runs; '' otherwise. */
  get opsUrl (): string {
    return this.ops?.url ?? ''
  }

  /** Base URL of the metrics listener (/metrics) while it runs; '' otherwise. */
  get metricsUrl (): string {
    return this.metricsServer?.url ?? ''
  }

  /**
   * Opens the database, starts libp2p and every service, then the operations listener and the
   * services that serve the outside world (afterListen). Idempotent. On failure everything started
   * is stopped again.
   * @throws DatabaseLockedError, StorageOpenError, AddressInUseError (or another StartupError)
   */
  async start (): Promise<void> {
    return this.serialize(async () => {
      if (this.state === 'started') return
      this.setState('starting')
      try {
        await this.storage.open()
        this.probes.update({ databaseOpen: true })
        await this.startLibp2p()
        if (this.config.ops.enabled) {
          this.ops = new OpsServer({ host: this.config.ops.host, port: this.config.ops.port, probes: this.probes })
          await this.ops.start()
        }
        if (this.metrics !== undefined) {
          this.metrics.node.start()
          this.metricsServer = new MetricsServer({ host: this.config.metrics.host, port: this.config.metrics.port, render: this.metrics.render })
          await this.metricsServer.start()
        }
        for (const service of Object.values(this.libp2p.services)) {
          if (hasAfterListen(service)) await service.afterListen()
        }
      } catch (err) {
        await this.shutdown()
        throw err
      }
      this.setState('started')
      this.probes.update({ connectedPeers: this.libp2p.getPeers().length })
      this.log.info({ addresses: this.libp2p.getMultiaddrs().map(String) }, 'node started')
      this.safeDispatch('node:started')
    })
  }

  /** Stops every service and libp2p (closing connections), then flushes and closes the database. Idempotent. */
  async stop (): Promise<void> {
    return this.serialize(async () => {
      if (this.state === 'stopped') return
      this.setState('stopping')
      await this.shutdown()
      this.log.info('node stopped')
      this.safeDispatch('node:stopped')
    })
  }

  /** libp2p.start(), with a listen failure turned into a StartupError naming the address. */
  private async startLibp2p (): Promise<void> {
    this.listenFailures.clear()
    try {
      await this.libp2p.start()
    } catch (err) {
      const [failed, cause] = this.listenFailures.entries().next().value ?? []
      if (failed !== undefined) {
        // Name the address as configured (libp2p may print it differently).
        const configured = this.config.listen.find(a => multiaddr(a).toString() === failed) ?? failed
        throw listenErrorFor('listen', configured, cause)
      }
      if ((err as Error).name === 'UnsupportedListenAddressesError') throw new ListenFailedError('listen', this.config.listen.join(', '), 'no transport of this node can listen on it', err)
      throw err
    }
  }

  /** Undoes start, whatever part of it ran: libp2p and its services, the database, then the operations listener. */
  private async shutdown (): Promise<void> {
    try {
      await this.libp2p.stop()
    } finally {
      await this.storage.close()
      this.probes.update({ databaseOpen: false })
      this.setState('stopped')
      const ops = this.ops
      this.ops = undefined
      const metricsServer = this.metricsServer
      this.metricsServer = undefined
      this.metrics?.node.stop()
      await metricsServer?.stop()
      await ops?.stop()
    }
  }

  private setState (state: SorchaNode['state']): void {
    this.state = state
    this.probes.update({ lifecycle: state })
  }

  /** Runs lifecycle transitions one at a time; a failed one does not block the next. */
  private async serialize (step: () => Promise<void>): Promise<void> {
    const next = this.transition.catch(() => {}).then(step)
    this.transition = next
    return next
  }

  private safeDispatch (type: keyof SorchaNodeEvents): void {
    this.safeDispatchEvent(type, { detail: { peerId: this.peerId.toString() } })
  }
}
