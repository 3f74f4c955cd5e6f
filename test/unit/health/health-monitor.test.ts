import assert from 'node:assert/strict'
import { after, afterEach, before, beforeEach, describe, it } from 'node:test'
import { serviceDependencies, type Connection, type PeerId } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { TypedEventEmitter } from 'main-event'
import { PeerSource, PeerStatus } from '../../../protocols/models/index.ts'
import { HealthMonitor, dialTarget, type HealthMonitorInit, type PingFunction } from '../../../src/health/index.ts'
import { makePeerIds } from '../../helpers/peer-ids.ts'
import { listFixture, type ListFixture } from '../../helpers/peer-list.ts'

const [SELF, A, B, C, D, E] = await makePeerIds(6) as [string, string, string, string, string, string]

type Behaviour = number | 'fail' | 'hang'
/** A fake ping: each peer answers with an RTT, fails, or hangs until aborted. */
function fakePing (behaviour: Map<string, Behaviour>, pinged: string[]): PingFunction {
  return async (peer, { signal }) => {
    pinged.push(peer.peerId)
    const b = behaviour.get(peer.peerId) ?? 'fail'
    if (typeof b === 'number') return b
    if (b === 'fail') throw Object.assign(new Error('refused'), { name: 'DialError' })
    return new Promise((_resolve, reject) => { signal.addEventListener('abort', () => { reject(signal.reason) }) })
  }
}

/** Fake libp2p components around a real peer list. */
function fakeComponents (fx: ListFixture, connected: string[] = []) {
  const closed: string[] = []
  const connections = connected.map(p => ({ remotePeer: peerIdFromString(p) }) as unknown as Connection)
  return {
    closed,
    events: new TypedEventEmitter<any>(), // eslint-disable-line @typescript-eslint/no-explicit-any
    components: () => ({
      peerList: fx.list,
      connectionManager: {
        getConnections: (peer?: PeerId) => connections.filter(c => peer === undefined || c.remotePeer.equals(peer)),
        closeConnections: async (peer: PeerId) => { closed.push(peer.toString()) }
      }
    })
  }
}

async function addPeers (fx: ListFixture, ids: string[], now = 1000): Promise<void> {
  for (const p of ids) await fx.list.observe({ peerId: p, addresses: ['/ip4/127.0.0.1/tcp/1'], source: PeerSource.PEER_SOURCE_DHT, firsthand: true, now })
}

async function until (condition: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await condition())) await new Promise(resolve => setTimeout(resolve, 5))
}

