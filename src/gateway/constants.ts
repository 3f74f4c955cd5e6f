/** Defaults and hard bounds of the gateway. Units are in the names. */

/** Chunk size for GetTransaction and uploads when the client does not choose one. */
export const DEFAULT_CHUNK_BYTES = 64 * 1024
/** Smallest and largest chunk a client may ask for. */
export const MIN_CHUNK_BYTES = 1024
export const MAX_CHUNK_BYTES = 1024 * 1024
/** Payloads up to this size are inlined in subscription events when asked for. */
export const INLINE_PAYLOAD_MAX_BYTES = 1024 * 1024
/** Transaction events the in-memory backend keeps for resuming subscriptions (oldest dropped first). */
export const JOURNAL_MAX_ENTRIES = 10_000
/** Journal records read at once while a subscription catches up or a listing scans. */
export const JOURNAL_PAGE_ITEMS = 256
/** Journal records one ListTransactions call reads at most (filters may skip many). */
export const JOURNAL_SCAN_MAX_ITEMS = 10_000
/** Transactions ListTransactions returns when the client gives no limit, and the most. */
export const DEFAULT_LIST_LIMIT = 100
export const MAX_LIST_LIMIT = 1000
/** Items a subscriber may fall behind before it is cut off (it resumes from its cursor). */
export const SUBSCRIBER_QUEUE_MAX_ITEMS = 1_000
/** Peers returned by ListPeers / FindPeersForRegister when the client gives no limit, and the most. */
export const DEFAULT_PEER_LIMIT = 100
export const DEFAULT_REGISTER_PEER_LIMIT = 20
export const MAX_PEER_LIMIT = 1000
/** FindPeersForRegister with include_dht: the DHT lookup of the register's providers stops after this long (what it found is kept). */
export const FIND_PROVIDERS_TIMEOUT_MS = 10_000
/** Register ids a subscription may filter on. */
export const MAX_SUBSCRIBE_REGISTERS = 256
/** Topics a message subscription may filter on. */
export const MAX_TOPICS = 64
/** Submissions in one REST batch. */
export const MAX_BATCH_ITEMS = 256
/** Items of a SubmitStream, Session or REST batch worked on at once (a stream stops reading meanwhile). */
export const STREAM_IN_FLIGHT_MAX = 64
/** Rate-limit buckets kept (one per client address); the least recently used is evicted. */
export const RATE_LIMIT_MAX_CLIENTS = 10_000
/** SSE comment line sent this often so proxies keep the connection open. */
export const SSE_KEEPALIVE_MS = 15_000
/** Slack above maxMessageBytes that grpc-js still reads, so we can answer INVALID_ARGUMENT with a reason. */
export const GRPC_TRANSPORT_SLACK_BYTES = 1024 * 1024
/** Transaction size limit reported by a node that has no gossip layer (which accepts nothing). */
export const FALLBACK_MAX_TRANSACTION_BYTES = 16 * 1024 * 1024
/** A Ping through the API fails with DEADLINE_EXCEEDED after this long (libp2p's ping has no deadline). */
export const PING_TIMEOUT_MS = 10_000
/** How long a browser may cache a CORS preflight answer (Access-Control-Max-Age). */
export const CORS_MAX_AGE_S = 600
/** Quiet time after the last change to a watched secret file before it is reloaded (a rotation writes several files). */
export const SECRETS_RELOAD_DEBOUNCE_MS = 300
