/**
 * The reconciliation core's public API (protocols/tx-gossip/SPEC.md §9): configuration, the logical
 * messages peers exchange, the inputs the core accepts and the effects it returns. wire.ts maps
 * messages to protobuf frames (tx_reconcile.proto) for the node (src/gossip/reconcile), and gives
 * the simulator their exact sizes.
 */
import type { TraceEffect, VerdictEffect } from '../common/effects.ts'

/** A transaction id: the lower-case hex of its SHA-256 (64 characters). */
export type TxKey = string

/** A peer handle chosen by the runtime (peer id strings in the node, node indices in the simulator). */
export type PeerHandle = string | number

/** The scope that covers every register (a node that stores and relays all of them). */
export const ALL_REGISTERS = '*'

/** Configuration of one core; every field has a default (config.ts). */
export interface ReconcileConfig {
  /** Scopes this node serves: ALL_REGISTERS, or register ids (sessions are per scope). */
  scopes: readonly string[]
  /** A differing range holding more than idListThreshold of the sender's items is split into this many. */
  buckets: number
  /** A differing range with at most this many of the sender's items is sent as an id list. */
  idListThreshold: number
  /** Items (ids + sizes) per message, sent and accepted. */
  maxItemsPerMessage: number
  /** Ranges per message, sent and accepted. */
  maxRangesPerMessage: number
  /** Messages one session may exchange before it is abandoned (counted on each side). */
  maxRounds: number
  /** A session with no message for this long is dropped. */
  sessionTimeoutMs: number
  /** Mean period of reconciliations with one random neighbour (jittered 0.5-1.5x); 0 = none. */
  intervalMs: number
  /** Reconcile with every neighbour this node dialled, when the connection opens. */
  onConnect: boolean
  /** This node starts no session with a peer it started one with less than this long ago (cascades excepted). */
  minPeerGapMs: number
  /** A peer may open sessions on a scope in a burst of 4, then one per this long; more are refused. */
  minInboundGapMs: number
  /** Sessions reconcile items with timestamps in [until - windowMs, until), until = now. */
  windowMs: number
  /** Needs younger than this may still be in flight by push: they are pulled, but start no cascade. */
  settleMs: number
  /** Sessions this node answers at once; more are refused ('busy'). */
  maxInboundSessions: number
  /** Sessions this node runs as initiator at once. */
  maxOutboundSessions: number
  /** Ids asked for (need effects) and not yet added, remembered to gate new sessions and cascades. */
  maxPendingNeeds: number
  /** Needs not added after this long are forgotten (their fetch failed; a later session finds them again). */
  pullTimeoutMs: number
  /** After a session found items this node lacked and they arrived, reconcile with the other neighbours. */
  cascade: boolean
  /** Items indexed; beyond it the earliest added are dropped from the index. */
  maxItems: number
  /** Neighbours tracked. */
  maxPeers: number
  /** Sessions started on a `resync` input (connectivity came back), with random neighbours. */
  resyncPeers: number
}

/** One transaction as reconciliation sees it. */
export interface ReconcileItem {
  id: TxKey
  /** Payload size in bytes (the pull needs it). */
  size: number
}

/** An indexed transaction: its order key (timestamp, id), size and scope. */
export interface IndexedItem extends ReconcileItem {
  /** The publisher's timestamp (notification.timestampMs). */
  ts: number
  /** The register it belongs to. */
  register: string
}

/**
 * A range's upper bound (exclusive): the point (ts, prefix padded with zeros to 64 hex digits). Items
 * order by (ts, id); an item is below the bound if its ts is smaller, or equal with an id below the
 * padded prefix. `prefix` is even-length lower-case hex, at most 64 digits.
 */
export interface Bound {
  ts: number
  prefix: string
}

/** One range of a reconcile message; the ranges of a message are contiguous, in order. */
export type Range =
  /** Nothing more to do here. */
  | { mode: 'skip', upper?: Bound }
  /** The sender's items here: how many, and the sum of their keyed hashes (SPEC.md §9.4), 16 hex digits. */
  | { mode: 'fingerprint', upper?: Bound, count: number, fingerprint: string }
  /** The sender's items here, all of them: the receiver learns what it lacks, and answers with `have`. */
  | { mode: 'ids', upper?: Bound, items: ReconcileItem[] }
  /** In answer to `ids`: the items here the receiver of this message lacks. */
  | { mode: 'have', upper?: Bound, items: ReconcileItem[] }

