/**
 * The default PingFunction: over an open connection a Yamux ping frame (as the connection watch sends:
 * no stream to negotiate on either side), else libp2p's ping service, dialling the peer's known addresses.
 */
import type { AbortOptions, PeerId } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import { muxerPing, pingWithin, type PingableMuxer, type WatchedConnection } from './connection-watch.ts'
import type { PingFunction } from './types.ts'

/** The part of @libp2p/ping's service the monitor uses. */
export interface PingService {
  ping: (target: PeerId | Multiaddr | Multiaddr[], options?: AbortOptions) => Promise<number>
}

/** Where to dial: the stored addresses with /p2p/<id> (an open connection is reused), else the peer id. */
export function dialTarget (peer: { peerId: string, addresses: readonly string[] }): PeerId | Multiaddr[] {
  const addrs = peer.addresses.flatMap(address => {
    try {
      return [multiaddr(`${address}/p2p/${peer.peerId}`)]
    } catch {
      return []
    }
  })
  return addrs.length > 0 ? addrs : peerIdFromString(peer.peerId)
}

/** The muxer ping of the first open connection that has one. */
function openConnectionPing (connections: WatchedConnection[]): PingableMuxer | undefined {
  for (const c of connections) {
    const muxer = c.status === 'open' ? muxerPing(c) : undefined
    if (muxer !== undefined) return muxer
  }
  return undefined
}

/**
 * Pings over the peer's open connection (`connections`, when given) with a muxer ping, else through
 * the service returned by `service()` (looked up per call: it may be set up after us).
 */
export function libp2pPing (service: () => PingService, connections?: (peerId: PeerId) => WatchedConnection[]): PingFunction {
  return async (peer, options) => {
    const open = connections === undefined ? undefined : openConnectionPing(connections(peerIdFromString(peer.peerId)))
    if (open !== undefined) return pingWithin(open, options.signal)
    return service().ping(dialTarget(peer), { signal: options.signal })
  }
}
