/** Types of the outbound queue: per-transaction state, statistics, and the seams to gossip and connectivity. */
import type { Transaction } from '../../protos/gen/sorcha/p2p/v1/tx_gossip.ts'

/**
 * Where a transaction stands on this node: `queued` (submitted here, on disk, not handed to a peer
 * yet), `announced` (handed to the gossip layer; fewer than k peers confirmed holding it),
 * `confirmed` (k peers hold it), `received` (it came from a peer).
 */
export type TxState = 'queued' | 'announced' | 'confirmed' | 'received'

/** The `queue` configuration section. */
export interface QueueConfig {
  maxDepth: number
  maxBytes: number
  confirmations: number
  retryInitialMs: number
  retryMaxMs: number
}

/** The queue's figures (NodeInfo.queue). */
export interface QueueStats {
  /** Unconfirmed transactions: queued + announced. */
  depth: number
  queued: number
  announced: number
  /** Age of the oldest unconfirmed transaction; 0 when empty. */
  oldestAgeMs: number
  /** Payload bytes of the unconfirmed transactions. */
  bytes: number
  maxDepth: number
  maxBytes: number
  /** k. */
  confirmations: number
  /** Confirmed since start. */
  confirmed: number
  /** The node can send now. */
  sending: boolean
  /** Synced batches written and submissions they held, since start (group commit; benchmarks). */
  commits: { batches: number, items: number, largest: number }
}

/**
 * How the queue hands transactions to the network: each gossip strategy implements it
 * (sorcha-distributor.ts, gossipsub-distributor.ts).
 */
export interface QueueTransport {
  /** Peers a transaction of this register can be sent to now; 0 keeps it queued. */
  reach: (registerId: string) => number
  /** How many more first sends the strategy takes now (back-pressure); it calls `poke` when it has room again. */
  room: () => number
  /** The first send of a transaction in this process; true if it went to at least one peer. */
  announce: (id: string, transaction: Transaction) => boolean | Promise<boolean>
  /** Sends a transaction again, to `peers` that reported not holding it (the strategy may reach further). */
  resend: (id: string, transaction: Transaction, peers: readonly string[]) => void | Promise<void>
}

/** Asks peers which transactions their stores hold (tx-have.ts). */
export interface HaveQuery {
  /** Connected peers that speak the have-query protocol. */
  peers: () => string[]
  /** For each id, whether `peer`'s store holds it; rejects (TxHaveError) when the peer gives no answer. */
  ask: (peer: string, ids: readonly string[], options?: { signal?: AbortSignal }) => Promise<boolean[]>
}

/** States of the connectivity service in which the queue sends (CONTRACTS16.md). */
export const USABLE_CONNECTIVITY_STATES: ReadonlySet<string> = new Set(['online', 'degraded'])

/**
 * The connectivity service as the queue uses it (protocols/connectivity, built by the connectivity service):
 * an optional component; the queue needs only its state and its change event.
 */
export interface ConnectivityView {
  readonly state: string
  addEventListener: (type: 'connectivity:change', listener: () => void) => void
  removeEventListener: (type: 'connectivity:change', listener: () => void) => void
}
