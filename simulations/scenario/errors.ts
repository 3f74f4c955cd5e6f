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

/** The scenario file could not be read or parsed. */
export class ScenarioFileError extends Error {
  override name = 'ScenarioFileError'
  readonly path: string

  constructor (path: string, reason: string) {
    super(`cannot use scenario file ${path}: ${reason}`)
    this.path = path
  }
}
