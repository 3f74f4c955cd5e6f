/** The persisted peer list. */
import { z } from 'zod'
import { integer } from '../fields.ts'

/** The `peers` section of the configuration. */
export const peersSection = z.strictObject({
  maxKnown: integer(10, 1_000_000, 2_000, 'Most peers kept in the persisted peer list; beyond it the lowest-scored peer is evicted')
}).prefault({})
