/** Health checks of known peers. */
import { z } from 'zod'
import { integer } from '../fields.ts'
import { SECOND_MS, MINUTE_MS, HOUR_MS } from '../units.ts'

/** The `health` section of the configuration. */
export const healthSection = z.strictObject({
  intervalMs: integer(1 * SECOND_MS, 24 * HOUR_MS, 30 * SECOND_MS, 'How often a sample of peers is pinged; also, within ±25 % drawn per node, how often every open connection is pinged to find dead ones'),
  timeoutMs: integer(100, 10 * MINUTE_MS, 5 * SECOND_MS, 'A ping that takes longer counts as a failure; a connection whose ping takes longer is closed (unresponsive)'),
  sampleSize: integer(1, 10_000, 16, 'Peers pinged per health round, stalest first'),
  failureThreshold: integer(1, 1_000, 3, 'Consecutive failures after which a peer is marked unreachable'),
  removeAfterFailures: integer(1, 10_000, 6, 'Consecutive failures after which a peer is removed from the peer list'),
  removeAfterUnseenMs: integer(1 * MINUTE_MS, 365 * 24 * HOUR_MS, 24 * HOUR_MS, 'A peer not seen for this long is removed from the peer list')
}).prefault({})
