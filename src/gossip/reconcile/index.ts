/**
 * Reconciliation of the transaction store with peers (protocols/tx-gossip/SPEC.md §9): the adapter
 * (Reconciler), the pullers of each strategy, and the Reconciler each strategy builds.
 */
export { Reconciler, type Puller, type ReconcilerComponents, type ReconcilerInit, type ReconcilerStats } from './reconciler.ts'
export { InvPuller, type InvPullerInit } from './inv-puller.ts'
export { BodyPuller, type BodyPullerInit } from './body-puller.ts'
export { sorchaReconciler, gossipsubReconciler, reconcileCoreConfig, type StrategyReconcilerInit } from './strategies.ts'
export { TX_RECONCILE_PROTOCOL } from '../../../protocols/reconcile/index.ts'
