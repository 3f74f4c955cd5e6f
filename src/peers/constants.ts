/** Defaults and bounds of the peer list. */

/** Most writes waiting in the peer list's queue; beyond it a write fails with PeerListBusyError. */
export const MAX_PENDING_WRITES = 10_000

/** Lowest entries of each status read from the score index when choosing whom to evict. */
export const EVICTION_CANDIDATES_PER_STATUS = 8

/** Most stale entries examined by one prune() call (the rest wait for the next call). */
export const PRUNE_SCAN_LIMIT = 256

/** Longest single setTimeout delay (2^31 − 1 ms); a later ban expiry re-arms the timer. */
export const MAX_TIMER_DELAY_MS = 2_147_483_647
