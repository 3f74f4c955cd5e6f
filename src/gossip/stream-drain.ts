/**
 * Waiting for a libp2p stream's send buffer to drain, with a deadline: the one wait both gossip
 * channels (tx-gossip's peer channel and reconciliation's) use. libp2p 3: wait on the 'drain' event
 * (onDrain() in @libp2p/utils 7.4.1 resolves only once).
 */
import type { Stream } from '@libp2p/interface'

/** Resolves on 'drain'; rejects when the stream closes first or after `timeoutMs` (`what` names the stream in the error). */
export async function drained (stream: Stream, timeoutMs: number, what: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => { cleanup(); reject(new Error(`${what} stream did not drain in time`)) }, timeoutMs)
    const onDrain = (): void => { cleanup(); resolve() }
    const onClose = (): void => { cleanup(); reject(new Error(`${what} stream closed while draining`)) }
    const cleanup = (): void => {
      clearTimeout(timer)
      stream.removeEventListener('drain', onDrain)
      stream.removeEventListener('close', onClose)
    }
    stream.addEventListener('drain', onDrain)
    stream.addEventListener('close', onClose)
  })
}
