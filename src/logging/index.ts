/**
 * Namespaced, structured logging (docs/conventions.md §4) on pino. One root logger per process,
 * configured once from `log.level` and `log.format`; every module asks for `logger('sorcha:<domain>')`.
 * Human-readable lines by default (pino-pretty, loaded only for them), one JSON object per line with
 * --log-format json.
 */
import { pino, type Logger, type DestinationStream } from 'pino'
import type PinoPretty from 'pino-pretty'
import { requireOptional } from '../config/optional-module.ts'
import { forgetTracked, resetAllSubsystemLevels, resetSubsystemLevel, setGlobalLevel, setSubsystemLevel, trackChild } from './levels.ts'

export type { Logger } from 'pino'

/** Logging options, as in the `log` section of the configuration. */
export interface LogOptions {
  level: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent'
  format: 'pretty' | 'json'
  /** Subsystems with a level of their own from the start, as `sorcha:gossip=debug` (log.subsystemLevels). */
  subsystemLevels?: readonly string[]
  /** Where lines go; stderr by default so that command output on stdout stays machine-readable. */
  destination?: DestinationStream
}

// Not tracked: loggers made before configureLogging stay silent whatever the levels become.
let root: Logger = pino({ level: 'silent' })

/**
 * Builds a root logger without installing it (tests use this to capture lines).
 * @throws OptionalModuleError when the pretty format's pino-pretty cannot be loaded
 */
export function createRootLogger (options: LogOptions): Logger {
  return buildRoot(options, false)
}

/** A root logger; `track` makes its children follow run-time level changes (the installed root only). */
function buildRoot (options: LogOptions, track: boolean): Logger {
  const destination = options.destination ?? (options.format === 'pretty'
    ? requireOptional<typeof PinoPretty>('pino-pretty', 'log.format', 'pretty')({ destination: 2, sync: true, colorize: process.stderr.isTTY, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname', messageKey: 'msg' })
    : pino.destination({ dest: 2, sync: true }))
  return pino({ level: options.level, base: undefined, timestamp: pino.stdTimeFunctions.isoTime, ...(track ? { onChild: trackChild } : {}) }, destination)
}

/**
 * Installs the process-wide root logger with the global level and the subsystems' own; call once at
 * start-up.
 * @throws OptionalModuleError when the pretty format's pino-pretty cannot be loaded
 * @throws InvalidLogLevelError, InvalidSubsystemError for an entry the configuration would have refused
 */
export function configureLogging (options: LogOptions): Logger {
  forgetTracked()
  root = buildRoot(options, true)
  resetAllSubsystemLevels()
  setGlobalLevel(options.level, root)
  for (const entry of options.subsystemLevels ?? []) {
    const at = entry.lastIndexOf('=')
    setSubsystemLevel(entry.slice(0, at), entry.slice(at + 1), root)
  }
  return root
}

/**
 * Changes log levels at run time (src/logging/levels.ts): the global level, or one subsystem's
 * (`sorcha:gossip`); level `default` removes a subsystem's own level. Loggers made before the change follow it.
 * @throws InvalidLogLevelError, InvalidSubsystemError
 */
export function setLogLevel (level: string, subsystem?: string): void {
  if (subsystem === undefined) setGlobalLevel(level, root)
  else if (level === 'default') resetSubsystemLevel(subsystem, root)
  else setSubsystemLevel(subsystem, level, root)
}

/** A child logger for one namespace, e.g. logger('sorcha:gossip'). Silent until configureLogging runs. */
export function logger (name: `sorcha:${string}`, bindings: Record<string, unknown> = {}): Logger {
  return root.child({ name, ...bindings })
}

export { libp2pLogger } from './libp2p-logger.ts'
export { LOG_LEVELS, logLevels, InvalidLogLevelError, InvalidSubsystemError, type LogLevelName, type LogLevelsView } from './levels.ts'
