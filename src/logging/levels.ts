/**
 * Log levels changed at run time, for the whole process or per subsystem (`sorcha:gossip`,
 * `sorcha:gossip:store`...). Every pino logger made from the root (by `logger()`, and any child of
 * those) is tracked here through pino's `onChild` hook, weakly, so a change reaches loggers that
 * modules made long before it: pino itself copies a parent's level into a child once, at creation.
 *
 * The effective level of a logger named `sorcha:a:b` is the override of the longest matching
 * subsystem (`sorcha:a:b`, then `sorcha:a`), else the global level. libp2p's own logging
 * (`sorcha:libp2p`, src/logging/libp2p-logger.ts) is decided when the node starts and does not follow.
 */
import type { Logger } from 'pino'

/** The levels a logger may be set to, most verbose first. */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const
/** One of LOG_LEVELS. */
export type LogLevelName = typeof LOG_LEVELS[number]

/** Most subsystem overrides held at once (each is one entry; the names are the operator's). */
export const MAX_LEVEL_OVERRIDES = 64

/** A subsystem name: `sorcha:` and lower-case words separated by `:`, at most 64 characters. */
const SUBSYSTEM = /^sorcha(:[a-z0-9][a-z0-9-]*)+$/

/** A level name that is not one of LOG_LEVELS. */
export class InvalidLogLevelError extends Error {
  override name = 'InvalidLogLevelError'
}

/** A subsystem name that is not `sorcha:<word>[:<word>...]`, or one override too many. */
export class InvalidSubsystemError extends Error {
  override name = 'InvalidSubsystemError'
}

/** The levels now: the global one and each subsystem override. */
export interface LogLevelsView {
  global: LogLevelName
  /** Subsystem -> level, sorted by name. */
  subsystems: Record<string, LogLevelName>
}

let globalLevel: LogLevelName = 'silent'
const overrides = new Map<string, LogLevelName>()
/** Live loggers by name (`name` binding); pruned of collected ones on every change and now and then on insert. */
const tracked = new Map<string, Set<WeakRef<Logger>>>()
let insertsSincePrune = 0
const PRUNE_EVERY = 1024

/** True for a level name this module accepts. */
export function isLogLevel (value: string): value is LogLevelName {
  return (LOG_LEVELS as readonly string[]).includes(value)
}

/** The level a logger of this name runs at now. */
export function effectiveLevel (name: string | undefined): LogLevelName {
  if (name === undefined || overrides.size === 0) return globalLevel
  for (let key = name; key.includes(':'); key = key.slice(0, key.lastIndexOf(':'))) {
    const level = overrides.get(key)
    if (level !== undefined) return level
  }
  return globalLevel
}

function nameOf (log: Logger): string | undefined {
  const name = (log.bindings() as { name?: unknown }).name
  return typeof name === 'string' ? name : undefined
}

/** pino's `onChild` hook: tracks the child and gives it the level its name calls for. */
export function trackChild (child: Logger): void {
  const name = nameOf(child) ?? ''
  let set = tracked.get(name)
  if (set === undefined) tracked.set(name, set = new Set())
  set.add(new WeakRef(child))
  const level = effectiveLevel(name === '' ? undefined : name)
  if (child.level !== level) child.level = level
  if (++insertsSincePrune >= PRUNE_EVERY) prune()
}

function prune (): void {
  insertsSincePrune = 0
  for (const [name, set] of tracked) {
    for (const ref of set) if (ref.deref() === undefined) set.delete(ref)
    if (set.size === 0) tracked.delete(name)
  }
}

/** Applies the current levels to every live tracked logger (and the root, for the global level). */
function apply (root: Logger | undefined): void {
  if (root !== undefined && root.level !== globalLevel) root.level = globalLevel
  prune()
  for (const [name, set] of tracked) {
    const level = effectiveLevel(name === '' ? undefined : name)
    for (const ref of set) {
      const log = ref.deref()
      if (log !== undefined && log.level !== level) log.level = level
    }
  }
}

/** Stops adjusting the loggers tracked so far (a new root replaces the one they write to). */
export function forgetTracked (): void {
  tracked.clear()
  insertsSincePrune = 0
}

/** Sets the global level (configureLogging calls this with `log.level`). */
export function setGlobalLevel (level: string, root?: Logger): void {
  if (!isLogLevel(level)) throw new InvalidLogLevelError(`log level ${JSON.stringify(level)} is not one of ${LOG_LEVELS.join(', ')}`)
  globalLevel = level
  apply(root)
}

/** Checks a subsystem name; returns it. */
export function checkSubsystem (subsystem: string): string {
  if (subsystem.length > 64 || !SUBSYSTEM.test(subsystem)) {
    throw new InvalidSubsystemError(`subsystem ${JSON.stringify(subsystem.slice(0, 80))} is not a logger name like sorcha:gossip (sorcha: and lower-case words separated by ':')`)
  }
  return subsystem
}

/** Sets one subsystem's level (it and the subsystems below it, unless they have their own). */
export function setSubsystemLevel (subsystem: string, level: string, root?: Logger): void {
  checkSubsystem(subsystem)
  if (!isLogLevel(level)) throw new InvalidLogLevelError(`log level ${JSON.stringify(level)} is not one of ${LOG_LEVELS.join(', ')}`)
  if (!overrides.has(subsystem) && overrides.size >= MAX_LEVEL_OVERRIDES) {
    throw new InvalidSubsystemError(`at most ${MAX_LEVEL_OVERRIDES} subsystems may have their own level; reset one first`)
  }
  overrides.set(subsystem, level)
  apply(root)
}

/** Removes a subsystem's own level: it follows its parent subsystem or the global level again. True if it had one. */
export function resetSubsystemLevel (subsystem: string, root?: Logger): boolean {
  checkSubsystem(subsystem)
  const had = overrides.delete(subsystem)
  apply(root)
  return had
}

/** Removes every subsystem override (tests; a fresh configuration). */
export function resetAllSubsystemLevels (root?: Logger): void {
  overrides.clear()
  apply(root)
}

/** The global level and the overrides. */
export function logLevels (): LogLevelsView {
  const subsystems = Object.fromEntries([...overrides].sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0))
  return { global: globalLevel, subsystems }
}
