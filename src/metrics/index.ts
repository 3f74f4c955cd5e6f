/**
 * Prometheus metrics for a node (docs/metrics.md): one prom-client Registry per node (several nodes
 * may share a process), libp2p's own metrics in the same registry, and one `create<Domain>Metrics`
 * per domain. Services take their domain's recorder as an optional `metrics` input (js-libp2p
 * style: without it they record nothing); what services already count is read at scrape time
 * (bind-node.ts), so the hot path pays nothing for it. What belongs to the whole process (Node.js
 * metrics, event-loop lag) is kept once per process (process.ts). The /metrics listener is server.ts.
 */
import type { ComponentLogger, Metrics } from '@libp2p/interface'
import { Registry } from 'prom-client'
import { createEventsMetrics, type EventsMetrics } from './events.ts'
import { createGatewayMetrics, type GatewayMetrics } from './gateway.ts'
import { createGossipMetrics, type GossipMetrics } from './gossip.ts'
import { createHealthMetrics, type HealthMetrics } from './health.ts'
import { libp2pMetrics } from './libp2p-metrics.ts'
import { createNodeStateMetrics, type NodeStateMetrics } from './node-state.ts'
import { createPeersMetrics, type PeersMetrics } from './peers.ts'
import { processMetrics } from './process.ts'
import { createQueueMetrics, type QueueMetrics } from './queue.ts'
import { createReputationMetrics, type ReputationMetrics } from './reputation.ts'

export { MetricsServer, type MetricsServerInit } from './server.ts'
export { bindNodeMetrics } from './bind-node.ts'
export type { GatewayRecorder, Api } from './gateway.ts'
export type { GossipRecorder, GossipKind } from './gossip.ts'
export type { HealthRecorder } from './health.ts'
export type { ReputationRecorder } from './reputation.ts'

/** The name services receive the metrics under (NodeContext.metrics). */
export const METRICS_SERVICE = 'metrics'

/** A node's metrics: the registry and every domain's families. */
export interface NodeMetrics {
  readonly registry: Registry
  readonly node: NodeStateMetrics
  readonly peers: PeersMetrics
  readonly health: HealthMetrics
  readonly reputation: ReputationMetrics
  readonly gossip: GossipMetrics
  readonly queue: QueueMetrics
  readonly gateway: GatewayMetrics
  readonly events: EventsMetrics
  /** libp2p's `metrics` option, registering libp2p's metrics in `registry`. */
  readonly libp2p: (components: { logger: ComponentLogger }) => Metrics
  /** Hands libp2p's per-stream byte counts over (render does it before rendering). */
  readonly flush: () => void
  /** The process-wide registry (Node.js metrics, event-loop lag), shared by the nodes of a process. */
  readonly process: Registry
  /** The Prometheus text exposition: the node's registry, then the process's. */
  render: () => Promise<string>
}

/** Creates a node's registry and the families of every domain in it. */
export function createNodeMetrics (): NodeMetrics {
  const registry = new Registry()
  const shared = processMetrics()
  const lib = libp2pMetrics(registry)
  return {
    registry,
    process: shared.registry,
    node: createNodeStateMetrics(registry, shared),
    peers: createPeersMetrics(registry),
    health: createHealthMetrics(registry),
    reputation: createReputationMetrics(registry),
    gossip: createGossipMetrics(registry),
    queue: createQueueMetrics(registry),
    gateway: createGatewayMetrics(registry),
    events: createEventsMetrics(registry),
    libp2p: lib.metrics,
    flush: lib.flush,
    render: async () => {
      lib.flush()
      return `${await registry.metrics()}\n${await shared.render()}`
    }
  }
}
