/**
 * The base class of start-up failures, alone in its module so that the CLI can recognise one without
 * loading the configuration schema (an API-only call such as `status` must stay light).
 */

/** Exit code of a failure the environment caused. */
export const EXIT_ENVIRONMENT = 1

/** A start-up failure naming the setting, the value and the fix. */
export class StartupError extends Error {
  override name = 'StartupError'
  /** The setting whose value failed, e.g. `listen` or `gateway.grpc.port`. */
  readonly setting: string
  /** The value that failed (an address, a path). */
  readonly value: string
  /** Why, e.g. `address already in use`. */
  readonly reason: string
  /** What the user can do. */
  readonly fix: string
  /** The process exit code: 1 (environment) or 2 (configuration). */
  readonly exitCode: number

  constructor (what: string, setting: string, value: string, reason: string, fix: string, options: { cause?: unknown, exitCode?: number } = {}) {
    super(`${what} ${value} (${setting}): ${reason}: ${fix}`, options.cause === undefined ? undefined : { cause: options.cause })
    this.setting = setting
    this.value = value
    this.reason = reason
    this.fix = fix
    this.exitCode = options.exitCode ?? EXIT_ENVIRONMENT
  }
}
