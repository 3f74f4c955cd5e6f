/**
 * Namespaced, structured logging (docs/conventions.md §4) on pino. One root logger per process,
 * configured once from `log.level` and `log.format`; every module asks for `logger('sorcha:<domain>')`.
 * Human-readable lines by default, one JSON object per line with --log-format json.
 */
import { pino, type Logger, type DestinationStream } from 'pino'
import pretty from 'pino-pretty'

export type { Logger } from 'pino'

/** Logging options, as in the `log` section of the configuration. */
export interface LogOptions {
  level: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent'
  format: 'pretty' | 'json'
  /** Where lines go; stderr by default so that command output on stdout stays machine-readable. */
  destination?: DestinationStream
}

let root: Logger = pino({ level: 'silent' })

/** Builds a root logger without installing it (tests use this to capture lines). */
export function createRootLogger (options: LogOptions): Logger {
  const destination = options.destination ?? (options.format === 'pretty'
    ? pretty({ destination: 2, sync: true, colorize: process.stderr.isTTY, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname', messageKey: 'msg' })
    : pino.destination({ dest: 2, sync: true }))
  return pino({ level: options.level, base: undefined, timestamp: pino.stdTimeFunctions.isoTime }, destination)
}

/** Installs the process-wide root logger; call once at start-up. */
export function configureLogging (options: LogOptions): Logger {
  root = createRootLogger(options)
  return root
}

/** A child logger for one namespace, e.g. logger('sorcha:gossip'). Silent until configureLogging runs. */
export function logger (name: `sorcha:${string}`, bindings: Record<string, unknown> = {}): Logger {
  return root.child({ name, ...bindings })
}

export { libp2pLogger } from './libp2p-logger.ts'
