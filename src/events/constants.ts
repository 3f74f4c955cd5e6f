/** Defaults and bounds of the event log (docs/events.md "Bounds"). */

/** The service's name in the node's service map. (`events` is taken: it is libp2p's own event bus component.) */
export const EVENT_LOG_SERVICE = 'eventLog'
/** The database sublevel that holds the ring. */
export const EVENTS_SUBLEVEL = 'events'
/** `events.maxEntries` default. */
export const DEFAULT_MAX_ENTRIES = 100_000
/** `events.retentionMs` default: 7 days. */
export const DEFAULT_RETENTION_MS = 7 * 24 * 60 * 60 * 1000
/**
 * Pending events are written at most this long after they happened (a crash loses at most this much;
 * queries and followers see them at once). 1 s: a batch costs ~30-40 µs of CPU besides its events, so
 * at 250 ms the metrics benchmark's 50 nodes made ~200 batches a second, an estimated 1.5 % of their
 * CPU (docs/benchmarks.md "Metrics").
 */
export const FLUSH_INTERVAL_MS = 1000
/** ...or as soon as this many are pending (one LevelDB batch). */
export const FLUSH_BATCH_MAX = 512
/** Most events buffered in memory while the database is slow; beyond it the oldest pending are dropped (counted). */
export const PENDING_MAX = 20_000
/** Default page size of a query. */
export const EVENTS_PAGE_DEFAULT = 100
/** Largest page size of a query. */
export const EVENTS_PAGE_MAX = 1000
/** Most stored events one query reads before it returns a partial page (`more`). */
export const EVENTS_SCAN_MAX = 50_000
/** Live events buffered per follower; a follower further behind reads the ring instead. */
export const FOLLOW_BUFFER_MAX = 1024
/** How often retention (age) is enforced. */
export const PRUNE_INTERVAL_MS = 60_000
/** Longest text kept in a string field of an event. */
export const FIELD_TEXT_MAX = 256
