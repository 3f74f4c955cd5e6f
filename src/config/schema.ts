/**
 * The one configuration schema. Every setting is a leaf built in fields.ts, so that the loader can
 * derive its environment variable (SORCHA_HEALTH_INTERVAL_MS) and flag (--health-interval-ms) from
 * its path, and docs/configuration.md is generated from the same source (npm run docs:config).
 *
 * A domain that needs settings adds one section object here; sections are strict, so a misspelt key
 * in a file is an error rather than a silently ignored line.
 */
import { z } from 'zod'
import { integer, multiaddrList, oneOf, text } from './fields.ts'

const SECOND_MS = 1000
const MINUTE_MS = 60 * SECOND_MS
const HOUR_MS = 60 * MINUTE_MS

const connections = z.strictObject({
  min: integer(0, 10_000, 8, 'Below this many open connections the node dials peers from its peer list and discovers more'),
  max: integer(1, 10_000, 64, 'The connection manager closes the least valuable connections above this many'),
  maxPendingInbound: integer(1, 10_000, 64, 'Inbound connections allowed to be mid-handshake at once; a bootstrap node needs room for a burst of joiners'),
  inboundPerIpPerSecond: integer(1, 100_000, 10, 'Inbound connection attempts accepted per second from one IP address (peers behind one NAT share an IP)'),
  allow: multiaddrList([], 'Addresses exempt from the inbound rate and connection limits, as multiaddr prefixes such as /ip4/10.0.0.0/ipcidr/8')
}).prefault({})

const peers = z.strictObject({
  maxKnown: integer(10, 1_000_000, 2_000, 'Most peers kept in the persisted peer list; beyond it the lowest-scored peer is evicted')
}).prefault({})

const discovery = z.strictObject({
  intervalMs: integer(1 * SECOND_MS, 24 * HOUR_MS, 30 * SECOND_MS, 'How often the topology maintainer checks the connection count and runs a discovery round if below target'),
  refreshIntervalMs: integer(10 * SECOND_MS, 24 * HOUR_MS, 5 * MINUTE_MS, 'How often a discovery round runs even when connections are at target, to keep the peer list fresh'),
  concurrency: integer(1, 64, 4, 'Discovery queries and dials run at once'),
  bootstrapConcurrency: integer(1, 64, 3, 'Bootstrap peers dialled at once'),
  bootstrapBackoffInitialMs: integer(10, 10 * MINUTE_MS, 1 * SECOND_MS, 'First wait before re-dialling a bootstrap peer that failed; doubles per failure, with jitter'),
  bootstrapBackoffMaxMs: integer(100, 24 * HOUR_MS, 2 * MINUTE_MS, 'Longest wait between bootstrap re-dials')
}).prefault({})

const health = z.strictObject({
  intervalMs: integer(1 * SECOND_MS, 24 * HOUR_MS, 30 * SECOND_MS, 'How often a sample of peers is pinged'),
  timeoutMs: integer(100, 10 * MINUTE_MS, 5 * SECOND_MS, 'A ping that takes longer counts as a failure'),
  sampleSize: integer(1, 10_000, 16, 'Peers pinged per health round, stalest first'),
  failureThreshold: integer(1, 1_000, 3, 'Consecutive failures after which a peer is marked unreachable'),
  removeAfterFailures: integer(1, 10_000, 6, 'Consecutive failures after which a peer is removed from the peer list'),
  removeAfterUnseenMs: integer(1 * MINUTE_MS, 365 * 24 * HOUR_MS, 24 * HOUR_MS, 'A peer not seen for this long is removed from the peer list')
}).prefault({})

const log = z.strictObject({
  level: oneOf(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'], 'info', 'Least severe log level written'),
  format: oneOf(['pretty', 'json'], 'pretty', 'pretty: human-readable lines; json: one JSON object per line')
}).prefault({})

/** The schema of the node's configuration, with every default filled in. */
export const configSchema = z.strictObject({
  dataDir: text('./sorcha-data', 'Directory for the node identity, the peer list and the transaction store', 'a directory path'),
  listen: multiaddrList(['/ip4/0.0.0.0/tcp/4100'], 'Addresses to listen on'),
  announce: multiaddrList([], 'Addresses to announce to peers instead of the listen addresses (e.g. a public address behind port forwarding)'),
  bootstrap: multiaddrList([], 'Peers to join the mesh through; empty makes this node a bootstrap node', true),
  connections,
  peers,
  discovery,
  health,
  log
}).superRefine((config, ctx) => {
  if (config.connections.min > config.connections.max) {
    ctx.addIssue({ code: 'custom', path: ['connections', 'min'], message: `must not exceed connections.max (${config.connections.max})`, params: { allowed: `an integer no greater than connections.max (${config.connections.max})` } })
  }
  if (config.health.removeAfterFailures < config.health.failureThreshold) {
    ctx.addIssue({ code: 'custom', path: ['health', 'removeAfterFailures'], message: 'must be at least health.failureThreshold', params: { allowed: `an integer no less than health.failureThreshold (${config.health.failureThreshold})` } })
  }
  if (config.discovery.bootstrapBackoffInitialMs > config.discovery.bootstrapBackoffMaxMs) {
    ctx.addIssue({ code: 'custom', path: ['discovery', 'bootstrapBackoffInitialMs'], message: 'must not exceed discovery.bootstrapBackoffMaxMs', params: { allowed: `an integer no greater than discovery.bootstrapBackoffMaxMs (${config.discovery.bootstrapBackoffMaxMs})` } })
  }
})

/** The validated, fully defaulted configuration. Frozen once loaded. */
export type Config = z.output<typeof configSchema>

/** What a configuration file may contain: any subset of Config. */
export type ConfigInput = z.input<typeof configSchema>
