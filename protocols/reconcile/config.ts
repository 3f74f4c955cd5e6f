/** Defaults and checks of the reconciliation core's configuration (SPEC.md §9.6). */
import { ALL_REGISTERS, type ReconcileConfig } from './types.ts'

/** Protocol id of reconciliation on libp2p. */
export const TX_RECONCILE_PROTOCOL = '/sorcha/tx-reconcile/1.0.0'

const DAY_MS = 24 * 60 * 60 * 1000

/** A configuration value is out of range; `field` names it. */
export class ReconcileConfigError extends Error {
  override name = 'ReconcileConfigError'
  readonly field: string
  constructor (field: string, reason: string) {
    super(`tx-reconcile config: ${field} ${reason}`)
    this.field = field
  }
}

/** The defaults of every setting (SPEC.md §9.6 explains them). */
export const DEFAULT_RECONCILE_CONFIG: Readonly<ReconcileConfig> = Object.freeze({
  scopes: Object.freeze([ALL_REGISTERS]),
  buckets: 16,
  idListThreshold: 16,
  maxItemsPerMessage: 8192,
  maxRangesPerMessage: 2048,
  maxRounds: 64,
  sessionTimeoutMs: 30_000,
  intervalMs: 60_000,
  onConnect: true,
  minPeerGapMs: 5_000,
  minInboundGapMs: 2_000,
  windowMs: 7 * DAY_MS,
  settleMs: 2_000,
  maxInboundSessions: 8,
  maxOutboundSessions: 1,
  maxPendingNeeds: 65_536,
  pullTimeoutMs: 60_000,
  cascade: true,
  maxItems: 4_194_304,
  maxPeers: 256,
  resyncPeers: 2
})

const COUNTS: Array<[keyof ReconcileConfig, number, number]> = [
  ['buckets', 2, 256], ['idListThreshold', 1, 65_536], ['maxItemsPerMessage', 1, 65_536], ['maxRangesPerMessage', 6, 65_536],
  ['maxRounds', 2, 100_000], ['sessionTimeoutMs', 1, 2 ** 40], ['intervalMs', 0, 2 ** 40], ['minPeerGapMs', 0, 2 ** 40],
  ['minInboundGapMs', 0, 2 ** 40], ['windowMs', 1, 2 ** 52], ['settleMs', 0, 2 ** 40], ['maxInboundSessions', 0, 100_000],
  ['maxOutboundSessions', 1, 100_000], ['maxPendingNeeds', 0, 100_000_000], ['pullTimeoutMs', 1, 2 ** 40],
  ['maxItems', 1, 100_000_000], ['maxPeers', 1, 1_000_000], ['resyncPeers', 0, 1_000_000]
]

const SCOPE = /^(?:\*|[A-Za-z0-9][A-Za-z0-9._:-]{0,127})$/

/** Fills defaults and checks ranges; throws ReconcileConfigError naming the first bad field. */
export function resolveReconcileConfig (partial: Partial<ReconcileConfig> = {}): Readonly<ReconcileConfig> {
  const config: ReconcileConfig = { ...DEFAULT_RECONCILE_CONFIG, ...partial }
  for (const [field, min, max] of COUNTS) {
    const value = config[field] as number
    if (!Number.isInteger(value) || value < min || value > max) throw new ReconcileConfigError(field, `must be an integer from ${min} to ${max}`)
  }
  if (!Array.isArray(config.scopes) || config.scopes.length === 0 || config.scopes.length > 1024 || !config.scopes.every(s => typeof s === 'string' && SCOPE.test(s))) {
    throw new ReconcileConfigError('scopes', "must list 1 to 1024 register ids, or '*' for all")
  }
  // A split must fit in one message with room for the ranges around it (SPEC.md §9.5).
  if (config.maxRangesPerMessage < 2 * config.buckets + 2) throw new ReconcileConfigError('maxRangesPerMessage', 'must be at least 2 × buckets + 2')
  if (config.maxItemsPerMessage < config.idListThreshold) throw new ReconcileConfigError('maxItemsPerMessage', 'must be at least idListThreshold')
  for (const flag of ['onConnect', 'cascade'] as const) {
    if (typeof config[flag] !== 'boolean') throw new ReconcileConfigError(flag, 'must be true or false')
  }
  return Object.freeze({ ...config, scopes: Object.freeze([...new Set(config.scopes)]) })
}
