/**
 * The durable outbound queue (docs/architecture.md, "Durability"): submissions written with a synced,
 * group-committed batch before they are acknowledged, flushed when the node can send, confirmed by k
 * peers through the have-query (/sorcha/tx-have/1.0.0). The gossip distributor owns one
 * (src/gossip/distributor-base.ts); apps see its figures in NodeInfo.queue and each transaction's
 * state in GetTransaction.
 */
export { OutboundQueue, type OutboundQueueInit, type QueueLinks, type QueueStore } from './outbound-queue.ts'
export { TxHave, type TxHaveComponents, type TxHaveInit, packBits, unpackBits } from './tx-have.ts'
export { GroupCommit } from './group-commit.ts'
export { QueueFullError, TxHaveError } from './errors.ts'
export { connectivityOf, sendingCheck, CONNECTIVITY_SERVICE } from './connectivity.ts'
export * from './constants.ts'
export type * from './types.ts'
