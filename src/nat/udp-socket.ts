/** The UDP socket the STUN client uses: node:dgram in production, a fake in unit tests. */
import { createSocket } from 'node:dgram'
import type { Endpoint } from '../../protocols/stun/index.ts'

/** What the STUN client needs from a bound UDP socket. */
export interface UdpSocketLike {
  send: (bytes: Uint8Array, to: Endpoint) => void
  /** Registers the one datagram handler. */
  onMessage: (handler: (bytes: Uint8Array, from: Endpoint) => void) => void
  /** The bound local port. */
  localPort: () => number
  close: () => void
}

/** Creates and binds a socket of the given family on an ephemeral port. */
export type SocketFactory = (family: 4 | 6) => Promise<UdpSocketLike>

/** The production factory: node:dgram bound to the wildcard address and an ephemeral port. */
export const dgramSocketFactory: SocketFactory = async family => {
  const socket = createSocket({ type: family === 6 ? 'udp6' : 'udp4', ipv6Only: family === 6 })
  // Send failures (no route, ICMP errors) surface here; the transaction then simply times out.
  socket.on('error', () => {})
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject)
    socket.bind(0, () => { socket.off('error', reject); resolve() })
  })
  let closed = false
  return {
    send: (bytes, to) => { if (!closed) socket.send(bytes, to.port, to.address, () => {}) },
    onMessage: handler => {
      socket.on('message', (msg, rinfo) => {
        handler(new Uint8Array(msg.buffer, msg.byteOffset, msg.byteLength), { family: rinfo.family === 'IPv6' ? 6 : 4, address: rinfo.address, port: rinfo.port })
      })
    },
    localPort: () => socket.address().port,
    close: () => { if (!closed) { closed = true; socket.close() } }
  }
}
