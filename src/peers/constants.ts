/** Defaults and bounds of the peer list. */
import { PeerStatus } from '../../protocols/models/index.ts'

/** Statuses whose entries may be evicted, lowest rank first (an active ban never is). */
export const EVICTABLE: readonly PeerStatus[] = [PeerStatus.PEER_STATUS_UNREACHABLE, PeerStatus.PEER_STATUS_DEGRADED, PeerStatus.PEER_STATUS_UNKNOWN, PeerStatus.PEER_STATUS_CONNECTING, PeerStatus.PEER_STATUS_HEALTHY]

/** Most writes waiting in the peer list's queue; beyond it a write fails with PeerListBusyError. */
export const MAX_PENDING_WRITES = 10_000

/** Lowest entries of each status read from the score index when choosing whom to evict. */
export const EVICTION_CANDIDATES_PER_STATUS = 8

/** Most stale entries examined by one prune() call (the rest wait for the next call). */
export const PRUNE_SCAN_LIMIT = 256

/** Longest single setTimeout delay (2^31 − 1 ms); a later ban expiry re-arms the timer. */
export const MAX_TIMER_DELAY_MS = 2_147_483_647
