/**
 * Runs a node until a signal: the body of `sorcha-peer start`. The first SIGINT/SIGTERM stops it
 * gracefully (services stop, listeners and connections close, the database is flushed) within
 * SHUTDOWN_DEADLINE_MS; a second signal, or a stop that overruns the deadline, forces the exit.
 */
import type { Config } from '../config/index.ts'
import { configureLogging } from '../logging/index.ts'
import { defaultContributions } from './contributions.ts'
import { SorchaNode } from './sorcha-node.ts'

/** The graceful shutdown must finish within this long. */
export const SHUTDOWN_DEADLINE_MS = 5_000

/** The process surface run() needs; tests pass a fake. */
export interface ProcessLike {
  once: (signal: 'SIGINT' | 'SIGTERM', listener: () => void) => unknown
  removeListener: (signal: 'SIGINT' | 'SIGTERM', listener: () => void) => unknown
  exit: (code: number) => never
}

/** Starts a node and resolves with the exit code once it has stopped. */
export async function runNode (config: Readonly<Config>, proc: ProcessLike = process): Promise<number> {
  const log = configureLogging(config.log).child({ name: 'sorcha:cli' })
  const node = await SorchaNode.create(config, { contributions: defaultContributions(config) })
  await node.start()
  log.info({ peerId: node.peerId.toString(), addresses: node.libp2p.getMultiaddrs().map(String), dataDir: config.dataDir, bootstrap: config.bootstrap.length === 0 ? 'this node is a bootstrap node' : config.bootstrap }, 'node running; Ctrl-C to stop')

  return await new Promise<number>(resolve => {
    const signals = ['SIGINT', 'SIGTERM'] as const
    const force = (): void => {
      log.warn('second signal: exiting without waiting for a clean stop')
      proc.exit(130)
    }
    const graceful = (): void => {
      for (const s of signals) { proc.removeListener(s, graceful); proc.once(s, force) }
      log.info('stopping: closing connections and flushing storage')
      const deadline = setTimeout(() => {
        log.error({ deadlineMs: SHUTDOWN_DEADLINE_MS }, 'stop overran its deadline; exiting')
        proc.exit(1)
      }, SHUTDOWN_DEADLINE_MS)
      node.stop().then(() => {
        clearTimeout(deadline)
        for (const s of signals) proc.removeListener(s, force)
        log.info('stopped')
        resolve(0)
      }, (err: unknown) => {
        clearTimeout(deadline)
        log.error({ err }, 'stop failed')
        resolve(1)
      })
    }
    for (const s of signals) proc.once(s, graceful)
  })
}
