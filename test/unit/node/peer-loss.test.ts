import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { Libp2pEvents, PeerId } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { TypedEventEmitter } from 'main-event'
import { createRootLogger } from '../../../src/logging/index.ts'
import { LAST_PEER_LOST_MSG, PEER_BACK_MSG, PeerLossLog } from '../../../src/node/peer-loss.ts'

const A = peerIdFromString('12D3KooWGRUVh2W6GJrqEC3Ccw5ZDkxn8mNFWmpe1KD8vEJ9LgtG')
const B = peerIdFromString('12D3KooWNgoChqaMwiGKXKh5NBqAuFukkvWheTWkpY8fBgN5AjfV')

/** A node's events and connections, driven by the test. */
function fakeNode (): { events: TypedEventEmitter<Libp2pEvents>, connected: Set<PeerId>, connect: (p: PeerId) => void, disconnect: (p: PeerId) => void, connectionManager: { getConnections: () => Array<{ remotePeer: PeerId }> } } {
  const events = new TypedEventEmitter<Libp2pEvents>()
  const connected = new Set<PeerId>()
  return {
    events,
    connected,
    connectionManager: { getConnections: () => [...connected].map(remotePeer => ({ remotePeer })) },
    connect: p => { connected.add(p); events.safeDispatchEvent('peer:connect', { detail: p }) },
    disconnect: p => { connected.delete(p); events.safeDispatchEvent('peer:disconnect', { detail: p }) }
  }
}

function capture (): { log: ReturnType<typeof createRootLogger>, lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = []
  const log = createRootLogger({ level: 'info', format: 'json', destination: { write: (s: string) => { lines.push(JSON.parse(s) as Record<string, unknown>) } } })
  return { log, lines }
}

describe('last-peer warning', () => {
  it('warns when the last peer goes (not before), once, and logs the first peer back at info', () => {
    const { log, lines } = capture()
    const node = fakeNode()
    let now = 0
    const watch = new PeerLossLog(node, { log, clock: () => now })
    watch.start()
    node.connect(A)
    node.connect(B)
    node.disconnect(A)
    assert.equal(lines.length, 0, 'B is still connected')
    node.disconnect(B)
    assert.deepEqual(lines.map(l => [l.level, l.msg, l.peer]), [[40, LAST_PEER_LOST_MSG, B.toString()]])
    now += 7000
    node.connect(A)
    assert.deepEqual(lines.slice(1).map(l => [l.level, l.msg, l.isolatedMs]), [[30, PEER_BACK_MSG, 7000]])
    node.connect(B)
    assert.equal(lines.length, 2, 'only the first peer back is news')
    watch.stop()
  })

  it('says nothing for a node that never had a peer, while suspended, or while stopping', () => {
    const { log, lines } = capture()
    const node = fakeNode()
    let state = 'online'
    const watch = new PeerLossLog({ ...node, connectivity: { status: () => ({ state }) } }, { log })
    watch.start()
    node.disconnect(A)
    node.connect(A)
    state = 'suspended'
    node.disconnect(A)
    assert.equal(lines.length, 0, 'offline mode closes connections on purpose')
    state = 'online'
    node.connect(A)
    watch.beforeStop()
    node.disconnect(A)
    assert.equal(lines.length, 0, 'libp2p closes every connection while it stops')
    watch.stop()
  })
})
