import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { PeerNode} from '../../../protocols/models/index.ts';
import { PeerSource, PeerStatus } from '../../../protocols/models/index.ts'
import type { PeerObservation } from '../../../src/peers/index.ts'
import { makePeerIds } from '../../helpers/peer-ids.ts'
import { listFixture, type ListFixture } from '../../helpers/peer-list.ts'

const [SELF, ...IDS] = await makePeerIds(12) as [string, ...string[]]
const id = (i: number): string => IDS[i]!
const T0 = 1_700_000_000_000

const hearsay = (i: number, over: Partial<PeerObservation> = {}): PeerObservation => ({
  peerId: id(i), addresses: [`/ip4/10.0.0.${i}/tcp/4100`], source: PeerSource.PEER_SOURCE_DHT, firsthand: false, learnedFrom: id(11), now: T0, ...over
})
const firsthand = (i: number, now = T0): PeerObservation => ({ ...hearsay(i), firsthand: true, source: PeerSource.PEER_SOURCE_INBOUND, learnedFrom: undefined, now })

function collect (fx: ListFixture): string[] {
  const seen: string[] = []
  for (const type of ['peer:added', 'peer:updated', 'peer:removed', 'peer:banned', 'peer:unbanned'] as const) {
    fx.list.addEventListener(type, (e: CustomEvent<{ peerId: string }>) => { seen.push(`${type} ${e.detail.peerId === id(0) ? 0 : e.detail.peerId}`) })
  }
  return seen
}

describe('peer list: records and events', () => {
  let fx: ListFixture
  before(async () => { fx = await listFixture(SELF) })
  after(async () => { await fx.close() })

  it('adds, merges, updates and removes, with events', async () => {
    const events = collect(fx)
    const added = await fx.list.observe(hearsay(0))
    assert.equal(added?.status, PeerStatus.PEER_STATUS_UNKNOWN)
    await fx.list.observe(hearsay(0, { addresses: ['/ip4/10.9.9.9/tcp/1'], now: T0 + 1 }))
    await fx.list.observe(hearsay(0, { addresses: ['/ip4/10.9.9.9/tcp/1'], now: T0 + 2 })) // no change: no write, no event
    assert.equal(fx.list.size(), 1)
    assert.deepEqual((await fx.list.get(id(0)))?.addresses, ['/ip4/10.9.9.9/tcp/1', '/ip4/10.0.0.0/tcp/4100'])
    const ok = await fx.list.recordSuccess(id(0), { now: T0 + 3, latencyMs: 12 })
    assert.equal(ok?.status, PeerStatus.PEER_STATUS_HEALTHY)
    assert.equal((await fx.list.get(id(0)))?.latencyMs, 12)
    assert.equal(await fx.list.remove(id(0), 'operator'), true)
    assert.equal(await fx.list.remove(id(0), 'operator'), false)
    assert.equal(await fx.list.get(id(0)), undefined)
    assert.equal(fx.list.size(), 0)
    assert.deepEqual(events, ['peer:added 0', 'peer:updated 0', 'peer:updated 0', 'peer:removed 0'])
  })

  it('refuses its own peer id and invalid ones; outcomes for unknown peers are ignored', async () => {
    assert.equal(await fx.list.observe({ ...hearsay(0), peerId: SELF }), undefined)
    assert.equal(await fx.list.observe({ ...hearsay(0), peerId: 'nope' }), undefined)
    assert.equal(await fx.list.ban(SELF, { now: T0, reason: 'x' }), undefined)
    assert.equal(await fx.list.recordFailure(id(5), { now: T0, reason: 'timeout' }), undefined)
    assert.equal(fx.list.size(), 0)
  })

  it('hearsay never resets the persisted failure count', async () => {
    await fx.list.observe(firsthand(1))
    for (let i = 1; i <= 3; i++) await fx.list.recordFailure(id(1), { now: T0 + i, reason: 'timeout' })
    const readvertised = await fx.list.observe(hearsay(1, { now: T0 + 10, addresses: ['/ip4/10.7.7.7/tcp/1'] }))
    assert.equal(readvertised?.consecutiveFailures, 3)
    assert.equal(readvertised?.status, PeerStatus.PEER_STATUS_UNREACHABLE)
    assert.equal((await fx.list.get(id(1)))?.lastSeenMs, T0)
  })

  it('marks a first dial CONNECTING and counts peers by status', async () => {
    await fx.list.observe(hearsay(2))
    assert.equal((await fx.list.recordDialing(id(2), { now: T0 }))?.status, PeerStatus.PEER_STATUS_CONNECTING)
    assert.deepEqual(fx.list.countByStatus(), { unknown: 0, connecting: 1, healthy: 0, degraded: 0, unreachable: 1, banned: 0 })
  })

  it('prunes by failures and by unseen time, and keeps peers that are fine', async () => {
    await fx.list.recordFailure(id(1), { now: T0 + 20, reason: 'timeout' }) // 4th failure
    await fx.list.observe(firsthand(3, T0 + 50_000))
    const pruned = await fx.list.prune({ now: T0 + 60_000, peerIds: [id(1), id(3)] })
    assert.deepEqual(pruned.sort((a, b) => a.reason.localeCompare(b.reason)), [{ peerId: id(1), reason: 'failures' }, { peerId: id(2), reason: 'unseen' }])
    assert.ok(await fx.list.get(id(3)))
    assert.equal(fx.list.size(), 1)
  })
})

