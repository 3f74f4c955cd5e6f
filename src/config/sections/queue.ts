/** The durable outbound queue (src/queue, docs/architecture.md "Durability"): bounds, confirmation, retries. */
import { z } from 'zod'
import { integer } from '../fields.ts'
import { SECOND_MS, MINUTE_MS, HOUR_MS } from '../units.ts'

const MIB = 1024 * 1024
const GIB = 1024 * MIB

/** The `queue` section of the configuration. */
export const queueSection = z.strictObject({
  maxDepth: integer(1, 10_000_000, 100_000, 'Most unconfirmed transactions submitted here; beyond it a submission is refused with RESOURCE_EXHAUSTED (queue_full)'),
  maxBytes: integer(1 * MIB, 16 * 1024 * GIB, 256 * MIB, 'Most payload bytes of unconfirmed transactions; beyond it a submission is refused with RESOURCE_EXHAUSTED (queue_full). Capped at gossip.store.maxBytes (the store keeps unconfirmed transactions whatever its own bounds, so they must fit in it)'),
  confirmations: integer(1, 64, 1, 'Peers that must report holding a transaction in their store before it counts as confirmed and leaves the queue'),
  retryInitialMs: integer(10, 10 * MINUTE_MS, 1 * SECOND_MS, 'First check (and resend to the peers that lack it) this long after a transaction is announced; the delay doubles per attempt, with jitter; confirmation rounds run at most every eighth of this'),
  retryMaxMs: integer(100, 24 * HOUR_MS, 1 * MINUTE_MS, 'Longest delay between two checks of an unconfirmed transaction')
}).prefault({})
