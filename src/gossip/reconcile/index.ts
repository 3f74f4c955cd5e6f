/**
 * Reconciliation of the transaction store with peers (protocols/tx-gossip/SPEC.md §9): the adapter
 * (Reconciler), the pullers of each strategy, and the core settings a configuration implies.
 */
import type { ReconcileConfig } from '../../../protocols/reconcile/index.ts'
import type { Config } from '../../config/index.ts'

export { Reconciler, type Puller, type ReconcilerComponents, type ReconcilerInit, type ReconcilerStats } from './reconciler.ts'
export { InvPuller, type InvPullerInit } from './inv-puller.ts'
export { BodyPuller, type BodyPullerInit } from './body-puller.ts'
export { TX_RECONCILE_PROTOCOL } from '../../../protocols/reconcile/index.ts'

/** The core settings of a `gossip` configuration section, for a node serving `scopes`. */
export function reconcileCoreConfig (config: Readonly<Config['gossip']>, scopes: readonly string[]): Partial<ReconcileConfig> {
  const { intervalMs, onConnect, windowMs, settleMs, maxItems } = config.reconcile
  return { scopes, intervalMs, onConnect, windowMs, settleMs, maxItems }
}
