/** Where a configuration value came from, for error messages. */
export type ConfigSource = 'default' | 'file' | 'env' | 'flag'

/**
 * A configuration value was rejected. Its message is the one line a user sees: the key, the value,
 * where it came from and what is allowed.
 */
export class ConfigError extends Error {
  override name = 'ConfigError'
  readonly key: string
  readonly value: unknown
  readonly source: string
  readonly allowed: string

  constructor (key: string, value: unknown, source: string, allowed: string, detail?: string) {
    const shown = value === undefined ? '(missing)' : JSON.stringify(value)
    super(`invalid configuration: ${key} = ${shown} (from ${source})${detail === undefined ? '' : `: ${detail}`}; allowed: ${allowed}`)
    this.key = key
    this.value = value
    this.source = source
    this.allowed = allowed
  }
}

/** The configuration file could not be read or parsed. */
export class ConfigFileError extends Error {
  override name = 'ConfigFileError'
  readonly path: string

  constructor (path: string, reason: string) {
    super(`cannot use configuration file ${path}: ${reason}`)
    this.path = path
  }
}
