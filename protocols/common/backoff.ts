/**
 * Exponential backoff with jitter, as a pure function: the caller passes the attempt number and an
 * Rng, so cores stay deterministic. (Adapters in src/ that need retries around I/O use cockatiel.)
 *
 * "Equal jitter": the delay is uniform in [d/2, d) where d = min(max, initial * factor^attempt).
 * Half the delay is guaranteed, which keeps a crowd of joiners spread out without ever retrying at
 * once; the random half de-synchronises them (see AWS Architecture Blog, "Exponential Backoff And Jitter").
 */
import type { Rng } from './rng.ts'

/** Parameters of a backoff schedule. */
export interface BackoffOptions {
  /** Delay before the first retry (attempt 0), before jitter. */
  initialMs: number
  /** Cap on the delay, before jitter. */
  maxMs: number
  /** Growth per attempt. @default 2 */
  factor?: number
}

/** The delay before retry number `attempt` (0-based). */
export function backoffDelayMs (attempt: number, options: BackoffOptions, rng: Rng): number {
  const factor = options.factor ?? 2
  const ceiling = Math.min(options.maxMs, options.initialMs * Math.pow(factor, Math.max(0, attempt)))
  return Math.round(ceiling / 2 + rng.next() * (ceiling / 2))
}
