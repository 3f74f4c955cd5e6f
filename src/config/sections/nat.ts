/**
 * Address and NAT discovery. No STUN server and no lookup URL by default: out of the box a node never
 * contacts the internet on its own and learns its address from its peers (identify + AutoNAT).
 */
import { z } from 'zod'
import { flag, hostPortList, integer, oneOf, stringList } from '../fields.ts'
import { SECOND_MS, MINUTE_MS, HOUR_MS } from '../units.ts'

/** Accepted values of nat.forceType: 'auto' (detect) or a classic NAT name. */
export const NAT_FORCE_TYPES = ['auto', 'open-internet', 'full-cone', 'restricted-cone', 'port-restricted-cone', 'symmetric', 'symmetric-udp-firewall', 'udp-blocked'] as const

/** The `nat` section of the configuration. */
export const natSection = z.strictObject({
  stunServers: hostPortList([], 'STUN servers (RFC 8489) used to learn the external address and, if they have two addresses, the NAT behaviour (RFC 5780); tried in order', 'host:port entries with the port (STUN servers commonly use 3478), e.g. stun.example.net:3478 or [2001:db8::1]:3478'),
  httpLookup: stringList([], 'URLs that answer with the caller\'s IP address (plain text or JSON), used when no STUN server answers; tried in order', 'http(s) URLs', /^https?:\/\/\S+$/),
  forceType: oneOf(NAT_FORCE_TYPES, 'auto', 'Report this NAT type instead of detecting it (e.g. open-internet for a host with a public address)'),
  recheckIntervalMs: integer(10 * SECOND_MS, 24 * HOUR_MS, 30 * MINUTE_MS, 'How often the external address and NAT type are checked again'),
  behaviourTests: flag(true, 'Run the RFC 5780 mapping and filtering tests when the STUN server supports them'),
  stunRtoMs: integer(10, 10 * SECOND_MS, 500, 'Initial STUN retransmission timeout (RFC 8489 RTO); doubles per retransmission'),
  stunMaxRequests: integer(1, 20, 7, 'STUN requests sent per transaction before giving up (RFC 8489 Rc)'),
  stunLastWaitFactor: integer(1, 64, 16, 'After the last STUN request, wait this many initial RTOs for a response (RFC 8489 Rm)'),
  httpTimeoutMs: integer(100, MINUTE_MS, 5 * SECOND_MS, 'Timeout of one HTTP lookup request')
}).prefault({})
