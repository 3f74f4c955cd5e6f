/**
 * IP-range diversity in the connection gater (docs/security.md): at most `connections.maxPeersPerIpRange`
 * peers connected from one /24 (IPv4) or /48 (IPv6), unless the address is allow-listed
 * (`connections.ipRangeAllow`, loopback by default, and `connections.allow`). Checked when a
 * connection's peer is known (after Noise), inbound and outbound, and before dialling an address
 * whose range is already full. A peer already connected may open more connections. The decision is
 * the reputation core's (protocols/reputation/ip-ranges.ts).
 */
import type { Connection, ConnectionGater, PeerId } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import { cidrOf, inAnyCidr, rangeOf, refusesInRange, type Cidr } from '../../protocols/reputation/index.ts'
import { logger } from '../logging/index.ts'

/** Options of the IP-range gater. */
export interface IpDiversityInit {
  /** Most peers per range; 0: no limit. */
  maxPerRange: number
  /** Multiaddr prefixes exempt from the limit (`/ip4/10.0.0.0/ipcidr/8`, `/ip6/::1`). */
  allow: readonly string[]
  /** The node's open connections, once it has them. */
  connections: () => Connection[] | undefined
  /** Called when a peer is refused (for a metric). */
  onRefused?: () => void
}

/** The IP address of a multiaddr's first ip4/ip6 component, if any. */
export function ipOf (ma: Multiaddr): string | undefined {
  return ma.getComponents().find(c => c.name === 'ip4' || c.name === 'ip6')?.value
}

/** CIDR blocks of multiaddr prefixes (`/ip4/<net>/ipcidr/<bits>`); others are skipped. */
export function cidrsOf (prefixes: readonly string[]): Cidr[] {
  const blocks: Cidr[] = []
  for (const prefix of prefixes) {
    const parts = prefix.split('/')
    if ((parts[1] !== 'ip4' && parts[1] !== 'ip6') || parts[2] === undefined) continue
    const bits = parts[3] === 'ipcidr' ? Number(parts[4]) : undefined
    const block = cidrOf(parts[2], bits)
    if (block !== undefined) blocks.push(block)
  }
  return blocks
}

/** Gater methods that refuse one peer too many from an IP range; merge them into libp2p's gater. */
export function ipDiversityGater (init: IpDiversityInit): Required<Pick<ConnectionGater, 'denyDialMultiaddr' | 'denyInboundEncryptedConnection' | 'denyOutboundEncryptedConnection'>> {
  const allowed = cidrsOf(init.allow)
  const log = logger('sorcha:peers')
  /** True when `peer` (if known) at `ip` would be one peer too many in its range. */
  const refuses = (ip: string | undefined, peer: string | undefined): boolean => {
    if (init.maxPerRange <= 0 || ip === undefined || inAnyCidr(ip, allowed)) return false
    const range = rangeOf(ip)
    if (range === undefined) return false
    const peers = new Set<string>()
    for (const connection of init.connections() ?? []) {
      if (connection.status !== 'open') continue
      const other = ipOf(connection.remoteAddr)
      if (other !== undefined && rangeOf(other) === range) peers.add(connection.remotePeer.toString())
    }
    const already = peer !== undefined && peers.delete(peer)
    if (!refusesInRange(peers.size, already, init.maxPerRange)) return false
    init.onRefused?.()
    log.debug({ peer, range, peers: peers.size }, 'refusing a peer: its IP range already has the most peers allowed')
    return true
  }
  const peerOf = (ma: Multiaddr): string | undefined => ma.getComponents().findLast(c => c.name === 'p2p')?.value
  return {
    denyDialMultiaddr: (ma: Multiaddr) => refuses(ipOf(ma), peerOf(ma)),
    denyInboundEncryptedConnection: (peerId: PeerId, maConn) => refuses(ipOf(maConn.remoteAddr), peerId.toString()),
    denyOutboundEncryptedConnection: (peerId: PeerId, maConn) => refuses(ipOf(maConn.remoteAddr), peerId.toString())
  }
}
