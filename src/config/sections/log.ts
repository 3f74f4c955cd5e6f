/** Logging. */
import { z } from 'zod'
import { oneOf } from '../fields.ts'

/** The `log` section of the configuration. */
export const logSection = z.strictObject({
  level: oneOf(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'], 'info', 'Least severe log level written'),
  format: oneOf(['pretty', 'json'], 'pretty', 'pretty: human-readable lines; json: one JSON object per line')
}).prefault({})
