/** The tunable health rules a core function needs, taken from configuration by the adapter. */

/** Health rules (configuration `health.*` and `peers.maxKnown`). */
export interface HealthRules {
  /** Consecutive failures after which a peer is UNREACHABLE (`health.failureThreshold`). */
  failureThreshold: number
  /** Consecutive failures after which a peer is removed (`health.removeAfterFailures`). */
  removeAfterFailures: number
  /** A peer unseen this long is removed (`health.removeAfterUnseenMs`). */
  removeAfterUnseenMs: number
}

/** The defaults of src/config/sections/health.ts, for the simulator and tests (a unit test keeps them equal). */
export const DEFAULT_HEALTH_RULES: Readonly<HealthRules> = Object.freeze({
  failureThreshold: 3,
  removeAfterFailures: 6,
  removeAfterUnseenMs: 24 * 60 * 60 * 1000
})