/** Opens a session: its scope, its time window and the fingerprint key. */
export interface SessionOpen {
  scope: string
  since: number
  until: number
  /** SipHash key, fresh per session (SPEC.md §9.4). */
  key: readonly [number, number, number, number]
}

/** Why a responder refuses a session. */
export type RefuseReason = 'busy' | 'not-served' | 'too-frequent'

/** Messages between peers. */
export type ReconcileMessage =
  /**
   * A round of a session. `session` is chosen by the initiator; `initiator` says who sent it. The
   * ranges cover [since, until): every range but the last has an `upper` bound.
   */
  | { type: 'ranges', session: number, initiator: boolean, open?: SessionOpen, ranges: Range[] }
  /** The responder will not run this session. */
  | { type: 'refuse', session: number, reason: RefuseReason }

/** Why the runtime could not decode something the peer sent. */
export type InvalidFrameCode = 'malformed-frame' | 'oversized-frame'

/** Inputs; each carries `now` (ms, non-decreasing). */
export type ReconcileInput<P extends PeerHandle = string> =
  | { type: 'tick', now: number }
  /** A neighbour that speaks the protocol; `outbound` when this node dialled it. */
  | { type: 'peer-up', now: number, peer: P, outbound: boolean }
  | { type: 'peer-down', now: number, peer: P }
  /** The node now holds this transaction (stored). */
  | { type: 'add', now: number, item: IndexedItem }
  /** Many at once (the store's content at start): sorted once. */
  | { type: 'load', now: number, items: readonly IndexedItem[] }
  /** The node no longer holds it (evicted or expired). */
  | { type: 'remove', now: number, id: TxKey }
  | { type: 'message', now: number, from: P, message: ReconcileMessage }
  /** The node is back online (connectivity): reconcile with a few neighbours now. */
  | { type: 'resync', now: number }
  /**
   * The on-connect session with this neighbour, which the runtime deferred (it announced the peer as
   * `outbound: false`, then sends this once the node's own outbound queue has flushed, SPEC.md §9.2).
   */
  | { type: 'connect', now: number, peer: P }
  | { type: 'invalid', now: number, from: P, code: InvalidFrameCode }

/** Bounded verdict codes. */
export type ReconcileVerdictCode =
  | InvalidFrameCode
  | 'bad-ranges' | 'bad-open' | 'too-many-items' | 'too-many-ranges' | 'bad-item' | 'bad-fingerprint'
  | 'unknown-session' | 'too-many-rounds' | 'session-too-frequent' | 'unexpected-refuse'

/** Trace events. */
export type ReconcileTraceEvent =
  | 'session-start' | 'session-end' | 'session-refused' | 'session-timeout' | 'session-abandoned' | 'cascade' | 'needs-dropped'

/** Send a message. */
export interface SendEffect<P extends PeerHandle = string> { type: 'send', peer: P, message: ReconcileMessage }
/** `peer` holds these transactions and this node does not: pull them (tx-gossip fetch, or a body request). */
export interface NeedEffect<P extends PeerHandle = string> { type: 'need', peer: P, items: ReconcileItem[] }
/** The next wakeup changed. */
export interface ScheduleEffect { type: 'schedule', at: number }

/** Everything the core asks of its runtime. */
export type ReconcileEffect<P extends PeerHandle = string> =
  | SendEffect<P> | NeedEffect<P> | ScheduleEffect
  | VerdictEffect<ReconcileVerdictCode, P>
  | TraceEffect<ReconcileTraceEvent>

/** Counters since creation. */
export interface ReconcileStats {
  sessionsStarted: number
  sessionsAnswered: number
  sessionsCompleted: number
  sessionsFailed: number
  messagesSent: number
  roundsMax: number
  /** Items asked for (need effects). */
  needs: number
  /** Items offered to peers (have ranges). */
  haves: number
  /** Item hashes computed for fingerprints (the CPU a session costs). */
  hashes: number
  indexed: number
  pendingNeeds: number
  peers: number
}
