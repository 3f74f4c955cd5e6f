/** Connection limits and the inbound admission policy. */
import { z } from 'zod'
import { integer, multiaddrList } from '../fields.ts'

/** The `connections` section of the configuration. */
export const connectionsSection = z.strictObject({
  min: integer(0, 10_000, 8, 'Below this many open connections the node dials peers from its peer list and discovers more'),
  max: integer(1, 10_000, 64, 'The connection manager closes the least valuable connections above this many'),
  maxPendingInbound: integer(1, 10_000, 64, 'Inbound connections allowed to be mid-handshake at once; a bootstrap node needs room for a burst of joiners'),
  inboundPerIpPerSecond: integer(1, 100_000, 10, 'Inbound connection attempts accepted per second from one IP address (peers behind one NAT share an IP)'),
  allow: multiaddrList([], 'Addresses exempt from the inbound rate and connection limits, as multiaddr prefixes such as /ip4/10.0.0.0/ipcidr/8')
}).prefault({})
