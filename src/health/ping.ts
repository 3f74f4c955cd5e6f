/** The default PingFunction: libp2p's ping service, dialling the peer's known addresses if not connected. */
import type { AbortOptions, PeerId } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
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

/** Pings through the service returned by `service()` (looked up per call: it may be set up after us). */
export function libp2pPing (service: () => PingService): PingFunction {
  return async (peer, options) => service().ping(dialTarget(peer), { signal: options.signal })
}
