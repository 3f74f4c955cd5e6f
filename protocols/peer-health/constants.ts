/**
 * Constants of the peer-health rules (SPEC.md). Tunables that operators may change live in the
 * configuration (`health.*`, `peers.maxKnown`); these are the fixed parts of the formulas.
 */
import { PeerStatus } from '../models/index.ts'

/** Weight of a new RTT sample in the latency moving average (SPEC.md §3): about the last 5 samples count. */
export const LATENCY_EWMA_ALPHA = 0.3

/** Smallest latency recorded for a measured sample, so that 0 keeps meaning "not measured". */
export const LATENCY_FLOOR_MS = 0.1

/** Per-peer score: base points by status (SPEC.md §4). */
export const SCORE_STATUS_BASE: Readonly<Record<number, number>> = Object.freeze({
  [PeerStatus.PEER_STATUS_UNKNOWN]: 20,
  [PeerStatus.PEER_STATUS_CONNECTING]: 20,
  [PeerStatus.PEER_STATUS_HEALTHY]: 60,
  [PeerStatus.PEER_STATUS_DEGRADED]: 30,
  [PeerStatus.PEER_STATUS_UNREACHABLE]: 0,
  [PeerStatus.PEER_STATUS_BANNED]: 0
})

/** Per-peer score: most points a measured latency adds (at 0 ms). */
export const SCORE_LATENCY_POINTS = 40

/** Per-peer score: the latency at which the latency term is worth half its points. */
export const SCORE_LATENCY_HALF_MS = 100

/** Per-peer score: points taken per consecutive failure. */
export const SCORE_FAILURE_PENALTY = 10

/** Network health: weights of connectivity, reachability and latency (SPEC.md §7). */
export const NETWORK_WEIGHTS = Object.freeze({ connectivity: 0.4, reachability: 0.4, latency: 0.2 })

/** Network health: a median RTT at or below this scores full latency points. */
export const NETWORK_LATENCY_GOOD_MS = 100

/** Network health: a median RTT at or above this scores no latency points. */
export const NETWORK_LATENCY_BAD_MS = 1000

/**
 * Eviction rank by status (SPEC.md §6): lower goes first. Banned entries have no rank while their ban
 * is active (they are never evicted); an expired ban ranks with unreachable peers.
 */
export const EVICTION_RANK: Readonly<Record<number, number>> = Object.freeze({
  [PeerStatus.PEER_STATUS_UNREACHABLE]: 0,
  [PeerStatus.PEER_STATUS_BANNED]: 0,
  [PeerStatus.PEER_STATUS_DEGRADED]: 1,
  [PeerStatus.PEER_STATUS_UNKNOWN]: 2,
  [PeerStatus.PEER_STATUS_CONNECTING]: 2,
  [PeerStatus.PEER_STATUS_HEALTHY]: 3
})
