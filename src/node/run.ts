/**
 * Runs a node until a signal: the body of `sorcha-peer start`. The first SIGINT/SIGTERM stops it
 * gracefully (services stop, listeners and connections close, the database is flushed) within
 * SHUTDOWN_DEADLINE_MS; a second signal, or a stop that overruns the deadline, forces the exit.
 * SIGHUP reloads the API's TLS certificate, key, CA bundle and token file (src/gateway/secrets-reloader.ts),
 * and re-reads the configuration for the registers the node serves (gossip.registers; reload-registers.ts).
 */
import { flushCompileCache } from 'node:module'
import { join } from 'node:path'
import { format } from 'node:util'
import { setLogger } from '@grpc/grpc-js'
import { configWarnings, serviceLinkVariables, type Config } from '../config/index.ts'
import { preflightGateway } from '../gateway/exposure.ts'
import { configureLogging, type Logger } from '../logging/index.ts'
import { defaultContributions } from './contributions.ts'
import { IDENTITY_FILE } from './identity.ts'
import { startHeapTidy } from './heap-tidy.ts'
import { guardLibraryRaces } from './library-races.ts'
import { reloadServedRegisters } from './reload-registers.ts'
import { SorchaNode } from './sorcha-node.ts'

/** The graceful shutdown must finish within this long. */
export const SHUTDOWN_DEADLINE_MS = 5_000

/** The line `start` logs when it created the node's identity key (a new peer id). */
export const IDENTITY_CREATED_MSG = 'created a new identity'

/** The process surface run() needs; tests pass a fake. */
export interface ProcessLike {
  on: (signal: 'SIGINT' | 'SIGTERM' | 'SIGHUP', listener: () => void) => unknown
  removeListener: (signal: 'SIGINT' | 'SIGTERM' | 'SIGHUP', listener: () => void) => unknown
  exit: (code: number) => never
  /** The environment, for the Kubernetes service links it may hold (logged at debug). */
  env?: Record<string, string | undefined>
}

/**
 * grpc-js writes its own errors to stderr ("E No address added out of total 1 resolved" before the
 * gateway's start fails); route them into our log at debug, so that a failed start prints one line.
 */
function routeGrpcLogs (log: Logger): void {
  setLogger({ error: (...args: unknown[]) => { log.debug(format(...args)) } } as unknown as Console)
}

/**
 * Node's own warnings (a MaxListenersExceededWarning, a deprecation) print as plain text on stderr;
 * with --log-format json they become log lines too, so that every line parses. Returns the undo.
 */
export function routeProcessWarnings (log: Logger): () => void {
  const printers = process.listeners('warning')
  const onWarning = (warning: Error & { code?: string, detail?: string }): void => {
    log.warn({ warning: warning.name, ...(warning.code === undefined ? {} : { code: warning.code }), ...(warning.detail === undefined ? {} : { detail: warning.detail }) }, warning.message)
  }
  for (const printer of printers) process.removeListener('warning', printer)
  process.on('warning', onWarning)
  return () => {
    process.removeListener('warning', onWarning)
    for (const printer of printers) process.on('warning', printer)
  }
}

/** The node's running gateway, if any. */
function gatewayOf (node: SorchaNode): { grpcAddress: string, restUrl: string, reload: (cause: 'signal') => Promise<unknown> } | undefined {
  return (node.libp2p.services as { gateway?: { current?: { grpcAddress: string, restUrl: string, reload: (cause: 'signal') => Promise<unknown> } } }).gateway?.current
}

/** Where the node serves the outside world: the app API, the operations and metrics listeners, when on. */
function endpointsOf (node: SorchaNode): Record<string, string> {
  const gateway = gatewayOf(node)
  return {
    ...(gateway === undefined ? {} : { grpc: gateway.grpcAddress, rest: gateway.restUrl }),
    ...(node.opsUrl === '' ? {} : { ops: node.opsUrl }),
    ...(node.metricsUrl === '' ? {} : { metrics: `${node.metricsUrl}/metrics` })
  }
}

function logServiceLinks (log: Logger, env: Record<string, string | undefined>): void {
  for (const { name, value, shadows } of serviceLinkVariables(env)) {
    log.debug({ variable: name, value, ...(shadows === undefined ? {} : { shadows }) }, 'ignoring a Kubernetes service-link variable')
  }
}

