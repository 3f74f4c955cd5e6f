/** Helpers of the topology service: bootstrap parsing, dialable statuses, and tasks bounded by a deadline and a stop signal. */
import { multiaddr } from '@multiformats/multiaddr'
import { PeerStatus } from '../../protocols/models/index.ts'
import type { BootstrapPeer } from '../../protocols/topology/index.ts'

/** Parses bootstrap multiaddrs into the core's form, grouping addresses per peer id. */
export function parseBootstrap (addrs: string[]): BootstrapPeer[] {
  const byPeer = new Map<string, string[]>()
  for (const text of addrs) {
    const ma = multiaddr(text)
    const peerId = ma.getComponents().findLast(c => c.name === 'p2p')?.value
    if (peerId === undefined) continue
    byPeer.set(peerId, [...(byPeer.get(peerId) ?? []), text])
  }
  return [...byPeer].map(([peerId, addresses]) => ({ peerId, addresses }))
}

/** Statuses worth dialling when short of connections (the connectivity service counts these too). */
export const DIALABLE = [PeerStatus.PEER_STATUS_HEALTHY, PeerStatus.PEER_STATUS_UNKNOWN, PeerStatus.PEER_STATUS_DEGRADED] as const

/** A multiaddr with the peer's /p2p/ suffix. */
export const withPeer = (addr: string, peerId: string): string => addr.includes('/p2p/') ? addr : `${addr}/p2p/${peerId}`

/**
 * Runs `task` with a signal that aborts when `stop` does or after `timeoutMs`. A plain timer and
 * controller, not AbortSignal.any(AbortSignal.timeout()): the composite holds its sources weakly, and
 * a collected timeout signal never fires (seen here: dials stuck for minutes under GC pressure).
 * Without `stop` (not running) the signal is aborted from the start.
 */
export async function withTimeout<T> (stop: AbortSignal | undefined, timeoutMs: number, task: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController()
  const abort = (): void => { controller.abort(new Error('stopped or timed out')) }
  const timer = setTimeout(abort, timeoutMs)
  stop?.addEventListener('abort', abort, { once: true })
  if (stop === undefined || stop.aborted) abort()
  try {
    return await task(controller.signal)
  } finally {
    clearTimeout(timer)
    stop?.removeEventListener('abort', abort)
  }
}
