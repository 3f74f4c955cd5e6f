/**
 * Health monitoring as a libp2p service, and the contribution that adds the peer list and the health
 * monitor to a SorchaNode: `SorchaNode.create(config, { contributions: [peerHealthContribution()] })`.
 */
import type { Config } from '../config/index.ts'
import type { ServiceContribution } from '../node/sorcha-node.ts'
import { PEERS_SUBLEVEL, peerListService } from '../peers/index.ts'
import type { HealthRules } from '../../protocols/peer-health/index.ts'
import { HealthMonitor, type HealthMonitorComponents, type HealthMonitorInit } from './health-monitor.ts'
import type { PingFunction } from './types.ts'

export { HealthMonitor, type HealthMonitorComponents, type HealthMonitorInit } from './health-monitor.ts'
export { dialTarget, libp2pPing, type PingService } from './ping.ts'
export type { HealthRound, HealthSnapshot, PingFunction } from './types.ts'

/** Service names the contribution uses: `node.libp2p.services.peerList` and `.health`. */
export const PEER_LIST_SERVICE = 'peerList'
export const HEALTH_SERVICE = 'health'

/** Factory in the js-libp2p shape: `services: { health: healthMonitor(init) }` (needs a `peerList` service). */
export function healthMonitor (init: HealthMonitorInit = {}): (components: HealthMonitorComponents) => HealthMonitor {
  return components => new HealthMonitor(components, init)
}

/** The health rules of a configuration. */
export function healthRules (config: Readonly<Config>): HealthRules {
  const { failureThreshold, removeAfterFailures, removeAfterUnseenMs } = config.health
  return { failureThreshold, removeAfterFailures, removeAfterUnseenMs }
}

/** Options of the contribution (tests may fake the ping). */
export interface PeerHealthOptions {
  ping?: PingFunction
}

/** Adds the persisted peer list (`peerList`) and the health monitor (`health`) to a node. */
export function peerHealthContribution (options: PeerHealthOptions = {}): ServiceContribution {
  return ({ config, storage, peerId, metrics }) => ({
    [PEER_LIST_SERVICE]: peerListService({
      db: storage.sublevel(PEERS_SUBLEVEL), selfPeerId: peerId, maxKnown: config.peers.maxKnown, rules: healthRules(config)
    }),
    [HEALTH_SERVICE]: healthMonitor({
      intervalMs: config.health.intervalMs,
      timeoutMs: config.health.timeoutMs,
      sampleSize: config.health.sampleSize,
      minConnections: config.connections.min,
      ...(metrics === undefined ? {} : { metrics: metrics.health }),
      ...(options.ping === undefined ? {} : { ping: options.ping })
    })
  })
}