/**
 * Starts a node and resolves with the exit code once it has stopped.
 * @throws StartupError (and its subclasses) when the node cannot start; nothing is left running
 */
export async function runNode (config: Readonly<Config>, proc: ProcessLike = process, options: { /** Loads the configuration again (file, environment, flags), for SIGHUP. */ reloadConfig?: () => Promise<Readonly<Config>> } = {}): Promise<number> {
  const root = configureLogging(config.log)
  const log = root.child({ name: 'sorcha:cli' })
  routeGrpcLogs(root.child({ name: 'sorcha:grpc' }))
  const unrouteWarnings = config.log.format === 'json' ? routeProcessWarnings(root.child({ name: 'sorcha:process' })) : () => {}
  // A library's known race must not end the node (library-races.ts); in-process callers keep their own handling.
  const unguard = proc === process ? guardLibraryRaces(root.child({ name: 'sorcha:process' })) : () => {}
  logServiceLinks(log, proc.env ?? {})
  const signals = ['SIGINT', 'SIGTERM'] as const
  let signalled: () => void = () => {}
  const stopRequested = new Promise<void>(resolve => { signalled = resolve })
  let stopping = false
  // Listening from before start until after stop, without gaps: while a signal has no listener Node
  // applies its default action, and a signal landing in that gap would kill the process unflushed.
  const onSignal = (): void => {
    if (stopping) {
      log.warn('second signal: exiting without waiting for a clean stop')
      proc.exit(130)
      return
    }
    stopping = true
    signalled()
  }
  for (const s of signals) proc.on(s, onSignal)
  // SIGHUP's default action ends the process; here it reloads the API secrets (a no-op before the start).
  let onHangup = (): void => {}
  const hangup = (): void => { onHangup() }
  proc.on('SIGHUP', hangup)
  try {
    // Before anything starts: an API open to other machines unprotected (exit 2), unusable TLS or token files.
    if (config.gateway.enabled) await preflightGateway(config.gateway)
    const node = await SorchaNode.create(config, { contributions: defaultContributions(config) })
    onHangup = () => {
      void gatewayOf(node)?.reload('signal')
      if (options.reloadConfig !== undefined) void reloadServedRegisters(node, options.reloadConfig, log)
    }
    await node.start()
    // After the start: a start that fails prints its one line and nothing else (docs/troubleshooting.md).
    if (node.identityCreated) log.info({ peerId: node.peerId.toString(), path: join(config.dataDir, IDENTITY_FILE) }, IDENTITY_CREATED_MSG)
    log.info({ peerId: node.peerId.toString(), addresses: node.libp2p.getMultiaddrs().map(String), ...endpointsOf(node), dataDir: config.dataDir, bootstrap: config.bootstrap.length === 0 ? 'this node is a bootstrap node' : config.bootstrap }, 'node running; Ctrl-C to stop')
    // Settings valid one by one that work against each other in a mesh configured alike (docs/troubleshooting.md).
    for (const warning of configWarnings(config)) log.warn({ settings: warning.settings }, warning.message)
    // Every module the node needs is loaded now: write the compile cache (src/cli/bin.js) at once rather
    // than at exit, so that a node killed later (SIGKILL, a crash) still leaves a warm cache behind.
    flushCompileCache()
    // An idle node gives the garbage of its start-up and of later bursts back (heap-tidy.ts); not in
    // in-process callers (tests), whose heap is not the node's alone.
    const stopTidy = proc === process ? startHeapTidy(log) : () => {}
    await stopRequested
    log.info('stopping: closing connections and flushing storage')
    const deadline = setTimeout(() => {
      log.error({ deadlineMs: SHUTDOWN_DEADLINE_MS }, 'stop overran its deadline; exiting')
      proc.exit(1)
    }, SHUTDOWN_DEADLINE_MS)
    try {
      stopTidy()
      await node.stop()
      log.info('stopped')
      return 0
    } catch (err) {
      log.error({ err }, 'stop failed')
      return 1
    } finally {
      clearTimeout(deadline)
    }
  } finally {
    for (const s of signals) proc.removeListener(s, onSignal)
    proc.removeListener('SIGHUP', hangup)
    unrouteWarnings()
    unguard()
  }
}
