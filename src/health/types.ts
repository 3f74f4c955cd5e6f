/** Types of the health monitor. */
import type { NetworkHealth } from '../../protocols/peer-health/index.ts'
import type { StatusCounts } from '../peers/index.ts'

/** Pings a peer and resolves to its round-trip time in ms; rejects on failure or abort. */
export type PingFunction = (peer: { peerId: string, addresses: readonly string[] }, options: { signal: AbortSignal }) => Promise<number>

/** The outcome of one health round. */
export interface HealthRound {
  /** 1-based round number since start. */
  round: number
  at: number
  checked: number
  succeeded: number
  failed: number
  /** Peers removed after the round (failures or unseen). */
  removed: number
  latenciesMs: number[]
}

/** The network health score with everything it was computed from. */
export interface HealthSnapshot extends NetworkHealth {
  at: number
  connections: number
  minConnections: number
  counts: StatusCounts
  /** The last completed round, if any. */
  lastRound: HealthRound | undefined
  suspended: boolean
}
