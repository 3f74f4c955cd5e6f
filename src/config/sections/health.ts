/** Health checks of known peers. */
import { z } from 'zod'
import { integer } from '../fields.ts'
import { SECOND_MS, MINUTE_MS, HOUR_MS } from '../units.ts'

/** The `health` section of the configuration. */
export const healthSection = z.strictObject({
  intervalMs: integer(1 * SECOND_MS, 24 * HOUR_MS, 30 * SECOND_MS, 'How often a sample of peers is pinged'),
  timeoutMs: integer(100, 10 * MINUTE_MS, 5 * SECOND_MS, 'A ping that takes longer counts as a failure'),
  sampleSize: integer(1, 10_000, 16, 'Peers pinged per health round, stalest first'),
  failureThreshold: integer(1, 1_000, 3, 'Consecutive failures after which a peer is marked unreachable'),
  removeAfterFailures: integer(1, 10_000, 6, 'Consecutive failures after which a peer is removed from the peer list'),
  removeAfterUnseenMs: integer(1 * MINUTE_MS, 365 * 24 * HOUR_MS, 24 * HOUR_MS, 'A peer not seen for this long is removed from the peer list')
}).prefault({})
