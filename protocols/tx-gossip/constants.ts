/**
 * Defaults of the tx-gossip core, with units in the names. The reasoning behind each value is in
 * SPEC.md §6 (parameter math).
 */

/** libp2p protocol id of the wire protocol. */
export const TX_GOSSIP_PROTOCOL = '/sorcha/tx-gossip/1.0.0'

/** announce: neighbours a new transaction is announced to (0 = all). SPEC.md §6.1. */
export const DEFAULT_FANOUT = 8
/** Plain push: the constant c in a mean fanout of ln(N) + c. SPEC.md §6.1. */
export const DEFAULT_PUSH_C = 2
/** Bodies up to this size are pushed with the announcement. SPEC.md §6.4. */
export const DEFAULT_INLINE_THRESHOLD_BYTES = 256
/** Largest unsolicited body accepted; the protocol requires every node to accept at least this much. SPEC.md §3.1. */
export const DEFAULT_INLINE_ACCEPT_MAX_BYTES = 64 * 1024
/** The publisher pushes bodies up to this size to its first hop. SPEC.md §3.1, §6.4. */
export const DEFAULT_PUBLISH_PUSH_MAX_BYTES = 64 * 1024
/** Largest transaction accepted. */
export const DEFAULT_MAX_TX_BYTES = 64 * 1024 * 1024
/** Relays from the publisher. SPEC.md §6.5. */
export const DEFAULT_HOP_LIMIT = 16
/** Mean anti-entropy period. SPEC.md §6.6. */
export const DEFAULT_ANTI_ENTROPY_INTERVAL_MS = 10_000
/** Inbound summaries from one peer closer than this are ignored. */
export const DEFAULT_MIN_SUMMARY_GAP_MS = 1_000
/** Summary filter false-positive rate. SPEC.md §6.2. */
export const DEFAULT_SUMMARY_FP_RATE = 0.01
/** Exactly remembered recent transactions. SPEC.md §6.6. */
export const DEFAULT_RECENT_MAX = 4096
/** Items per inv/getdata/notfound message. */
export const DEFAULT_MAX_ITEMS_PER_MESSAGE = 1024
/**
 * Seen-set keys per generation. SPEC.md §6.3. Kept modest (2 x 15 KiB) so that a simulator running
 * many cores with defaults stays small; the node configures 100,000 (gossip.bloom.expectedItems).
 */
export const DEFAULT_SEEN_EXPECTED_ITEMS = 4096
/** Seen-set false-positive rate. SPEC.md §6.3. */
export const DEFAULT_SEEN_FP_RATE = 1e-6
/** Seen-set generation length. */
export const DEFAULT_SEEN_GENERATION_MS = 60 * 60 * 1000
/** A fetch with no progress for this long moves to the next announcer. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 5_000
/** Concurrent fetches. */
export const DEFAULT_MAX_INFLIGHT = 4096
/** Sum of sizes of concurrent fetches. */
export const DEFAULT_MAX_INFLIGHT_BYTES = 512 * 1024 * 1024
/** Fetches asked of one peer at once (its full credit): an eighth of maxInflight. SPEC.md §3.6. */
export const DEFAULT_MAX_INFLIGHT_PER_SOURCE = 512
/** Announced bytes asked of one peer at once (one fetch of any size is always allowed). SPEC.md §3.6. */
export const DEFAULT_MAX_INFLIGHT_BYTES_PER_SOURCE = 64 * 1024 * 1024
/** Fallback sources remembered per fetch. */
export const DEFAULT_MAX_SOURCES_PER_TX = 8
/** Neighbours tracked. */
export const DEFAULT_MAX_PEERS = 256
/** Push trees: origins (publishers) whose tree a node remembers. SPEC.md §3.8. */
export const DEFAULT_MAX_ORIGINS = 1024
/** Push trees: how long an announcement from a non-parent waits for the parent's push. SPEC.md §3.8. */
export const DEFAULT_PUSH_TREE_WAIT_MS = 50
