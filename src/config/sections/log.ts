/** Logging. */
import { z } from 'zod'
import { oneOf, type SettingMeta } from '../fields.ts'
import { HOUR_MS, MINUTE_MS, SECOND_MS } from '../units.ts'
import { LOG_LEVELS, MAX_LEVEL_OVERRIDES } from '../../logging/levels.ts'

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

const LEVEL_NAMES = LOG_LEVELS
const MAX_SUBSYSTEM_LEVELS = MAX_LEVEL_OVERRIDES

/** A `subsystem=level` entry: a logger name of at most 64 characters, e.g. sorcha:gossip=debug. */
const SUBSYSTEM_LEVEL = new RegExp(`^(sorcha(?::[a-z0-9][a-z0-9-]*)+)=(${LEVEL_NAMES.join('|')})$`)
const subsystemLevels = z.array(z.string().refine(entry => (SUBSYSTEM_LEVEL.exec(entry)?.[1]?.length ?? Infinity) <= 64, { message: 'not subsystem=level, such as sorcha:gossip=debug (a subsystem name has at most 64 characters)' }))
  .max(MAX_SUBSYSTEM_LEVELS)
  .default([])
  .meta({
    description: 'Subsystems that log at a level of their own from the start, as subsystem=level (sorcha:gossip=debug): a subsystem\'s level applies to it and every logger below it, the rest follow log.level. The admin API changes them at run time (docs/admin.md)',
    allowed: `at most ${MAX_SUBSYSTEM_LEVELS} entries sorcha:<name>[:<name>...]=<level>, level one of ${LEVEL_NAMES.join(', ')}`
  } satisfies SettingMeta)

/** The `log` section of the configuration. */
export const logSection = z.strictObject({
  level: oneOf(LEVEL_NAMES, 'info', 'Least severe log level written'),
  subsystemLevels,
  format: oneOf(['pretty', 'json'], 'pretty', 'pretty: human-readable lines; json: one JSON object per line'),
  statusIntervalMs: periodOrOff(MINUTE_MS, 'How often the node logs its one-line status at info level (peers, connections, health, connectivity, tx/s, queue); 0 turns it off')
}).prefault({})
