/** Logging. */
import { z } from 'zod'
import { oneOf, type SettingMeta } from '../fields.ts'
import { HOUR_MS, MINUTE_MS, SECOND_MS } from '../units.ts'

const DAY_MS = 24 * HOUR_MS

/**
 * A period that may be 0 (off): anything between 0 and a second would flood the log, so the
 * smallest period is one second.
 */
function periodOrOff (fallback: number, description: string): z.ZodDefault<z.ZodNumber> {
  return z.number().int().min(0).max(DAY_MS)
    .refine(v => v === 0 || v >= SECOND_MS, { message: `below ${SECOND_MS} ms` })
    .default(fallback)
    .meta({ description, allowed: `0 (off) or an integer from ${SECOND_MS} to ${DAY_MS}` } satisfies SettingMeta)
}

/** The `log` section of the configuration. */
export const logSection = z.strictObject({
  level: oneOf(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'], 'info', 'Least severe log level written'),
  format: oneOf(['pretty', 'json'], 'pretty', 'pretty: human-readable lines; json: one JSON object per line'),
  statusIntervalMs: periodOrOff(MINUTE_MS, 'How often the node logs its one-line status at info level (peers, connections, health, connectivity, tx/s, queue); 0 turns it off')
}).prefault({})