describe('peer list: bans', () => {
  let fx: ListFixture
  before(async () => { fx = await listFixture(SELF) })
  after(async () => { await fx.close() })

  it('survive re-advertising, firsthand contact, remove(), prune() and a restart', async () => {
    const events = collect(fx)
    await fx.list.observe(firsthand(0))
    await fx.list.ban(id(0), { now: T0, reason: 'spam' })
    assert.ok(fx.list.isBanned(id(0), T0 + 1))
    await fx.list.observe(hearsay(0, { now: T0 + 5, addresses: ['/ip4/10.5.5.5/tcp/5'] }))
    await fx.list.observe(firsthand(0, T0 + 6))
    assert.equal((await fx.list.get(id(0)))?.lastSeenMs, T0, 'a banned peer is not marked seen')
    assert.equal(await fx.list.remove(id(0), 'cleanup'), false)
    assert.deepEqual(await fx.list.prune({ now: T0 + 10_000_000, peerIds: [id(0)] }), [])
    const list = await fx.reopen()
    assert.ok(list.isBanned(id(0), T0 + 10_000_000))
    const stored = await list.get(id(0))
    assert.equal(stored?.status, PeerStatus.PEER_STATUS_BANNED)
    assert.equal(stored?.banReason, 'spam')
    assert.deepEqual(events, ['peer:added 0', 'peer:banned 0', 'peer:updated 0'])
  })

  it('loads bans in beforeStart, before any transport listens', async () => {
    await fx.list.stop()
    assert.ok(fx.list.isBanned(id(0), T0), 'the mirror outlives stop')
    await fx.list.beforeStart()
    await fx.list.start()
    assert.ok(fx.list.isBanned(id(0), T0))
    assert.equal(fx.list.size(), 1)
  })

  it('a ban on an unknown peer creates its entry; unban lifts it', async () => {
    const banned = await fx.list.ban(id(1), { now: T0, reason: 'flood' })
    assert.equal(banned?.status, PeerStatus.PEER_STATUS_BANNED)
    assert.equal(fx.list.countByStatus().banned, 2)
    const lifted = await fx.list.unban(id(1), { now: T0 })
    assert.equal(lifted?.status, PeerStatus.PEER_STATUS_UNKNOWN)
    assert.ok(!fx.list.isBanned(id(1), T0))
  })

  it('timed bans expire by themselves, with a peer:unbanned event', async () => {
    const unbanned = new Promise<PeerNode>(resolve => {
      fx.list.addEventListener('peer:unbanned', e => { if (e.detail.peerId === id(2)) resolve(e.detail) })
    })
    await fx.list.observe(hearsay(2))
    await fx.list.ban(id(2), { now: Date.now(), reason: 'brief', durationMs: 30 })
    const node = await unbanned
    assert.equal(node.status, PeerStatus.PEER_STATUS_UNKNOWN)
    assert.equal((await fx.list.get(id(2)))?.status, PeerStatus.PEER_STATUS_UNKNOWN)
    assert.ok(!fx.list.isBanned(id(2), Date.now()))
  })
})
