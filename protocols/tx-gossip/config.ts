/** Resolving and checking a core's configuration (pure; a bad value is a programmer error and throws). */
import {
  DEFAULT_ANTI_ENTROPY_INTERVAL_MS, DEFAULT_FANOUT, DEFAULT_HOP_LIMIT, DEFAULT_INLINE_ACCEPT_MAX_BYTES,
  DEFAULT_INLINE_THRESHOLD_BYTES, DEFAULT_MAX_INFLIGHT, DEFAULT_MAX_INFLIGHT_BYTES, DEFAULT_MAX_INFLIGHT_BYTES_PER_SOURCE, DEFAULT_MAX_INFLIGHT_PER_SOURCE, DEFAULT_MAX_ITEMS_PER_MESSAGE, DEFAULT_MAX_PEERS,
  DEFAULT_MAX_ORIGINS, DEFAULT_PUSH_TREE_WAIT_MS, DEFAULT_MAX_SOURCES_PER_TX, DEFAULT_MAX_TX_BYTES, DEFAULT_MIN_SUMMARY_GAP_MS, DEFAULT_PUBLISH_PUSH_MAX_BYTES, DEFAULT_PUSH_C, DEFAULT_RECENT_MAX,
  DEFAULT_REQUEST_TIMEOUT_MS, DEFAULT_SEEN_EXPECTED_ITEMS, DEFAULT_SEEN_FP_RATE, DEFAULT_SEEN_GENERATION_MS,
  DEFAULT_SUMMARY_FP_RATE
} from './constants.ts'
import type { TxGossipConfig } from './types.ts'

/** A core configuration value is out of range; `field` names it. */
export class GossipConfigError extends Error {
  override name = 'GossipConfigError'
  readonly field: string
  constructor (field: string, reason: string) {
    super(`tx-gossip config: ${field} ${reason}`)
    this.field = field
  }
}

/** Mean plain-push fanout for a network of `networkSize` nodes: ln(N) + c (SPEC.md §6.1). */
export function pushFanoutMean (networkSize: number, c = DEFAULT_PUSH_C): number {
  return Math.log(Math.max(1, networkSize)) + c
}

/** The defaults of every setting. */
export const DEFAULT_GOSSIP_CONFIG: Readonly<TxGossipConfig> = Object.freeze({
  mode: 'announce',
  fanout: DEFAULT_FANOUT,
  pushFanoutMean: pushFanoutMean(1000),
  inlineThresholdBytes: DEFAULT_INLINE_THRESHOLD_BYTES,
  inlineAcceptMaxBytes: DEFAULT_INLINE_ACCEPT_MAX_BYTES,
  publishPushMaxBytes: DEFAULT_PUBLISH_PUSH_MAX_BYTES,
  maxTxBytes: DEFAULT_MAX_TX_BYTES,
  hopLimit: DEFAULT_HOP_LIMIT,
  antiEntropyIntervalMs: DEFAULT_ANTI_ENTROPY_INTERVAL_MS,
  antiEntropyOnConnect: true,
  minSummaryGapMs: DEFAULT_MIN_SUMMARY_GAP_MS,
  summaryFpRate: DEFAULT_SUMMARY_FP_RATE,
  recentMax: DEFAULT_RECENT_MAX,
  maxItemsPerMessage: DEFAULT_MAX_ITEMS_PER_MESSAGE,
  seenExpectedItems: DEFAULT_SEEN_EXPECTED_ITEMS,
  seenFpRate: DEFAULT_SEEN_FP_RATE,
  seenGenerationMs: DEFAULT_SEEN_GENERATION_MS,
  requestTimeoutMs: DEFAULT_REQUEST_TIMEOUT_MS,
  maxInflight: DEFAULT_MAX_INFLIGHT,
  maxInflightBytes: DEFAULT_MAX_INFLIGHT_BYTES,
  maxInflightPerSource: DEFAULT_MAX_INFLIGHT_PER_SOURCE,
  maxInflightBytesPerSource: DEFAULT_MAX_INFLIGHT_BYTES_PER_SOURCE,
  maxSourcesPerTx: DEFAULT_MAX_SOURCES_PER_TX,
  maxPeers: DEFAULT_MAX_PEERS,
  verifyBodies: true,
  pushTree: false,
  maxOrigins: DEFAULT_MAX_ORIGINS,
  pushTreeWaitMs: DEFAULT_PUSH_TREE_WAIT_MS
})

const COUNTS: Array<[keyof TxGossipConfig, number, number]> = [
  ['fanout', 0, 1024], ['inlineThresholdBytes', 0, 2 ** 31], ['inlineAcceptMaxBytes', 0, 2 ** 31], ['publishPushMaxBytes', 0, DEFAULT_INLINE_ACCEPT_MAX_BYTES],
  ['maxTxBytes', 0, 2 ** 40], ['hopLimit', 1, 255], ['antiEntropyIntervalMs', 0, 2 ** 40],
  ['minSummaryGapMs', 0, 2 ** 40], ['recentMax', 1, 10_000_000], ['maxItemsPerMessage', 1, 1_000_000],
  ['seenExpectedItems', 1, 100_000_000], ['seenGenerationMs', 1, 2 ** 40], ['requestTimeoutMs', 1, 2 ** 40],
  ['maxInflight', 1, 10_000_000], ['maxInflightBytes', 0, 2 ** 50], ['maxInflightPerSource', 1, 10_000_000], ['maxInflightBytesPerSource', 0, 2 ** 50], ['maxSourcesPerTx', 1, 1024], ['maxPeers', 1, 1_000_000], ['maxOrigins', 1, 1_000_000], ['pushTreeWaitMs', 0, 60_000]
]

// Configurations this module resolved (frozen, so they cannot have changed since): resolving one
// again returns it as it is, so many cores built from one resolved configuration share it.
const resolved = new WeakSet<object>()

/**
 * Fills defaults and checks ranges; throws GossipConfigError naming the first bad field. A
 * configuration this function returned is returned as it is.
 */
export function resolveGossipConfig (partial: Partial<TxGossipConfig> = {}): Readonly<TxGossipConfig> {
  if (resolved.has(partial)) return partial as Readonly<TxGossipConfig>
  const config: TxGossipConfig = { ...DEFAULT_GOSSIP_CONFIG, ...partial }
  if (config.mode !== 'announce' && config.mode !== 'push') throw new GossipConfigError('mode', 'must be announce or push')
  for (const [field, min, max] of COUNTS) {
    const value = config[field] as number
    if (!Number.isInteger(value) || value < min || value > max) throw new GossipConfigError(field, `must be an integer from ${min} to ${max}`)
  }
  for (const field of ['antiEntropyOnConnect', 'verifyBodies', 'pushTree'] as const) {
    if (typeof config[field] !== 'boolean') throw new GossipConfigError(field, 'must be true or false')
  }
  if (!(config.pushFanoutMean >= 0 && config.pushFanoutMean <= 1024)) throw new GossipConfigError('pushFanoutMean', 'must be a number from 0 to 1024')
  for (const field of ['summaryFpRate', 'seenFpRate'] as const) {
    if (!(config[field] > 0 && config[field] < 0.5)) throw new GossipConfigError(field, 'must be a number above 0 and below 0.5')
  }
  // The seen-set must outlive the recent list, or a transaction still offered in anti-entropy could be
  // forgotten and fetched twice (SPEC.md §6.3).
  if (config.seenExpectedItems < config.recentMax) throw new GossipConfigError('seenExpectedItems', 'must be at least recentMax')
  resolved.add(Object.freeze(config))
  return config
}
