/**
 * The narrow transaction interface the node backend needs from the gossip layer: publish, read a
 * stored transaction, and read the journal of every transaction the node stored (submitted here or
 * received by gossip). gossip-adapter.ts implements it over the gossip service; the memory backend has its own.
 */
import type { CallOptions, QueueStatsView, SubmitResult, TransactionMeta, TransactionStateName, TransactionSubmission } from './backend.ts'
import type { JournalSource } from './journal-source.ts'

/** A stored transaction's metadata and bytes. */
export interface StoredBody {
  meta: TransactionMeta
  /** Whole payload, or chunk reader for large ones. */
  payload?: Uint8Array
  read?: (chunkBytes: number, options?: CallOptions) => AsyncIterable<Uint8Array>
  /** Where it stands on this node. */
  state?: TransactionStateName
}

/** What the gateway needs from the node's transaction layer. */
export interface TransactionService {
  readonly maxTransactionBytes: number
  publish: (submission: TransactionSubmission, options?: CallOptions) => Promise<SubmitResult>
  /** undefined when not stored here. */
  get: (txId: string, options?: CallOptions) => Promise<StoredBody | undefined>
  /** The node's journal of stored transactions, in the order stored (subscriptions, listing). */
  journal: JournalSource
  /** True if the node hands this register's transactions to apps (gossip.registers). */
  follows: (registerId: string) => boolean
  /** The outbound queue's figures, when the layer has one. */
  queueStats?: () => QueueStatsView
}
