/**
 * The app gateway: gRPC (sorcha.api.v1) with a REST/JSON fallback, over a GatewayBackend.
 *
 * Wiring into a node, either:
 * - as a libp2p service: add `gatewayContribution` LAST in the node's contributions (it reads the
 *   other services by name; SorchaNode starts its servers once libp2p listens (`afterListen`), and
 *   libp2p stops them before the other services); or
 * - by hand: `const gateway = await startGateway(node)` after `node.start()`, and
 *   `await gateway.stop()` before `node.stop()`.
 * Either way the node also needs `directContribution` (src/direct) for direct messages.
 */
import type { Startable } from '@libp2p/interface'
import pkg from '../../package.json' with { type: 'json' }
import type { Config } from '../config/index.ts'
import type { AfterListen, ServiceContribution, SorchaNode } from '../node/sorcha-node.ts'
import type { GatewayRecorder } from '../metrics/gateway.ts'
import type { Registry } from 'prom-client'
import type { ProbeSource } from '../probes/index.ts'
import { gossipTransactions } from './gossip-adapter.ts'
import { Gateway, type GatewayConfig } from './gateway.ts'
import { NodeBackend } from './node-backend.ts'
import { partsOfComponents, partsOfNode, type GatewayComponents, type NodePartsOptions } from './node-parts.ts'

export { Gateway, type GatewayConfig, type GatewayInit } from './gateway.ts'
export type * from './backend.ts'
export { NodeBackend, type NodeParts } from './node-backend.ts'
export { MemoryBackend } from './memory-backend.ts'
export { TransactionJournal } from './journal.ts'
export * from './errors.ts'
export type { TransactionService } from './transactions.ts'

/** The software version apps see. */
export const VERSION: string = pkg.version

/** The gateway's name in the node's service map. */
export const GATEWAY_SERVICE = 'gateway'

/** How the gateway reads a node configured by `config`: its gossip service, its followed registers. */
export function defaultPartsOptions (config: Readonly<Config>): NodePartsOptions {
  return {
    version: VERSION,
    registers: () => [...config.gossip.registers],
    transactions: gossip => gossipTransactions(gossip, config.gossip.maxTxBytes)
  }
}

/** The backend over a started node. */
export function nodeBackend (node: SorchaNode, options: NodePartsOptions = {}): NodeBackend {
  return new NodeBackend(partsOfNode(node, { ...defaultPartsOptions(node.config), ...options }))
}

/**
 * Starts the gateway of a started node, configured by its `gateway` section; its gRPC health service
 * reports the node's readiness. The caller stops it.
 */
export async function startGateway (node: SorchaNode, options: NodePartsOptions & { config?: GatewayConfig } = {}): Promise<Gateway> {
  const backend = nodeBackend(node, options)
  const gateway = new Gateway({ backend, config: options.config ?? node.config.gateway, version: VERSION, readiness: node.probes })
  try {
    await gateway.start()
  } catch (err) {
    backend.close()
    throw err
  }
  return gateway
}

/** Options of the gateway service beyond how it reads the node. */
export interface GatewayServiceOptions extends NodePartsOptions {
  /** What the gRPC health service reports. @default always SERVING while the servers run */
  readiness?: ProbeSource
  /** Records API requests (src/metrics); none without. */
  metrics?: GatewayRecorder
  /** The node's metrics registry (the dashboard's charts); none without. */
  registry?: Registry
}

/**
 * The gateway as a libp2p service: its servers start once libp2p listens (SorchaNode calls
 * `afterListen`), and stop before any other service stops.
 */
export class GatewayService implements Startable, AfterListen {
  readonly [Symbol.toStringTag] = '@sorcha/gateway'
  private readonly components: GatewayComponents
  private readonly config: GatewayConfig
  private readonly options: GatewayServiceOptions
  private gateway: Gateway | undefined
  private backend: NodeBackend | undefined

  constructor (components: GatewayComponents, config: GatewayConfig, options: GatewayServiceOptions = {}) {
    this.components = components
    this.config = config
    this.options = options
  }

  /** The running gateway (between afterStart and beforeStop). */
  get current (): Gateway | undefined {
    return this.gateway
  }

  start (): void {}

  async afterListen (): Promise<void> {
    if (this.gateway !== undefined || !this.config.enabled) return
    const backend = new NodeBackend(partsOfComponents(this.components, this.options))
    const gateway = new Gateway({ backend, config: this.config, version: VERSION, ...(this.options.readiness === undefined ? {} : { readiness: this.options.readiness }), ...(this.options.metrics === undefined ? {} : { metrics: this.options.metrics }), ...(this.options.registry === undefined ? {} : { registry: this.options.registry }) })
    try {
      await gateway.start()
    } catch (err) {
      backend.close()
      throw err
    }
    this.backend = backend
    this.gateway = gateway
  }

  async beforeStop (): Promise<void> {
    const gateway = this.gateway
    this.gateway = undefined
    await gateway?.stop()
    this.backend?.close()
    this.backend = undefined
  }

  async stop (): Promise<void> {
    await this.beforeStop()
  }
}

/** js-libp2p service factory: `gatewayService(config)(components)`. */
export function gatewayService (config: GatewayConfig, options: GatewayServiceOptions = {}): (components: GatewayComponents) => GatewayService {
  return components => new GatewayService(components, config, options)
}

/** Adds the gateway to a node; put it after every other contribution. */
export const gatewayContribution: ServiceContribution = context => ({
  [GATEWAY_SERVICE]: gatewayService(context.config.gateway, { ...defaultPartsOptions(context.config), ...(context.probes === undefined ? {} : { readiness: context.probes }), ...(context.metrics === undefined ? {} : { metrics: context.metrics.gateway, registry: context.metrics.registry }) })
})
