/**
 * The tx-gossip core's public API (SPEC.md §8): configuration, the logical messages peers exchange,
 * the inputs the core accepts and the effects it returns. The node (src/gossip) maps messages to
 * protobuf frames; the simulator passes them around as they are. Bodies never enter the core: it
 * decides who sends which bytes (`serve`, `append`, `verify`), the runtime moves them.
 */
import type { TraceEffect, VerdictEffect } from '../common/effects.ts'
import type { BloomFilter } from './bloom-filter.ts'

/** A transaction id as the core sees it: lower-case hex of the 32-byte SHA-256 in the node; any ASCII string in the simulator. */
export type TxKey = string

/**
 * A peer as the core sees it: a handle its runtime chooses, which the core only stores, compares and
 * hands back. The node uses libp2p peer id strings (the default everywhere below); the simulator uses
 * node indices, so that naming a peer costs no string at 100,000 nodes.
 */
export type PeerHandle = string | number

/**
 * Who published a transaction, as push trees need it (SPEC.md §3.8): a 32-bit tag (an integer from
 * 1 to 2^32 - 1) the core only stores and compares. The node uses the first four bytes of the SHA-256
 * of the publisher's peer id (the `sender` of the transaction's notification), the simulator the
 * publisher's node index plus one. Two publishers with one tag share a tree: slower, never wrong.
 */
export type Origin = number

/** How a node spreads a transaction it has just received or published (SPEC.md §3). */
export type GossipMode =
  /** Announce ids to a fanout, bodies pulled once per node (INV/GETDATA), small bodies inline, anti-entropy. */
  | 'announce'
  /** Plain push (theory baseline): forward the full body to ~ln(N)+c random neighbours on first receipt; no pull, no anti-entropy. */
  | 'push'

/** Configuration of one core; every field has a default in constants.ts (see resolveGossipConfig). */
export interface TxGossipConfig {
  mode: GossipMode
  /** announce: neighbours a new transaction is announced (or inline-pushed) to; 0 = every neighbour. */
  fanout: number
  /** push: mean number of targets, ln(N) + c (see pushFanoutMean); rounded at random to an integer per relay. */
  pushFanoutMean: number
  /** announce: bodies of at most this many bytes travel with the announcement instead of being pulled; 0 = never. */
  inlineThresholdBytes: number
  /** announce: largest unsolicited (pushed) body accepted; bigger ones are rejected. The protocol requires at least 64 KiB (SPEC.md §3.1). */
  inlineAcceptMaxBytes: number
  /** announce: the publisher pushes bodies up to this size to its first-hop targets instead of announcing them (they cannot hold it yet); 0 = never. At most 64 KiB. */
  publishPushMaxBytes: number
  /** Largest transaction accepted at all; announcements of bigger ones are ignored. */
  maxTxBytes: number
  /** Relays a transaction may travel from its publisher; a node receiving it at this hop count does not relay. */
  hopLimit: number
  /** Mean period of anti-entropy rounds (jittered uniformly in [0.5, 1.5] x); 0 = none. */
  antiEntropyIntervalMs: number
  /** Send a summary to every newly connected neighbour (fast catch-up for late joiners). */
  antiEntropyOnConnect: boolean
  /** Summaries from one peer closer together than this are ignored (and answered with nothing). */
  minSummaryGapMs: number
  /** False-positive rate of a summary's Bloom filter. */
  summaryFpRate: number
  /** Transactions remembered exactly (id, size, hops) to answer summaries and requests; FIFO eviction. */
  recentMax: number
  /** Items per inv, getdata or notfound message, both sent and accepted. */
  maxItemsPerMessage: number
  /** Seen-set: keys per Bloom generation (must be at least recentMax). */
  seenExpectedItems: number
  /** Seen-set: false-positive rate (a false positive makes this node skip a new transaction). */
  seenFpRate: number
  /** Seen-set: a generation is reset at least this often. */
  seenGenerationMs: number
  /** A fetch that makes no progress for this long moves to the next announcer, resuming at the bytes already held. */
  requestTimeoutMs: number
  /** Transactions being fetched at once; announcements beyond it are ignored until anti-entropy offers them again. */
  maxInflight: number
  /** Sum of the announced sizes of transactions being fetched at once (bounds the runtime's partial bodies). */
  maxInflightBytes: number
  /** Fetches one peer may be asked for at once (its full credit; a peer that leaves fetches unserved gets less, SPEC.md §3.6); beyond it its announcements wait. */
  maxInflightPerSource: number
  /** Announced bytes one peer may be asked for at once (one fetch of any accepted size is always allowed). */
  maxInflightBytesPerSource: number
  /** Announcers remembered per transaction being fetched (fallback sources). */
  maxSourcesPerTx: number
  /** Neighbours tracked; peer-up beyond this is ignored. */
  maxPeers: number
  /** Ask the runtime to check the assembled body against its id (`verify`) before delivering. */
  verifyBodies: boolean
  /**
   * announce: push trees (SPEC.md §3.8): bodies of an origin's transactions are pushed to the
   * neighbours that asked for them (graft), and each node asks the neighbour that offered it the
   * origin's latest transaction first; the rest is announced as before.
   */
  pushTree: boolean
  /** push trees: origins remembered (least recently used forgotten). */
  maxOrigins: number
  /**
   * push trees: an announcement of an origin's transaction from a neighbour other than this node's
   * parent for the origin waits this long for the parent's push before the body is requested.
   */
  pushTreeWaitMs: number
}

