/** Connection limits and the inbound admission policy. */
import { z } from 'zod'
import { decimal, integer, multiaddrList } from '../fields.ts'

/** The `connections` section of the configuration. */
export const connectionsSection = z.strictObject({
  min: integer(0, 10_000, 8, 'Below this many open connections the node dials peers from its peer list and discovers more'),
  max: integer(1, 10_000, 64, 'The connection manager closes the least valuable connections above this many'),
  maxPendingInbound: integer(1, 10_000, 64, 'Inbound connections allowed to be mid-handshake at once; a bootstrap node needs room for a burst of joiners'),
  inboundPerIpPerSecond: integer(1, 100_000, 10, 'Inbound connection attempts accepted per second from one IP address (peers behind one NAT share an IP)'),
  allow: multiaddrList([], 'Addresses exempt from the inbound rate and connection limits, as multiaddr prefixes such as /ip4/10.0.0.0/ipcidr/8'),
  maxPeersPerIpRange: integer(0, 10_000, 8, 'Most peers connected from one /24 (IPv4) or /48 (IPv6) range, unless allow-listed (Sybil and eclipse defence); 0 turns the limit off'),
  ipRangeAllow: multiaddrList(['/ip4/127.0.0.0/ipcidr/8', '/ip6/::1/ipcidr/128'], 'Ranges exempt from maxPeersPerIpRange (as are connections.allow), as multiaddr prefixes; loopback by default, so that nodes on one host can mesh'),
  protectedOutboundShare: decimal(0, 1, 0.25, 'Share of connections.max kept for outbound connections protected from pruning (one per IP range; eclipse defence); 0 protects none')
}).prefault({})
