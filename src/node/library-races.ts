/**
 * One known race in a library the node runs on, kept from ending the process.
 *
 * js-libp2p's Yamux (@libp2p/yamux 8.0.3) opens an outbound stream by sending its first window update
 * (the SYN) from a queued microtask (`queueMicrotask(() => stream.sendWindowUpdate())` in
 * `YamuxMuxer.onCreateStream`). If the connection's encrypted transport closes between the two, the
 * write throws `StreamStateError: Cannot write to a stream that is closed` in that microtask, outside
 * any caller, and Node ends the process. The failure campaign hit it (docs/performance-report.md,
 * "Failures"): a node frozen with SIGSTOP for 60 s, whose peers had closed its connections as
 * unresponsive meanwhile, died on SIGCONT. Nothing is lost by going on: the stream belongs to a
 * connection that is going away, whose close the muxer sees next, and the caller's stream negotiation
 * fails with its own error.
 *
 * So exactly that error (a `StreamStateError` thrown from inside `@libp2p/yamux`) is logged as a
 * warning. Every other uncaught exception ends the process as Node would by default: its stack on
 * stderr and exit code 1.
 */
import { inspect } from 'node:util'
import type { Logger } from '../logging/index.ts'

/** The part of `process` the guard uses. */
export interface UncaughtSource {
  on: (event: 'uncaughtException', listener: (err: unknown) => void) => unknown
  removeListener: (event: 'uncaughtException', listener: (err: unknown) => void) => unknown
  exit: (code: number) => void
  stderr: { write: (text: string) => unknown }
}

/** The warning logged when the race is caught (docs/troubleshooting.md). */
export const YAMUX_RACE_MSG = 'a Yamux stream was opened on a connection whose transport had just closed; the connection is going away, the node goes on'

/** True for the error of the race above: a StreamStateError thrown inside @libp2p/yamux. */
export function isYamuxClosedWrite (err: unknown): boolean {
  if (!(err instanceof Error) || err.name !== 'StreamStateError') return false
  return (err.stack ?? '').split('\n').some(frame => frame.includes('/@libp2p/yamux/'))
}

/**
 * Installs the guard on `proc` (the process by default). Returns the undo.
 */
export function guardLibraryRaces (log: Logger, proc: UncaughtSource = process): () => void {
  const onUncaught = (err: unknown): void => {
    if (isYamuxClosedWrite(err)) {
      log.warn({ err }, YAMUX_RACE_MSG)
      return
    }
    // Node's own behaviour for an uncaught exception, which a listener replaces.
    proc.stderr.write(`${err instanceof Error && err.stack !== undefined ? inspect(err) : `Uncaught ${inspect(err)}`}\n`)
    proc.exit(1)
  }
  proc.on('uncaughtException', onUncaught)
  return () => { proc.removeListener('uncaughtException', onUncaught) }
}
