/**
 * Checks of the multiaddrs a node listens on and dials, made when the configuration is read so that a
 * node never starts with an address it cannot use: a transport it does not run, a bootstrap address
 * without a peer id, or one whose peer id does not parse.
 *
 * The node runs one transport, TCP (src/node/libp2p-options.ts: `transports: [tcp()]`); the matcher is
 * the one @libp2p/tcp itself uses to pick the addresses it listens on and dials.
 */
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import { Circuit, DNSADDR, Memory, QUIC, QUIC_V1, TCP, UDP, Unix, WebRTC, WebRTCDirect, WebSockets, WebSocketsSecure, WebTransport } from '@multiformats/multiaddr-matcher'
import { peerIdFromString } from '@libp2p/peer-id'

/** Transports the node runs, for messages. */
export const SUPPORTED_TRANSPORTS = ['TCP'] as const

/** The `allowed` phrase of listen addresses. */
export const LISTEN_ALLOWED = 'TCP multiaddrs, e.g. /ip4/0.0.0.0/tcp/4100 or /ip6/::/tcp/4100 (TCP is the only transport; QUIC, WebSockets, WebTransport and WebRTC are not supported)'

/** The `allowed` phrase of bootstrap addresses. */
export const PEER_ADDRESS_ALLOWED = 'TCP multiaddrs ending in /p2p/<peer id>, e.g. /ip4/192.0.2.7/tcp/4100/p2p/12D3KooW... or /dns4/boot.example.net/tcp/4100/p2p/12D3KooW... (sorcha-peer id prints a node\'s id)'

// Most specific first: a QUIC address also matches UDP, secure WebSockets also matches TCP.
const KNOWN_TRANSPORTS: Array<[string, { exactMatch: (ma: Multiaddr) => boolean }]> = [
  ['circuit relay', Circuit], ['WebRTC', WebRTC], ['WebRTC', WebRTCDirect], ['WebTransport', WebTransport],
  ['QUIC', QUIC_V1], ['QUIC', QUIC], ['secure WebSockets', WebSocketsSecure], ['WebSockets', WebSockets],
  ['UDP', UDP], ['Unix sockets', Unix], ['the memory transport', Memory]
]

/** The name of the transport of an address the node cannot use, e.g. "QUIC". */
function transportName (ma: Multiaddr): string {
  const found = KNOWN_TRANSPORTS.find(([, matcher]) => matcher.exactMatch(ma))
  if (found !== undefined) return found[0]
  const protocols = ma.getComponents().map(c => c.name).join('/')
  return `/${protocols}`
}

function parse (value: string): Multiaddr | undefined {
  try {
    return multiaddr(value)
  } catch {
    return undefined
  }
}

const unsupported = (ma: Multiaddr, verb: string): string =>
  `${transportName(ma)} is not supported: the node ${verb} ${SUPPORTED_TRANSPORTS.join(', ')} only`

/** Why the node cannot listen on `value`, or undefined when it can. */
export function listenAddressProblem (value: string): string | undefined {
  const ma = parse(value)
  if (ma === undefined) return 'not a valid multiaddr'
  if (!TCP.exactMatch(ma)) return unsupported(ma, 'listens on')
  if (ma.getComponents().some(c => c.name === 'p2p')) return 'a listen address takes no /p2p/ part'
  return undefined
}

/** Why the node cannot dial `value` as a bootstrap peer, or undefined when it can. */
export function peerAddressProblem (value: string): string | undefined {
  const ma = parse(value)
  if (ma === undefined) return 'not a valid multiaddr'
  const components = ma.getComponents()
  const last = components[components.length - 1]
  if (last?.name !== 'p2p' || last.value === undefined) return 'does not end in /p2p/<peer id>'
  try {
    peerIdFromString(last.value)
  } catch {
    return `"${last.value}" is not a valid peer id`
  }
  // A /dnsaddr/ address resolves (DNS TXT records) to the peer's real addresses, checked when dialled.
  if (!TCP.exactMatch(ma) && !DNSADDR.exactMatch(ma)) return unsupported(ma, 'dials')
  return undefined
}

const HOST_PORT = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+)(?::(\d{1,5}))?$/

/** Why `value` is not a host:port (host name, IPv4 address or [IPv6]:port), or undefined when it is. */
export function hostPortProblem (value: string): string | undefined {
  const match = HOST_PORT.exec(value)
  if (match === null) {
    // A bare IPv6 address (2001:db8::1) has colons but no brackets: its port cannot be told apart.
    return /^[0-9A-Fa-f:.]+$/.test(value) && value.includes('::') ? 'an IPv6 address needs brackets: [2001:db8::1]:3478' : 'not host:port'
  }
  if (match[2] === undefined) return 'no port: write host:port, e.g. stun.example.net:3478'
  const port = Number(match[2])
  if (port < 1 || port > 65_535) return `port ${port} is outside 1-65535`
  return undefined
}