/**
 * The registers a node (or a peer) serves (SPEC.md §3.7): a list of register ids, or 'all' (a node
 * that serves every register, or relays them all).
 */
export type RegisterSet = readonly string[] | 'all'

/** One announced transaction: its id, its size and the hop count it arrives with. */
export interface InvItem {
  id: TxKey
  size: number
  /** Relays so far, counting the one that brings it to the receiver (1 from the publisher). */
  hops: number
  /** The register it belongs to (SPEC.md §3.7); absent: unknown (fetched by any node). */
  register?: string
  /** Its publisher's tag (push trees, SPEC.md §3.8); absent: unknown. */
  origin?: Origin
}

/** A request for a transaction's bytes from `offset` on. */
export interface FetchItem {
  id: TxKey
  offset: number
}

/** Control messages between peers (SPEC.md §4). Bodies travel as chunks, see `ChunkInput` and `ServeEffect`. */
export type GossipMessage =
  | { type: 'inv', items: InvItem[] }
  | { type: 'getdata', items: FetchItem[] }
  | { type: 'notfound', ids: TxKey[] }
  | { type: 'summary', filter: BloomFilter }
  /** Push trees (SPEC.md §3.8): push me these origins' bodies from now on (graft), or stop (prune). */
  | { type: 'tree', graft: Origin[], prune: Origin[] }

/** Inputs to the core. Every input carries `now` (milliseconds, any epoch, non-decreasing). */
export type GossipInput<P extends PeerHandle = string> =
  | { type: 'tick', now: number }
  | { type: 'peer-up', now: number, peer: P }
  /** Several `peer-up`s at once, in order (e.g. the neighbours a node starts with): the same effects, one call. */
  | { type: 'peers-up', now: number, peers: readonly P[] }
  | { type: 'peer-down', now: number, peer: P }
  /** This node publishes a transaction whose body the runtime already holds (`register`: its register, SPEC.md §3.7). */
  | { type: 'publish', now: number, id: TxKey, size: number, register?: string, origin?: Origin }
  /** A transaction the node already holds (e.g. from its store after a restart): mark it seen and offer it in anti-entropy. */
  | { type: 'restore', now: number, id: TxKey, size: number, hops: number, register?: string }
  /** The registers this node fetches and stores (SPEC.md §3.7); 'all' until told otherwise. */
  | { type: 'scope', now: number, registers: RegisterSet }
  /** The registers a neighbour serves, as its peer record says; undefined: unknown (SPEC.md §3.7). */
  | { type: 'peer-scope', now: number, peer: P, registers: RegisterSet | undefined }
  | { type: 'message', now: number, from: P, message: GossipMessage }
  | ChunkInput<P>
  /** The runtime's answer to a `verify` effect. */
  | { type: 'verified', now: number, id: TxKey, ok: boolean }
  /** `verified` with ok = true for each of `ids`, in order, as one input (a runtime that stores bodies in batches). */
  | { type: 'verified-many', now: number, ids: readonly TxKey[] }
  /** The runtime could not decode or validate something the peer sent. */
  | { type: 'invalid', now: number, from: P, code: InvalidFrameCode }

