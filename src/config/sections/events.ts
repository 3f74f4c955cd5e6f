/** The event log (src/events, docs/events.md): how much of it the node keeps. */
import { z } from 'zod'
import { integer } from '../fields.ts'
import { HOUR_MS, MINUTE_MS } from '../units.ts'

const DAY_MS = 24 * HOUR_MS

/** The `events` section of the configuration. */
export const eventsSection = z.strictObject({
  maxEntries: integer(100, 10_000_000, 100_000, 'Most events the persisted event log keeps; beyond it the oldest are dropped'),
  retentionMs: integer(1 * MINUTE_MS, 365 * DAY_MS, 7 * DAY_MS, 'Events older than this are dropped from the event log')
}).prefault({})
