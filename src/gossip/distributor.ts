/**
 * The node API of transaction distribution, shared by both strategies (sorcha and gossipsub):
 * publish, get, follow registers, and events. Apps reach it as `node.libp2p.services.gossip`
 * (see `gossipOf` in index.ts).
 */
import type { AbortOptions, Startable } from '@libp2p/interface'
import type { TypedEventTarget } from 'main-event'
import type { TransactionNotification } from '../../protocols/models/index.ts'
import type { Verdict } from '../../protocols/common/effects.ts'
import type { GossipStats } from '../../protocols/tx-gossip/types.ts'
import type { TxJournal } from './store/sequence.ts'
import type { QueueStats, TxState } from '../queue/types.ts'
import type { ReconcilerStats } from './reconcile/reconciler.ts'
import type { GossipsubCounts } from './gossipsub-counters.ts'

/** The strategies a node can run (config gossip.strategy). */
export type GossipStrategy = 'sorcha' | 'gossipsub'

/** What the application publishes. */
export interface PublishInput {
  registerId: string
  payload: Uint8Array
  /** Media type of the payload. @default 'application/octet-stream' */
  contentType?: string
  /** Publication time, unix ms. @default Date.now() */
  timestampMs?: number
}

/** The outcome of publish(). */
export interface PublishResult {
  /** Tx id, lower-case hex of SHA-256(payload). */
  txId: string
  notification: TransactionNotification
  /** True if the node already held this transaction (nothing was sent). */
  duplicate: boolean
  /**
   * Where it stands now: a new transaction is on disk (synced) and `queued` (not sent yet: the node
   * cannot send, has no peer for its register, or is flushing older ones) or `announced`.
   */
  state: TxState
}

/** A transaction as the application sees it. */
export interface ReceivedTransaction {
  txId: string
  /** The publisher's metadata; hopCount is the hops it took to reach this node. */
  notification: TransactionNotification
  payload: Uint8Array
  /** Peer it came from (this node's own id when published here). */
  from: string
  /** True when published by this node. */
  local: boolean
}

/** A stored transaction, with where it stands on this node. */
export interface StoredTransactionView extends ReceivedTransaction {
  state: TxState
}

/** Progress of a large transaction being fetched. */
export interface TxProgress {
  txId: string
  from: string
  receivedBytes: number
  totalBytes: number
}

/** A judgement of something a peer sent (for peer scoring; codes in SPEC.md §4.4). */
export interface GossipVerdict {
  peer: string
  verdict: Verdict
  code: string
}

/** Events of a distributor. */
export interface TxDistributorEvents {
  /** A new transaction of a followed register (exactly once per transaction per node). */
  'tx:received': CustomEvent<ReceivedTransaction>
  /** A multi-chunk fetch advanced. */
  'tx:progress': CustomEvent<TxProgress>
  /** A peer message was judged accept/ignore/reject. */
  'gossip:verdict': CustomEvent<GossipVerdict>
  /** The registers this node serves changed (follow, unfollow); the detail is the new list (empty: all). */
  'registers:changed': CustomEvent<{ registers: string[] }>
}

/** Counters of a distributor (cheap; used by benchmarks and metrics). */
export interface DistributorStats {
  strategy: GossipStrategy
  published: number
  /** New transactions received from peers. */
  delivered: number
  /** Full bodies (first chunks) received, duplicates included. */
  bodiesReceived: number
  /**
   * sorcha: payload bytes of the chunks received (duplicates included), and of those the bytes of
   * transactions of registers this node does not serve (a relay's, or a peer pushing what was not
   * asked; protocols/tx-gossip/SPEC.md §3.7).
   */
  payloadBytes?: { received: number, unserved: number }
  /**
   * sorcha: reads on the protocol's inbound streams (each a muxer data frame, holding one or more
   * frames): with bodiesReceived, how many bodies a peer's writes carry (each read costs a Noise
   * message, a Yamux frame and its window update).
   */
  inboundReads?: number
  /**
   * sorcha: bodies not queued for a peer because its channel was full (MAX_SERVE_JOBS_PER_PEER):
   * pushes dropped, and requests answered with notfound instead.
   */
  servesDropped?: { pushes: number, requests: number }
  /** Protocol bytes written to streams (frames incl. length prefixes). */
  bytesSent: number
  rejects: number
  peers: number
  store: { bytes: number, count: number }
  /** The sorcha core's counters (duplicates, recent set, summaries), while it runs. */
  core?: GossipStats
  /** Reconciliation's counters (protocols/tx-gossip/SPEC.md §9), when it runs. */
  reconcile?: ReconcilerStats
  /** gossipsub's own counts (gossipsub strategy, while metrics are on). */
  gossipsub?: GossipsubCounts
}

/** Transaction distribution over one strategy. */
export interface TxDistributor extends TypedEventTarget<TxDistributorEvents>, Startable {
  readonly strategy: GossipStrategy
  /**
   * Stores a transaction durably (synced, with its outbound queue record) and sends it when the node
   * can; throws TxTooLargeError, InvalidTransactionError, GossipNotStartedError, QueueFullError.
   */
  publish: (tx: PublishInput, options?: AbortOptions) => Promise<PublishResult>
  /** A stored transaction by id (32 bytes or 64 hex characters) and its state; throws InvalidTxIdError for anything else. */
  get: (txId: Uint8Array | string, options?: AbortOptions) => Promise<StoredTransactionView | undefined>
  /** Hand this register's transactions to the application (gossipsub: subscribe to its topic). */
  follow: (registerId: string) => void
  /** Stop following a register. */
  unfollow: (registerId: string) => void
  /** True if the register is served: its transactions reach the application (all do when none is followed explicitly, both strategies). */
  follows: (registerId: string) => boolean
  /** The registers this node serves, sorted; empty means every register (docs/configuration.md, gossip.registers). */
  registers: () => string[]
  /** True if this node handles every register's transactions whatever it serves (gossip.relayAllRegisters): advertised as the role relay. */
  relaysAll: () => boolean
  stats: () => DistributorStats
  /** The store's journal: every stored transaction (published here or received) in the order stored, numbered. */
  readonly journal: TxJournal
  /** The outbound queue's figures (depth, oldest age, confirmations). */
  queueStats: () => QueueStats
}