describe('health monitor (fake ping)', () => {
  let fx: ListFixture
  let clock = 10_000
  let monitor: HealthMonitor | undefined
  const pinged: string[] = []
  const behaviour = new Map<string, Behaviour>()
  const make = (fake: ReturnType<typeof fakeComponents>, init: HealthMonitorInit = {}): HealthMonitor => {
    monitor = new HealthMonitor({ ...fake.components(), events: fake.events }, { intervalMs: 60_000, timeoutMs: 200, sampleSize: 10, ping: fakePing(behaviour, pinged), clock: () => clock, seed: 1, ...init })
    return monitor
  }
  beforeEach(async () => {
    fx = await listFixture(SELF)
    clock = 10_000
    pinged.length = 0
    behaviour.clear()
  })
  afterEach(async () => {
    await monitor?.stop()
    await fx.close()
  })

  it('records successes with latency, failures and timeouts', async () => {
    await addPeers(fx, [A, B, C])
    behaviour.set(A, 12).set(B, 'fail').set(C, 'hang')
    const round = await make(fakeComponents(fx, [A, B, C])).runRound()
    assert.deepEqual({ ...round, at: 0 }, { round: 1, at: 0, checked: 3, succeeded: 1, failed: 2, removed: 0, latenciesMs: [12] })
    const a = await fx.list.get(A)
    assert.equal(a?.status, PeerStatus.PEER_STATUS_HEALTHY)
    assert.equal(a?.latencyMs, 12)
    assert.equal((await fx.list.get(B))?.status, PeerStatus.PEER_STATUS_DEGRADED)
    assert.equal((await fx.list.get(C))?.consecutiveFailures, 1)
  })

  it('checks at most two unconnected peers per round (each is a dial), besides the connected ones', async () => {
    const unconnected = [B, C, D, E]
    await addPeers(fx, [A, ...unconnected])
    for (const p of [A, ...unconnected]) behaviour.set(p, 3)
    const round = await make(fakeComponents(fx, [A])).runRound()
    assert.equal(round?.checked, 3)
    assert.ok(pinged.includes(A))
    assert.equal(pinged.filter(p => unconnected.includes(p)).length, 2)
  })

  it('marks a failing peer UNREACHABLE, then removes it (failure rule, persisted)', async () => {
    await addPeers(fx, [A, B])
    behaviour.set(A, 5).set(B, 'fail')
    const m = make(fakeComponents(fx))
    const removed: string[] = []
    fx.list.addEventListener('peer:removed', e => { removed.push(`${e.detail.peerId}:${e.detail.reason}`) })
    await m.runRound()
    clock += 1000
    await m.runRound()
    assert.equal((await fx.list.get(B))?.status, PeerStatus.PEER_STATUS_UNREACHABLE)
    for (let i = 0; i < 2; i++) { clock += 1000; await m.runRound() }
    assert.deepEqual(removed, [`${B}:failures`])
    assert.equal((await fx.reopen()).size(), 1)
  })

  it('removes peers unseen for too long', async () => {
    await addPeers(fx, [A, B])
    behaviour.set(A, 5)
    const m = make(fakeComponents(fx), { sampleSize: 1 })
    clock = 1000 + 60_000
    behaviour.set(A, 'fail')
    const round = await m.runRound()
    assert.equal(round?.checked, 1)
    assert.equal(round?.removed, 2, 'both are past health.removeAfterUnseenMs')
    assert.equal(fx.list.size(), 0)
  })

  it('after a long pause, counts "unseen" only from when it started watching', async () => {
    await addPeers(fx, [A, B])
    behaviour.set(A, 'fail').set(B, 'fail')
    clock = 1000 + 120_000 // the node was down for two minutes; removeAfterUnseenMs is one
    const m = make(fakeComponents(fx), { sampleSize: 1 })
    m.start()
    assert.equal((await m.runRound())?.removed, 0)
    assert.equal(fx.list.size(), 2)
    clock += 60_000
    assert.equal((await m.runRound())?.removed, 2)
  })

  it('pings a bounded sample, rotating so that failing peers do not take every slot', async () => {
    await addPeers(fx, [A, B, C, D])
    await fx.list.ban(E, { now: 500, reason: 'x' })
    behaviour.set(C, 1).set(D, 1)
    const m = make(fakeComponents(fx), { sampleSize: 2 })
    for (let r = 0; r < 2; r++) { clock += 10; await m.runRound() }
    assert.equal(pinged.length, 4)
    assert.deepEqual([...pinged].sort(), [A, B, C, D].sort(), 'every peer checked once in two rounds')
    assert.ok(!pinged.includes(E), 'banned peers are never pinged')
  })

  it('closes only connections it opened for a check', async () => {
    await addPeers(fx, [A, B])
    behaviour.set(A, 1).set(B, 1)
    const fake = fakeComponents(fx, [A])
    await make(fake).runRound()
    assert.deepEqual(fake.closed, [B])
  })

  it('records identify as firsthand contact', async () => {
    const fake = fakeComponents(fx)
    make(fake).start()
    fake.events.safeDispatchEvent('peer:identify', {
      detail: { peerId: peerIdFromString(A), listenAddrs: [multiaddr('/ip4/127.0.0.1/tcp/7')], protocols: ['/ipfs/ping/1.0.0', 'junk'], connection: { direction: 'inbound' } }
    })
    await until(async () => (await fx.list.get(A)) !== undefined)
    const a = await fx.list.get(A)
    assert.equal(a?.status, PeerStatus.PEER_STATUS_HEALTHY)
    assert.equal(a?.source, PeerSource.PEER_SOURCE_INBOUND)
    assert.deepEqual(a?.addresses, ['/ip4/127.0.0.1/tcp/7'])
    assert.deepEqual(a?.capabilities?.protocols, ['/ipfs/ping/1.0.0'])
  })

  it('records a connected peer whose identify never completed, from the connection', async () => {
    const fake = fakeComponents(fx)
    make(fake, { identifyGraceMs: 20 }).start()
    await addPeers(fx, [C]) // known already: left as it is
    const open = (id: string, peer: string, direction: 'inbound' | 'outbound', status = 'open'): void => {
      fake.events.safeDispatchEvent('connection:open', {
        detail: { id, status, direction, remotePeer: peerIdFromString(peer), remoteAddr: multiaddr(`/ip4/127.0.0.1/tcp/9/p2p/${peer}`) }
      })
    }
    open('1', A, 'outbound')
    open('2', B, 'inbound')
    open('3', C, 'outbound')
    open('4', D, 'outbound', 'closed')
    await until(async () => (await fx.list.get(A)) !== undefined && (await fx.list.get(B)) !== undefined)
    const a = await fx.list.get(A)
    assert.deepEqual(a?.addresses, ['/ip4/127.0.0.1/tcp/9'], 'the dialled address, without /p2p')
    assert.equal(a?.status, PeerStatus.PEER_STATUS_HEALTHY)
    const b = await fx.list.get(B)
    assert.equal(b?.source, PeerSource.PEER_SOURCE_INBOUND)
    assert.deepEqual(b?.addresses, [], 'an inbound connection\'s remote port is ephemeral: not an address to dial')
    assert.deepEqual((await fx.list.get(C))?.addresses, ['/ip4/127.0.0.1/tcp/1'])
    assert.equal(await fx.list.get(D), undefined, 'a connection closed before the grace ran out is not recorded')
  })

  it('computes the network score from connections, statuses and the last round', async () => {
    await addPeers(fx, [A, B, C, D])
    behaviour.set(A, 550).set(B, 550).set(C, 'fail').set(D, 550)
    const m = make(fakeComponents(fx, [A, A, B]), { minConnections: 4 })
    await m.runRound()
    const s = m.snapshot()
    assert.equal(s.connections, 2)
    assert.deepEqual(s.counts, { unknown: 0, connecting: 0, healthy: 3, degraded: 1, unreachable: 0, banned: 0 })
    assert.equal(s.connectivity, 0.5)
    assert.equal(s.reachability, 0.75)
    assert.equal(s.latency, 0.5)
    assert.equal(m.healthScore(), Math.round(100 * (0.4 * 0.5 + 0.4 * 0.75 + 0.2 * 0.5)))
    assert.equal(make(fakeComponents(fx, [])).healthScore(), 0)
  })
})

