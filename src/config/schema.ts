/**
 * The one configuration schema. Every setting is a leaf built in fields.ts, so that the loader can
 * derive its environment variable (SORCHA_HEALTH_INTERVAL_MS) and flag (--health-interval-ms) from
 * its path, and docs/configuration.md is generated from the same source (npm run generate).
 *
 * Each domain keeps its section in sections/<domain>.ts and adds one line below. Sections are strict,
 * so a misspelt key in a file is an error rather than a silently ignored line.
 */
import { z } from 'zod'
import { listenAddressList, multiaddrList, peerAddressList, text } from './fields.ts'
import { connectionsSection } from './sections/connections.ts'
import { discoverySection } from './sections/discovery.ts'
import { eventsSection } from './sections/events.ts'
import { gatewaySection } from './sections/gateway.ts'
import { gossipSection } from './sections/gossip.ts'
import { healthSection } from './sections/health.ts'
import { limitsSection } from './sections/limits.ts'
import { logSection } from './sections/log.ts'
import { metricsSection } from './sections/metrics.ts'
import { natSection } from './sections/nat.ts'
import { opsSection } from './sections/ops.ts'
import { peersSection } from './sections/peers.ts'
import { queueSection } from './sections/queue.ts'
import { reputationSection } from './sections/reputation.ts'
import { topologySection } from './sections/topology.ts'

/** The schema of the node's configuration, with every default filled in. */
export const configSchema = z.strictObject({
  dataDir: text('./sorcha-data', 'Directory for the node identity, the peer list and the transaction store', 'a directory path'),
  listen: listenAddressList(['/ip4/0.0.0.0/tcp/4100'], 'Addresses to listen on'),
  announce: multiaddrList([], 'Addresses to announce to peers instead of the listen addresses (e.g. a public address behind port forwarding)'),
  bootstrap: peerAddressList([], 'Peers to join the mesh through; empty makes this node a bootstrap node'),
  connections: connectionsSection,
  peers: peersSection,
  reputation: reputationSection,
  discovery: discoverySection,
  topology: topologySection,
  health: healthSection,
  nat: natSection,
  gossip: gossipSection,
  limits: limitsSection,
  queue: queueSection,
  gateway: gatewaySection,
  ops: opsSection,
  events: eventsSection,
  metrics: metricsSection,
  log: logSection
}).superRefine((config, ctx) => {
  // Cross-field rules; `params.allowed` is what the error message quotes.
  if (config.connections.min > config.connections.max) {
    ctx.addIssue({ code: 'custom', path: ['connections', 'min'], message: `must not exceed connections.max (${config.connections.max})`, params: { allowed: `an integer no greater than connections.max (${config.connections.max})` } })
  }
  if (config.health.removeAfterFailures < config.health.failureThreshold) {
    ctx.addIssue({ code: 'custom', path: ['health', 'removeAfterFailures'], message: 'must be at least health.failureThreshold', params: { allowed: `an integer no less than health.failureThreshold (${config.health.failureThreshold})` } })
  }
  if (config.queue.retryInitialMs > config.queue.retryMaxMs) {
    ctx.addIssue({ code: 'custom', path: ['queue', 'retryInitialMs'], message: 'must not exceed queue.retryMaxMs', params: { allowed: `an integer no greater than queue.retryMaxMs (${config.queue.retryMaxMs})` } })
  }
  if (config.discovery.bootstrapBackoffInitialMs > config.discovery.bootstrapBackoffMaxMs) {
    ctx.addIssue({ code: 'custom', path: ['discovery', 'bootstrapBackoffInitialMs'], message: 'must not exceed discovery.bootstrapBackoffMaxMs', params: { allowed: `an integer no greater than discovery.bootstrapBackoffMaxMs (${config.discovery.bootstrapBackoffMaxMs})` } })
  }
})

/** The validated, fully defaulted configuration. Frozen once loaded. */
export type Config = z.output<typeof configSchema>

/** What a configuration file may contain: any subset of Config. */
export type ConfigInput = z.input<typeof configSchema>
