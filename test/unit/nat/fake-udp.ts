/** A fake UDP world for unit tests: sockets that hand datagrams to a scripted STUN server. */
import {
  decodeMessage, decodeChangeRequest, encodeBindingSuccess, findAttribute, ATTR, type Endpoint
} from '../../../protocols/stun/index.ts'
import type { SocketFactory, UdpSocketLike } from '../../../src/nat/udp-socket.ts'

/** What the scripted server sees and decides. */
export interface FakeRequest {
  socket: number
  localPort: number
  to: Endpoint
  bytes: Uint8Array
  change: { changeIp: boolean, changePort: boolean }
  transactionId: Uint8Array
}

/** Returns datagrams to deliver: [bytes, from] pairs (none = dropped). */
export type FakeServer = (request: FakeRequest) => Array<[Uint8Array, Endpoint]>

/** A socket factory whose sockets talk to `server`; every sent datagram is recorded in `sent`. */
export function fakeUdp (server: FakeServer): { factory: SocketFactory, sent: FakeRequest[], sockets: Array<UdpSocketLike & { closed: boolean, deliver: (b: Uint8Array, from: Endpoint) => void }> } {
  const sent: FakeRequest[] = []
  const sockets: Array<UdpSocketLike & { closed: boolean, deliver: (b: Uint8Array, from: Endpoint) => void }> = []
  const factory: SocketFactory = async () => {
    const index = sockets.length
    const localPort = 40000 + index
    let handler: ((bytes: Uint8Array, from: Endpoint) => void) | undefined
    const socket = {
      closed: false,
      deliver: (bytes: Uint8Array, from: Endpoint) => { if (!socket.closed) handler?.(bytes, from) },
      send: (bytes: Uint8Array, to: Endpoint) => {
        const decoded = decodeMessage(bytes)
        if (!decoded.ok) throw new Error('client sent a bad datagram')
        const changeValue = findAttribute(decoded.message, ATTR.CHANGE_REQUEST)
        const change = changeValue === undefined ? { changeIp: false, changePort: false } : decodeChangeRequest(changeValue)!
        const request: FakeRequest = { socket: index, localPort, to, bytes, change, transactionId: decoded.message.transactionId }
        sent.push(request)
        // Deliver asynchronously, as a network would, but as a microtask: it always arrives before any
        // retransmission timer fires, however loaded the machine is (no timing-dependent outcomes).
        for (const [reply, from] of server(request)) queueMicrotask(() => { socket.deliver(reply, from) })
      },
      onMessage: (h: (bytes: Uint8Array, from: Endpoint) => void) => { handler = h },
      localPort: () => localPort,
      close: () => { socket.closed = true }
    }
    sockets.push(socket)
    return socket
  }
  return { factory, sent, sockets }
}

/**
 * A scripted RFC 5780 server at primary 198.51.100.1:3478 / alternate 198.51.100.2:3479 behind a model
 * NAT (external IP 203.0.113.50) with endpoint-independent mapping and the given filtering.
 */
export function rfc5780Server (filtering: 'eif' | 'apdf', options: { otherAddress?: boolean } = {}): FakeServer {
  const primary = { address: '198.51.100.1', port: 3478 }
  const alt = { address: '198.51.100.2', port: 3479 }
  return request => {
    const from: Endpoint = {
      family: 4,
      address: request.change.changeIp ? (request.to.address === primary.address ? alt.address : primary.address) : request.to.address,
      port: request.change.changePort ? (request.to.port === primary.port ? alt.port : primary.port) : request.to.port
    }
    const changed = request.change.changeIp || request.change.changePort
    if (changed && filtering === 'apdf') return []
    const mapped: Endpoint = { family: 4, address: '203.0.113.50', port: 50000 + (request.socket % 2) }
    const other = options.otherAddress === false ? {} : { otherAddress: { family: 4 as const, ...alt } }
    return [[encodeBindingSuccess(request.transactionId, { mapped, ...other, responseOrigin: from }), from]]
  }
}
