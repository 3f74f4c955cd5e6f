import assert from 'node:assert/strict'
import { createServer, connect, type Socket } from 'node:net'
import { after, before, describe, it } from 'node:test'
import { peerIdFromString } from '@libp2p/peer-id'
import { ConnectionWatch, UNRESPONSIVE_REASON, muxerPing, type WatchedConnection } from '../../../src/health/connection-watch.ts'
import { takeDisconnectReason } from '../../../src/events/disconnect-reasons.ts'
import { makePeerIds } from '../../helpers/peer-ids.ts'
import { libp2pPing } from '../../../src/health/ping.ts'

/** A fake connection whose muxer's ping is `ping`; records what it was aborted with. */
function fakeConnection (id: string, peerId: string, ping?: () => Promise<number>): WatchedConnection & { aborted?: Error, pings: number, pingArgs: number } {
  const conn: WatchedConnection & { aborted?: Error, pings: number, pingArgs: number } = {
    id,
    remotePeer: peerIdFromString(peerId),
    status: 'open',
    pings: 0,
    pingArgs: 0,
    abort: (err: Error) => { conn.aborted = err; conn.status = 'closed' },
    muxer: ping === undefined ? {} : { ping: async (...args: unknown[]) => { conn.pings++; conn.pingArgs += args.length; return ping() } }
  }
  return conn
}

function watchOver (connections: WatchedConnection[], timeoutMs: number): ConnectionWatch {
  return new ConnectionWatch({ connectionManager: { getConnections: () => connections } }, { intervalMs: 60_000, timeoutMs })
}

describe('connection watch', () => {
  let peers: string[] = []
  before(async () => { peers = await makePeerIds(4) })

  it('keeps connections whose ping is answered and records the round trip', async () => {
    const conn = fakeConnection('c1', peers[0]!, async () => 7)
    assert.deepEqual(await watchOver([conn], 5_000).round(), [])
    assert.equal(conn.aborted, undefined)
    assert.equal(conn.rtt, 7)
  })

  it('aborts a connection whose ping goes unanswered, with a named error and the reason noted', async () => {
    const dead = fakeConnection('c2', peers[1]!, async () => new Promise<number>(() => {}))
    const alive = fakeConnection('c3', peers[2]!, async () => 1)
    assert.deepEqual(await watchOver([dead, alive], 20).round(), ['c2'])
    assert.equal(dead.aborted?.name, 'ConnectionUnresponsiveError')
    assert.equal(alive.aborted, undefined)
    assert.equal(takeDisconnectReason(peers[1]!), UNRESPONSIVE_REASON)
    assert.equal(takeDisconnectReason(peers[2]!), undefined)
  })

  it('leaves a connection alone when its muxer refuses to ping (it is closing already)', async () => {
    const closing = fakeConnection('c4', peers[3]!, async () => { throw Object.assign(new Error('closed'), { name: 'MuxerClosedError' }) })
    assert.deepEqual(await watchOver([closing], 20).round(), [])
    assert.equal(closing.aborted, undefined)
  })

  it('skips connections that are not open and pings one connection once at a time', async () => {
    let answer: (ms: number) => void = () => {}
    const slow = fakeConnection('c5', peers[0]!, async () => new Promise<number>(resolve => { answer = resolve }))
    const closed = fakeConnection('c6', peers[1]!, async () => 1)
    closed.status = 'closing'
    const watch = watchOver([slow, closed], 5_000)
    const first = watch.round()
    assert.deepEqual(await watch.round(), [], 'a second round while the first ping is out')
    answer(3)
    assert.deepEqual(await first, [])
    assert.equal(slow.pings, 1)
    assert.equal(closed.pings, 0)
  })

  it('does not abort after stop', async () => {
    const dead = fakeConnection('c7', peers[2]!, async () => new Promise<number>(() => {}))
    const watch = watchOver([dead], 20)
    watch.start()
    const round = watch.round()
    watch.stop()
    assert.deepEqual(await round, [])
    assert.equal(dead.aborted, undefined)
  })

  it('says which connections it cannot ping', () => {
    assert.equal(muxerPing(fakeConnection('c8', peers[0]!)), undefined)
    assert.notEqual(muxerPing(fakeConnection('c9', peers[0]!, async () => 1)), undefined)
  })

  describe('after an event-loop stall of its own', () => {
    let server: ReturnType<typeof createServer>
    let near: Socket
    let far: Socket
    before(async () => {
      server = createServer()
      const accepted = new Promise<Socket>(resolve => server.once('connection', resolve))
      await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
      const { port } = server.address() as { port: number }
      near = connect(port, '127.0.0.1')
      far = await accepted
      await new Promise(resolve => near.once('connect', resolve))
    })
    after(() => { near.destroy(); far.destroy(); server.close() })

    it('counts an answer that arrived during the stall, not read yet when the deadline fired', async () => {
      const timeoutMs = 20
      // The "ping" is answered by bytes the far end has already written when the loop stalls: they
      // wait in the socket until the loop's I/O phase, which runs after the timers (the deadline).
      const conn = fakeConnection('c10', peers[3]!, async () => new Promise<number>(resolve => {
        near.once('data', () => { resolve(1) })
        far.write('pong')
      }))
      // From the loop's check phase: the next phase to run callbacks is the timers phase, before the I/O one.
      await new Promise(resolve => setImmediate(resolve))
      const round = watchOver([conn], timeoutMs).round()
      // Stall this event loop well past the deadline: when it ends, the deadline timer is due and runs
      // before the loop reads the socket.
      const until = performance.now() + timeoutMs * 10
      while (performance.now() < until) { /* stall */ }
      assert.deepEqual(await round, [])
      assert.equal(conn.aborted, undefined)
      assert.equal(conn.rtt, 1)
    })
  })

  it('lets the health monitor ping a connected peer over its muxer, and dial the others through the ping service', async () => {
    const dialled: unknown[] = []
    const service = { ping: async (target: unknown) => { dialled.push(target); return 40 } }
    const conn = fakeConnection('c11', peers[0]!, async () => 2)
    const ping = libp2pPing(() => service, id => id.toString() === peers[0] ? [conn] : [])
    const signal = new AbortController().signal
    assert.equal(await ping({ peerId: peers[0]!, addresses: ['/ip4/127.0.0.1/tcp/5'] }, { signal }), 2)
    assert.equal(conn.pings, 1)
    assert.equal(conn.pingArgs, 0, 'the signal is not handed to the muxer')
    assert.deepEqual(dialled, [])
    assert.equal(await ping({ peerId: peers[1]!, addresses: ['/ip4/127.0.0.1/tcp/6'] }, { signal }), 40)
    assert.equal(String(dialled), `/ip4/127.0.0.1/tcp/6/p2p/${peers[1]!}`)
    const given = new AbortController()
    const pending = ping({ peerId: peers[0]!, addresses: [] }, { signal: given.signal })
    given.abort(new Error('given up'))
    await assert.rejects(pending, /given up/)
    conn.status = 'closing'
    assert.equal(await ping({ peerId: peers[0]!, addresses: [] }, { signal }), 40, 'a closing connection is not used')
  })
})