describe('health monitor lifecycle', () => {
  let fx: ListFixture
  before(async () => { fx = await listFixture(SELF) })
  after(async () => { await fx.close() })

  it('runs on its timer, stops idempotently, suspends and resumes', async () => {
    await addPeers(fx, [A])
    const pinged: string[] = []
    const fake = fakeComponents(fx)
    const m = new HealthMonitor({ ...fake.components(), events: fake.events }, { intervalMs: 10, sampleSize: 1, ping: fakePing(new Map([[A, 1]]), pinged) })
    m.start()
    m.start()
    await until(() => (m.snapshot().lastRound?.round ?? 0) >= 2)
    m.suspend()
    assert.equal(m.snapshot().suspended, true)
    const atSuspend = pinged.length
    await new Promise(resolve => setTimeout(resolve, 50))
    assert.equal(pinged.length, atSuspend, 'no rounds while suspended')
    m.resume()
    await until(() => pinged.length > atSuspend)
    await m.stop()
    await m.stop()
    const atStop = pinged.length
    await new Promise(resolve => setTimeout(resolve, 50))
    assert.equal(pinged.length, atStop, 'no rounds after stop')
  })

  it('stop cancels a round in flight without counting it as a failure', async () => {
    await addPeers(fx, [B])
    const fake = fakeComponents(fx)
    const pinged: string[] = []
    const m = new HealthMonitor({ ...fake.components(), events: fake.events }, { sampleSize: 5, timeoutMs: 600_000, ping: fakePing(new Map([[B, 'hang']]), pinged) })
    m.start()
    const round = m.runRound()
    assert.equal(m.runRound(), round, 'a second call joins the round in flight')
    await until(() => pinged.includes(B))
    await m.beforeStop()
    assert.equal(await round, undefined)
    assert.equal((await fx.list.get(B))?.consecutiveFailures, 0)
  })

  it('declares its dependencies, including libp2p ping when it uses it', () => {
    const fake = fakeComponents(fx)
    assert.deepEqual(new HealthMonitor({ ...fake.components(), events: fake.events })[serviceDependencies], ['@sorcha/peer-list', '@libp2p/ping'])
  })

  it('dials the stored addresses with the peer id, or the peer id alone', () => {
    const target = dialTarget({ peerId: A, addresses: ['/ip4/127.0.0.1/tcp/5', '/not-a-protocol/x'] })
    assert.ok(Array.isArray(target))
    assert.deepEqual(target.map(String), [`/ip4/127.0.0.1/tcp/5/p2p/${A}`])
    assert.equal(String(dialTarget({ peerId: A, addresses: [] })), A)
  })
})
