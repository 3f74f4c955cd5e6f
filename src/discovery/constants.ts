/** Defaults of the topology service that are not user configuration. */

/** Re-evaluate at least this often even when nothing happens. */
export const TICK_INTERVAL_MS = 5_000
/** Most failing peers whose dial backoff is remembered. */
export const MAX_TRACKED_PEERS = 4_096
/** First and longest wait before re-dialling a known peer that failed. */
export const PEER_BACKOFF_INITIAL_MS = 5_000
export const PEER_BACKOFF_MAX_MS = 10 * 60_000
/** A dial gives up after this long. */
export const DIAL_TIMEOUT_MS = 10_000
/** A discovery round (one Kademlia lookup) gives up after this long. */
export const DISCOVERY_ROUND_TIMEOUT_MS = 30_000
/** Candidates fetched from the peer list per evaluation. */
export const CANDIDATE_LIMIT = 64
/** A peer exchange gives up after this long. */
export const EXCHANGE_TIMEOUT_MS = 10_000
/**
 * Exchanges and walks in a row that find nothing new before the node stops pursuing
 * discovery.targetKnownPeers: the mesh is smaller than the target and already known. A later walk
 * (refresh) that finds someone new resumes it.
 */
export const EXHAUSTED_AFTER = 12