/** Part of a body, `length` bytes at `offset` of `total` (sizes uncompressed). */
export interface ChunkInput<P extends PeerHandle = string> {
  type: 'chunk'
  now: number
  from: P
  id: TxKey
  offset: number
  length: number
  total: number
  hops: number
  /** The transaction's register, from the notification of the first chunk (offset 0). */
  register?: string
  /** Its publisher (push trees, SPEC.md §3.8), from the notification of the first chunk (offset 0). */
  origin?: Origin
}

/** Why the runtime found a frame invalid (mapped to reject verdicts). */
export type InvalidFrameCode = 'malformed-frame' | 'oversized-frame' | 'bad-notification' | 'bad-summary' | 'decompression-failed'

/** Bounded codes of the core's verdicts. */
export type GossipVerdictCode =
  | 'tx-valid' | InvalidFrameCode
  | 'tx-id-mismatch' | 'tx-id-mismatch-ambiguous' | 'bad-item' | 'too-many-items' | 'bad-chunk'
  | 'size-mismatch' | 'unsolicited-chunk' | 'duplicate' | 'not-requested' | 'stale-chunk'
  | 'too-large' | 'inflight-full' | 'summary-too-frequent' | 'unexpected-summary' | 'unserved-fetch' | 'unserved-register' | 'bad-origin'

/** Trace events of the core. */
export type GossipTraceEvent =
  | 'fetch-timeout' | 'fetch-waiting' | 'fetch-abandoned' | 'anti-entropy-round' | 'anti-entropy-reply' | 'seen-rotated' | 'duplicate-publish'

/** Send a control message to a peer. */
export interface SendEffect<P extends PeerHandle = string> { type: 'send', peer: P, message: GossipMessage }
/**
 * Send the body of `id` from byte `offset` on to `peer`, as chunks carrying `hops`: `requested` when
 * the peer asked for it (getdata), else unsolicited (a push). A runtime short of room may drop a push
 * (the peer hears of the transaction otherwise) but answers a request it cannot serve with notfound.
 */
export interface ServeEffect<P extends PeerHandle = string> { type: 'serve', peer: P, id: TxKey, offset: number, hops: number, requested?: true }
/** Keep the bytes of the chunk just received (they extend the body of `id` being assembled). */
export interface AppendEffect<P extends PeerHandle = string> { type: 'append', id: TxKey, from: P, offset: number, length: number }
/** Check the assembled body of `id` against its id; answer with a `verified` input. */
export interface VerifyEffect { type: 'verify', id: TxKey }
/** A new, valid transaction: store it and hand it to the application. */
export interface DeliverEffect<P extends PeerHandle = string> { type: 'deliver', id: TxKey, from: P, hops: number }
/** Drop whatever part of the body of `id` is held (failed or abandoned fetch). */
export interface DiscardEffect { type: 'discard', id: TxKey }
/** A multi-chunk fetch advanced. */
export interface ProgressEffect<P extends PeerHandle = string> { type: 'progress', id: TxKey, from: P, received: number, total: number }
/** The earliest time the core wants a `tick` changed (also available as nextWakeup()). */
export interface ScheduleEffect { type: 'schedule', at: number }

/** Everything the core can ask its runtime to do. */
export type GossipEffect<P extends PeerHandle = string> =
  | SendEffect<P> | ServeEffect<P> | AppendEffect<P> | VerifyEffect | DeliverEffect<P> | DiscardEffect | ProgressEffect<P> | ScheduleEffect
  | VerdictEffect<GossipVerdictCode, P>
  | TraceEffect<GossipTraceEvent>

/** Counters a core keeps (cheap; read by metrics and the simulator). */
export interface GossipStats {
  published: number
  delivered: number
  /** Bodies (or first chunks) that arrived for a transaction already held or being fetched from another peer. */
  duplicateBodies: number
  invReceived: number
  /** Announced items (and pushed bodies) of registers this node does not serve, not fetched (SPEC.md §3.7). */
  notServed: number
  requestsSent: number
  requestTimeouts: number
  fetchesAbandoned: number
  summariesSent: number
  /** Push trees (SPEC.md §3.8): grafts and prunes sent. */
  graftsSent: number
  prunesSent: number
  rejects: number
  inflight: number
  /** Announcements waiting for their source's share of the fetch budget (SPEC.md §3.6). */
  waiting: number
  recent: number
  peers: number
}
