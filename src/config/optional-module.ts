/**
 * Loading the code of an optional part only when the configuration asks for it (pino-pretty for
 * `log.format: pretty`, gossipsub for `gossip.strategy: gossipsub`): a node that does not use a part
 * does not carry its modules (docs/benchmarks.md, "Footprint"). A configured part that cannot be
 * loaded fails the start with one line naming the setting, like any other start-up failure.
 */
import { createRequire } from 'node:module'
import { StartupError } from './startup-error.ts'

/** The code a setting's value needs could not be loaded (missing or broken package). */
export class OptionalModuleError extends StartupError {
  override name = 'OptionalModuleError'
  constructor (module: string, setting: string, value: string, cause: unknown) {
    const reason = (cause instanceof Error ? cause.message : String(cause)).split('\n')[0] ?? 'unknown error'
    super('cannot load', setting, module, reason, `reinstall the dependencies (npm ci), or set ${setting} to another value than ${value}`, { cause })
  }
}

const require = createRequire(import.meta.url)

/**
 * `require(specifier)` (a CommonJS package, for callers that must stay synchronous) for the part that
 * `setting: value` turns on.
 * @throws OptionalModuleError
 */
export function requireOptional<T> (specifier: string, setting: string, value: string): T {
  try {
    return require(specifier) as T
  } catch (err) {
    throw new OptionalModuleError(specifier, setting, value, err)
  }
}

/**
 * `import()` of the part that `setting: value` turns on; `load` is the caller's own `() => import(...)`
 * (so that the specifier resolves from the caller's module).
 * @throws OptionalModuleError
 */
export async function importOptional<T> (module: string, setting: string, value: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load()
  } catch (err) {
    throw new OptionalModuleError(module, setting, value, err)
  }
}
