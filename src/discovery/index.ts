/** Bootstrap, discovery and connection-target maintenance for a node. */
import type { Config } from '../config/index.ts'
import type { NodeContext, ServiceContribution } from '../node/sorcha-node.ts'
import type { TopologyParams } from '../../protocols/topology/index.ts'
import { EXHAUSTED_AFTER, MAX_TRACKED_PEERS, PEER_BACKOFF_INITIAL_MS, PEER_BACKOFF_MAX_MS, TICK_INTERVAL_MS } from './constants.ts'
import { topology } from './topology-service.ts'

export { PeerExchange, PEER_EXCHANGE_PROTOCOL } from './peer-exchange.ts'
export { topology, parseBootstrap, DIALABLE, TopologyService, type Topology, type TopologyInit, type TopologyComponents } from './topology-service.ts'

/** The core's parameters from the configuration. */
export function topologyParams (config: Readonly<Config>): TopologyParams {
  return {
    minConnections: config.connections.min,
    dialConcurrency: config.discovery.concurrency,
    bootstrapConcurrency: config.discovery.bootstrapConcurrency,
    bootstrapBackoffInitialMs: config.discovery.bootstrapBackoffInitialMs,
    bootstrapBackoffMaxMs: config.discovery.bootstrapBackoffMaxMs,
    peerBackoffInitialMs: PEER_BACKOFF_INITIAL_MS,
    peerBackoffMaxMs: PEER_BACKOFF_MAX_MS,
    targetKnownPeers: Math.min(config.discovery.targetKnownPeers, config.peers.maxKnown),
    exhaustedAfter: EXHAUSTED_AFTER,
    discoveryIntervalMs: config.discovery.intervalMs,
    refreshIntervalMs: config.discovery.refreshIntervalMs,
    exchangeIntervalMs: config.discovery.refreshIntervalMs,
    exchangeConcurrency: config.discovery.concurrency,
    tickIntervalMs: TICK_INTERVAL_MS,
    maxTrackedPeers: MAX_TRACKED_PEERS,
    registerDegree: config.topology.registerDegree
  }
}

/** Adds the topology maintainer as the `topology` service. */
export const topologyContribution: ServiceContribution = (ctx: NodeContext) => ({
  topology: topology({ params: topologyParams(ctx.config), bootstrap: [...ctx.config.bootstrap] })
})
