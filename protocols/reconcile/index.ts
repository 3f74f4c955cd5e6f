/** Range-based set reconciliation of the transactions nodes hold (protocols/tx-gossip/SPEC.md §9). */
export { createReconcileCore, type ReconcileCore } from './core.ts'
export { resolveReconcileConfig, ReconcileConfigError, DEFAULT_RECONCILE_CONFIG, TX_RECONCILE_PROTOCOL } from './config.ts'
export { siphash24, type SipKey } from './siphash.ts'
export { compareBounds } from './validate.ts'
export { ALL_REGISTERS } from './types.ts'
export type * from './types.ts'
export { encodeReconcile, decodeReconcile, encodeBodyRequest, encodeBodyResponse, type InboundReconcileFrame } from './wire.ts'
