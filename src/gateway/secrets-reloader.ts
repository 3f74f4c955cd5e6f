/**
 * Reloads the gateway's secrets (TLS certificate, key, CA bundle and the token file) without a
 * restart: on request (the node calls `reload()` on SIGHUP) and, when watching, after a change to one
 * of the files (fs.watch on their directories, which also sees a file replaced by a rename and a
 * Kubernetes Secret's symlink swap, then a quiet time of SECRETS_RELOAD_DEBOUNCE_MS). New material is
 * checked before use; a file that cannot be read or used keeps the previous material and logs one
 * warning naming the setting and the file. Listeners get the new secrets; connections already open
 * keep the material they were made with.
 */
import { watch, type FSWatcher } from 'node:fs'
import { basename, dirname } from 'node:path'
import { logger, type Logger } from '../logging/index.ts'
import { SECRETS_RELOAD_DEBOUNCE_MS } from './constants.ts'
import { loadSecrets, sameSecrets, type GatewaySecrets, type SecretSettings } from './tls.ts'

/** The outcome of one reload. */
export type ReloadOutcome = 'changed' | 'unchanged' | 'failed'

/** What prompted a reload, for the log. */
export type ReloadCause = 'signal' | 'file' | 'request'

/** The line logged when a reload fails (followed by the error's own line). */
export const RELOAD_FAILED_MSG = 'kept the previous API certificates and token'

/** The gateway's current secrets, reloadable. */
export class SecretsReloader {
  private readonly settings: SecretSettings
  private readonly log: Logger
  private readonly debounceMs: number
  private secrets: GatewaySecrets
  private readonly listeners = new Set<(secrets: GatewaySecrets) => void>()
  private watchers: FSWatcher[] = []
  private timer: NodeJS.Timeout | undefined
  private queue: Promise<unknown> = Promise.resolve()

  constructor (settings: SecretSettings, initial: GatewaySecrets, options: { debounceMs?: number } = {}) {
    this.settings = settings
    this.secrets = initial
    this.debounceMs = options.debounceMs ?? SECRETS_RELOAD_DEBOUNCE_MS
    this.log = logger('sorcha:gateway')
  }

  /** The secrets in use now. */
  get current (): GatewaySecrets {
    return this.secrets
  }

  /** The files the secrets come from (empty when everything is inline or off). */
  get files (): string[] {
    const { tls, tokenFile } = this.settings
    return [tls.cert, tls.key, tls.ca, tokenFile].filter(f => f !== '')
  }

  /** Calls `listener` with the new secrets after every successful change. Returns the undo. */
  onChange (listener: (secrets: GatewaySecrets) => void): () => void {
    this.listeners.add(listener)
    return () => { this.listeners.delete(listener) }
  }

  /** Reads the files again; applies them if they changed and are usable. Never throws. */
  async reload (cause: ReloadCause = 'request'): Promise<ReloadOutcome> {
    const run = this.queue.then(async () => this.reloadNow(cause))
    this.queue = run.catch(() => {})
    return run
  }

  private async reloadNow (cause: ReloadCause): Promise<ReloadOutcome> {
    if (this.files.length === 0) return 'unchanged'
    let next: GatewaySecrets
    try {
      next = await loadSecrets(this.settings)
    } catch (err) {
      this.log.warn({ cause, error: (err as Error).name }, `${RELOAD_FAILED_MSG}: ${(err as Error).message}`)
      return 'failed'
    }
    if (sameSecrets(next, this.secrets)) {
      this.log.debug({ cause }, 'API certificates and token unchanged')
      return 'unchanged'
    }
    const previous = this.secrets
    this.secrets = next
    for (const listener of this.listeners) {
      try {
        listener(next)
      } catch (err) {
        // A listener refusing the material (a TLS context it cannot build) puts the old one back everywhere.
        this.secrets = previous
        for (const undo of this.listeners) { try { undo(previous) } catch { /* it refused the old material too: nothing more to do */ } }
        this.log.warn({ cause }, `${RELOAD_FAILED_MSG}: ${(err as Error).message}`)
        return 'failed'
      }
    }
    this.log.info({ cause, tls: !sameTls(previous, next), token: previous.token !== next.token }, 'reloaded the API certificates and token; new connections use them')
    return 'changed'
  }

  /** Watches the secret files' directories; a change reloads after the quiet time. Idempotent. */
  watch (): void {
    if (this.watchers.length > 0) return
    const names = new Set(this.files.map(f => basename(f)))
    for (const dir of new Set(this.files.map(f => dirname(f)))) {
      try {
        const watcher = watch(dir, { persistent: false }, (_event, name) => {
          // `..data` and its kin: a Kubernetes Secret volume swaps a symlink to publish new files.
          if (name === null || names.has(name) || name.startsWith('..')) this.schedule()
        })
        watcher.on('error', err => { this.log.warn({ dir, err: err.message }, 'stopped watching the API secret files; reload them with SIGHUP'); watcher.close() })
        this.watchers.push(watcher)
      } catch (err) {
        this.log.warn({ dir, err: (err as Error).message }, 'cannot watch the API secret files; reload them with SIGHUP')
      }
    }
  }

  private schedule (): void {
    clearTimeout(this.timer)
    this.timer = setTimeout(() => { void this.reload('file') }, this.debounceMs)
    this.timer.unref()
  }

  /** Stops watching. Idempotent. */
  close (): void {
    clearTimeout(this.timer)
    this.timer = undefined
    for (const watcher of this.watchers) watcher.close()
    this.watchers = []
    this.listeners.clear()
  }
}

const sameTls = (a: GatewaySecrets, b: GatewaySecrets): boolean => sameSecrets({ ...a, token: '' }, { ...b, token: '' })
