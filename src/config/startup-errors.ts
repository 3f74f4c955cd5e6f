/**
 * Start-up failures the environment causes (a port taken, a database locked, a key unreadable). Each
 * is a named class whose message is the one line the CLI prints (src/cli/main.ts): what failed, the
 * value, the setting it came from, the reason and the fix, e.g.
 *
 *   cannot listen on /ip4/0.0.0.0/tcp/4100 (listen): address already in use: stop the other process or choose another port with --listen
 *
 * Configuration mistakes found when the configuration is read are ConfigError (exit code 2); these
 * are found when the node starts and exit with code 1.
 */
import { configLeaves } from './leaves.ts'
import { StartupError } from './startup-error.ts'

export { EXIT_ENVIRONMENT, StartupError } from './startup-error.ts'

/** The CLI flag of a setting (`gateway.grpc.port` -> `--gateway-grpc-port`). */
export function flagOf (setting: string): string {
  return configLeaves.find(leaf => leaf.key === setting)?.flag ?? setting
}

/** Another process (often another node) listens on the address. */
export class AddressInUseError extends StartupError {
  override name = 'AddressInUseError'
  constructor (setting: string, value: string, cause?: unknown) {
    super('cannot listen on', setting, value, 'address already in use', `stop the other process or choose another port with ${flagOf(setting)}`, { cause })
  }
}

/** The address is not one of this host's (EADDRNOTAVAIL). */
export class AddressNotAvailableError extends StartupError {
  override name = 'AddressNotAvailableError'
  constructor (setting: string, value: string, cause?: unknown) {
    super('cannot listen on', setting, value, 'no interface of this host has that address', `use one of this host's addresses, or 0.0.0.0 for all, with ${flagOf(setting)}`, { cause })
  }
}

/** The operating system refused the port (EACCES: below 1024 without the privilege). */
export class ListenPermissionError extends StartupError {
  override name = 'ListenPermissionError'
  constructor (setting: string, value: string, cause?: unknown) {
    super('cannot listen on', setting, value, 'permission denied', `ports below 1024 need CAP_NET_BIND_SERVICE; choose a port from 1024 up with ${flagOf(setting)}`, { cause })
  }
}

/** Listening failed for another reason. */
export class ListenFailedError extends StartupError {
  override name = 'ListenFailedError'
  constructor (setting: string, value: string, reason: string, cause?: unknown) {
    super('cannot listen on', setting, value, reason, `check the address, or choose another with ${flagOf(setting)}`, { cause })
  }
}

const ERRNO = /\b(EADDRINUSE|EADDRNOTAVAIL|EACCES)\b/

const textOf = (err: unknown): string => err instanceof Error ? err.message : String(err)

/** EADDRINUSE, EADDRNOTAVAIL or EACCES from `err`'s code or, for grpc-js, which keeps only the text, its message. */
function errnoOf (err: unknown): string | undefined {
  const code = (err as { code?: unknown } | undefined)?.code
  return typeof code === 'string' && ERRNO.test(code) ? code : ERRNO.exec(textOf(err))?.[1]
}

/** The StartupError for a failed listen on `value` (from `setting`); any error becomes one. */
export function listenErrorFor (setting: string, value: string, err: unknown): StartupError {
  if (err instanceof StartupError) return err
  switch (errnoOf(err)) {
    case 'EADDRINUSE': return new AddressInUseError(setting, value, err)
    case 'EADDRNOTAVAIL': return new AddressNotAvailableError(setting, value, err)
    case 'EACCES': return new ListenPermissionError(setting, value, err)
    default: return new ListenFailedError(setting, value, textOf(err).split('\n')[0] ?? 'unknown error', err)
  }
}

/**
 * Like listenErrorFor, but only for errors that are recognisably a refused bind (in use, not
 * available, permission); anything else is returned as it is. For servers whose start does more
 * than bind (the gateway reads TLS files, loads protos).
 */
export function bindErrorFor (setting: string, value: string, err: unknown): unknown {
  return errnoOf(err) === undefined ? err : listenErrorFor(setting, value, err)
}

/** The data directory cannot be created or written. */
export class DataDirUnwritableError extends StartupError {
  override name = 'DataDirUnwritableError'
  constructor (path: string, reason: string, cause?: unknown) {
    super('cannot write to the data directory', 'dataDir', path, reason, `choose a writable directory with ${flagOf('dataDir')}, or give this user write access to it`, { cause })
  }
}

/** A reason from a Node.js file-system error: "permission denied", "not a directory"... */
export function fsReason (err: unknown): string {
  switch ((err as NodeJS.ErrnoException | undefined)?.code) {
    case 'EACCES': case 'EPERM': return 'permission denied'
    case 'EROFS': return 'read-only file system'
    case 'ENOTDIR': return 'a part of the path is not a directory'
    case 'EISDIR': return 'it is a directory'
    case 'ENOSPC': return 'no space left on the device'
    case 'ENOENT': return 'no such file or directory'
    default: return (err as Error | undefined)?.message ?? String(err)
  }
}
