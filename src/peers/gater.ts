/**
 * Connection-gater rules from the peer list's bans, for libp2p's `connectionGater` option: a banned
 * peer is never dialled and its connections are refused as soon as its identity is known (after the
 * Noise handshake). The peer list may not exist yet when libp2p is configured, so the list can be
 * given lazily; until it exists nothing is denied.
 */
import type { ConnectionGater, PeerId } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { PeerList } from './types.ts'

/** The peer list, or a function that returns it once it exists. */
export type PeerListSource = Pick<PeerList, 'isBanned'> | (() => Pick<PeerList, 'isBanned'> | undefined)

/** The peer id in a multiaddr's last /p2p/ component, if any. */
function peerIdOf (ma: Multiaddr): string | undefined {
  return ma.getComponents().findLast(c => c.name === 'p2p')?.value
}

/** Connection-gater methods that deny banned peers; merge them into libp2p's `connectionGater`. */
export function peerListGater (source: PeerListSource, clock: () => number = Date.now): Required<Pick<ConnectionGater,
'denyDialPeer' | 'denyDialMultiaddr' | 'denyInboundEncryptedConnection' | 'denyOutboundEncryptedConnection'>> {
  const banned = (peerId: string | undefined): boolean => {
    if (peerId === undefined) return false
    const list = typeof source === 'function' ? source() : source
    return list?.isBanned(peerId, clock()) ?? false
  }
  return {
    denyDialPeer: (peerId: PeerId) => banned(peerId.toString()),
    denyDialMultiaddr: (ma: Multiaddr) => banned(peerIdOf(ma)),
    denyInboundEncryptedConnection: (peerId: PeerId) => banned(peerId.toString()),
    denyOutboundEncryptedConnection: (peerId: PeerId) => banned(peerId.toString())
  }
}
