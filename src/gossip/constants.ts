/**
 * Defaults and fixed limits of the gossip adapter, with units in the names. Protocol parameters
 * (fanout, timeouts...) come from the `gossip` configuration section; these are the limits that are
 * part of the wire contract or protect the node (protocols/tx-gossip/SPEC.md §4).
 */
export { TX_GOSSIP_PROTOCOL } from '../../protocols/tx-gossip/index.ts'

/** The largest chunk a receiver accepts (uncompressed), whatever the sender's chunk size. */
export const MAX_CHUNK_BYTES = 1024 * 1024
/** Room in a frame beyond the chunk data: notification, ids, varints, gzip overhead. */
export const FRAME_OVERHEAD_BYTES = 64 * 1024
/** The largest frame accepted: a full chunk plus overhead (summaries and inventories are far smaller). */
export const MAX_FRAME_BYTES = MAX_CHUNK_BYTES + FRAME_OVERHEAD_BYTES
/** Control frames queued for one peer; beyond it new ones are dropped (anti-entropy repairs). */
export const MAX_QUEUED_CONTROL_BYTES = 4 * 1024 * 1024
/** Bodies queued to be served to one peer; beyond it requests are answered with notfound. */
export const MAX_SERVE_JOBS_PER_PEER = 1024
/**
 * Of those, at most this many may be queued while a push (a body the peer did not ask for) is added;
 * beyond it pushes are dropped. The rest is kept for the peer's requests (an honest peer asks for at
 * most maxInflightPerSource, 512, at once), which pushes would otherwise crowd out until they time out.
 */
export const MAX_PUSHED_JOBS_PER_PEER = 512
/** A compressed chunk is sent only if it is at most this fraction of the original. */
export const COMPRESSION_MIN_SAVING_RATIO = 0.95
/** How often the store drops transactions past their retention. */
export const STORE_PRUNE_INTERVAL_MS = 10 * 60 * 1000
/** Content type of a published transaction when the caller gives none. */
export const DEFAULT_CONTENT_TYPE = 'application/octet-stream'
/** gossipsub topic of a register: prefix + register id. */
export const GOSSIPSUB_TOPIC_PREFIX = '/sorcha/tx/'

/**
 * Streams per connection and direction on /sorcha/tx-gossip and /sorcha/tx-reconcile (libp2p's
 * registrar limit; its default is 32 inbound, 64 outbound). Each peer keeps one long-lived stream
 * per protocol and direction (PeerChannel, ReconcileChannel) and opens a new one only when the last
 * failed, so a few cover a reconnect overlap; more open at once is abuse, refused by libp2p before
 * our handler runs. The rate of opening (open, close, open...) is limited separately, per peer, by
 * limits.streams (src/limits).
 */
export const PROTOCOL_STREAMS_PER_CONNECTION = 8

/**
 * The outbound queue's first announcements to one neighbour that may wait for its getdata
 * (announce-window.ts): the default per-source fetch credit (maxInflightPerSource), which a
 * receiver starts at once, leaving its waiting list for announcements from reconciliation.
 */
export const QUEUE_ANNOUNCE_WINDOW = 512
/** An announcement the neighbour did not ask for within this long leaves the window (it held it already). */
export const QUEUE_ANNOUNCE_EXPIRE_MS = 1_000
