/**
 * Defaults and fixed limits of the outbound queue and the tx-have protocol, with units in the names.
 * The operator's settings (depth, bytes, k, retry delays) are the `queue` configuration section.
 */

/** libp2p protocol id of the have-query (docs/conventions.md §6: /sorcha/<name>/<semver>). */
export const TX_HAVE_PROTOCOL = '/sorcha/tx-have/1.0.0'
/** Ids per have-query request; the responder refuses more. 1,024 ids = 32 KiB of ids. */
export const TX_HAVE_MAX_IDS = 1024
/** A have-query (open, write, answer) that takes longer fails; the ids are asked again later. */
export const TX_HAVE_TIMEOUT_MS = 10_000
/** Concurrent have-query streams per connection, each way. */
export const TX_HAVE_MAX_STREAMS = 8
/** Peers asked in one confirmation round (chosen at random among those that speak tx-have). */
export const CONFIRM_PEERS_MAX = 16
/** Unconfirmed transactions checked in one confirmation round; the rest wait for the next. */
export const CONFIRM_BATCH_MAX = 16_384

/** Submissions written in one synced batch at most (a larger burst takes several batches). */
export const GROUP_COMMIT_MAX_ITEMS = 4096
/** Payload bytes written in one synced batch at most (one larger transaction goes alone). */
export const GROUP_COMMIT_MAX_BYTES = 16 * 1024 * 1024
/** Queued transactions handed to the network per turn of the event loop while flushing. */
export const FLUSH_SLICE = 256

/** Defaults of the `queue` configuration section (src/config/sections/queue.ts). */
export const QUEUE_DEFAULTS = Object.freeze({
  maxDepth: 100_000,
  maxBytes: 256 * 1024 * 1024,
  confirmations: 1,
  retryInitialMs: 1000,
  retryMaxMs: 60_000
})

/** Sublevel of the node's database that holds the queue records. */
export const QUEUE_SUBLEVEL = 'queue'
