/** Errors a user sees when a scenario file cannot be used. */

/**
 * A scenario value was rejected. The message is one line: the file, the key path, the value, and
 * what is allowed (the style of src/config's ConfigError, written again here because simulations/
 * must not import src/).
 */
export class ScenarioError extends Error {
  override name = 'ScenarioError'
  readonly file: string
  readonly key: string
  readonly value: unknown
  readonly allowed: string

  constructor (file: string, key: string, value: unknown, allowed: string) {
    const shown = value === undefined ? '(missing)' : JSON.stringify(value)
    super(`scenario ${file}: ${key} = ${shown === undefined ? String(value) : shown}; allowed: ${allowed}`)
    this.file = file
    this.key = key
    this.value = value
    this.allowed = allowed
  }
}

/**
 * Rejects a key of `raw` that is not in `known` (a misspelt protocol setting would otherwise be
 * ignored silently and the run would use the default).
 */
export function rejectUnknownKeys (raw: object, known: Iterable<string>, keyPrefix: string): void {
  const allowed = new Set(known)
  for (const key of Object.keys(raw)) {
    if (!allowed.has(key)) throw new ScenarioError('scenario', `${keyPrefix}.${key}`, (raw as Record<string, unknown>)[key], `a known setting: ${[...allowed].sort().join(', ')}`)
  }
}

/** The scenario file could not be read or parsed. */
export class ScenarioFileError extends Error {
  override name = 'ScenarioFileError'
  readonly path: string

  constructor (path: string, reason: string) {
    super(`cannot use scenario file ${path}: ${reason}`)
    this.path = path
  }
}
