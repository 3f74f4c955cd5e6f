import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { createRng } from '../../../protocols/common/rng.ts'
import { PeerNode, PeerSource, PeerStatus } from '../../../protocols/models/index.ts'
import { seenMs } from '../../../protocols/peer-health/index.ts'
import { indexKeys, recordKey } from '../../../src/peers/keys.ts'
import { PEERS_SUBLEVEL, type PeerObservation } from '../../../src/peers/index.ts'
import { makePeerIds } from '../../helpers/peer-ids.ts'
import { listFixture, type ListFixture } from '../../helpers/peer-list.ts'

const [SELF, ...IDS] = await makePeerIds(61) as [string, ...string[]]
const T0 = 1_700_000_000_000
const obs = (peerId: string, now: number, firsthand: boolean): PeerObservation => ({
  peerId, addresses: ['/ip4/10.0.0.1/tcp/4100'], source: PeerSource.PEER_SOURCE_DHT, firsthand, now
})

/** 60 peers with a seeded mix of statuses, last-seen times and latencies. */
async function populate (fx: ListFixture): Promise<void> {
  const rng = createRng(3)
  for (const [i, peerId] of IDS.entries()) {
    await fx.list.observe(obs(peerId, T0 + i * 1000, rng.next() < 0.7))
    const roll = rng.next()
    if (roll < 0.5) await fx.list.recordSuccess(peerId, { now: T0 + i * 1000 + rng.int(500), latencyMs: 1 + rng.int(400) })
    else if (roll < 0.8) for (let f = 0; f < 1 + rng.int(3); f++) await fx.list.recordFailure(peerId, { now: T0 + i * 1000, reason: 't' })
  }
}

const desc = (a: number, b: number): number => b - a

describe('peer list: indexes and persistence', () => {
  let fx: ListFixture
  let all: PeerNode[]
  before(async () => {
    fx = await listFixture(SELF)
    await populate(fx)
    all = await fx.list.list()
  })
  after(async () => { await fx.close() })

  it('lists every peer once', () => {
    assert.equal(all.length, 60)
    assert.equal(new Set(all.map(n => n.peerId)).size, 60)
  })

  it('orders by score and by last seen from the index, reading only `limit` keys', async () => {
    const before = fx.list.store.indexKeysRead
    const top = await fx.list.list({ orderBy: 'score', limit: 5 })
    assert.equal(fx.list.store.indexKeysRead - before, 5)
    assert.deepEqual(top.map(n => n.score), all.map(n => n.score).sort(desc).slice(0, 5))
    const stalest = await fx.list.list({ orderBy: 'lastSeen', direction: 'asc', limit: 4 })
    assert.deepEqual(stalest.map(seenMs), all.map(seenMs).sort((a, b) => a - b).slice(0, 4))
  })

  it('filters by status from per-status ranges, reading at most limit keys per status', async () => {
    const wanted: PeerStatus[] = [PeerStatus.PEER_STATUS_HEALTHY, PeerStatus.PEER_STATUS_DEGRADED]
    const before = fx.list.store.indexKeysRead
    const got = await fx.list.list({ status: wanted, orderBy: 'score', limit: 3 })
    assert.ok(fx.list.store.indexKeysRead - before <= 6)
    const expected = all.filter(n => wanted.includes(n.status)).map(n => n.score).sort(desc).slice(0, 3)
    assert.deepEqual(got.map(n => n.score), expected)
    const unreachable = await fx.list.list({ status: [PeerStatus.PEER_STATUS_UNREACHABLE] })
    assert.equal(unreachable.length, all.filter(n => n.status === PeerStatus.PEER_STATUS_UNREACHABLE).length)
    assert.ok(unreachable.every((n, i) => i === 0 || seenMs(unreachable[i - 1]!) >= seenMs(n)), 'last seen, newest first')
    assert.deepEqual(await fx.list.list({ status: [] }), [])
    assert.deepEqual(await fx.list.list({ limit: 0 }), [])
  })

  it('keeps exactly the index keys of the current records', async () => {
    const expected = all.flatMap(indexKeys).sort()
    const actual = (await Promise.all(['ls:', 'sc:', 'st:'].map(async p => fx.list.store.indexKeys(p)))).flat().sort()
    assert.deepEqual(actual, expected)
    const counts = fx.list.countByStatus()
    assert.equal(Object.values(counts).reduce((a, b) => a + b, 0), 60)
    assert.equal((await fx.list.store.indexKeys(`st:${PeerStatus.PEER_STATUS_HEALTHY}:ls:`)).length, counts.healthy)
  })

  it('sees the same peers after a restart', async () => {
    const list = await fx.reopen()
    assert.equal(list.size(), 60)
    assert.deepEqual(await list.list(), all)
    assert.deepEqual((await list.list({ orderBy: 'score', limit: 60 })).map(n => n.peerId), (await list.list({ orderBy: 'score' })).map(n => n.peerId))
  })
})

describe('peer list: concurrency', () => {
  let fx: ListFixture
  before(async () => { fx = await listFixture(SELF) })
  after(async () => { await fx.close() })

  it('loses no update under many concurrent calls', async () => {
    const peers = IDS.slice(0, 10)
    await Promise.all(peers.map(async p => fx.list.observe(obs(p, T0, true))))
    const calls: Array<Promise<unknown>> = []
    for (let round = 0; round < 30; round++) {
      for (const p of peers) {
        calls.push(fx.list.recordFailure(p, { now: T0 + round, reason: 't' }))
        calls.push(fx.list.observe({ ...obs(p, T0 + round, false), addresses: [`/ip4/10.1.${round}.1/tcp/1`] }))
      }
    }
    await Promise.all(calls)
    for (const node of await fx.list.list()) {
      assert.equal(node.consecutiveFailures, 30, 'every failure counted, none undone by hearsay')
      assert.equal(node.status, PeerStatus.PEER_STATUS_UNREACHABLE)
    }
    const indexed = (await Promise.all(['ls:', 'sc:', 'st:'].map(async p => fx.list.store.indexKeys(p)))).flat().sort()
    assert.deepEqual(indexed, (await fx.list.list()).flatMap(indexKeys).sort())
    assert.equal(fx.list.size(), 10)
  })

  it('rejects writes beyond the queue bound with PeerListBusyError', async () => {
    const small = await listFixture(SELF, { maxPendingWrites: 2 })
    try {
      const results = await Promise.allSettled(IDS.slice(0, 10).map(async p => small.list.observe(obs(p, T0, false))))
      const busy = results.filter(r => r.status === 'rejected')
      assert.ok(busy.length > 0)
      for (const r of busy) assert.equal((r as PromiseRejectedResult).reason.name, 'PeerListBusyError')
      assert.equal(small.list.size(), results.length - busy.length)
    } finally {
      await small.close()
    }
  })

  it('refuses calls when stopped, and honours an aborted signal', async () => {
    const other = await listFixture(SELF)
    await assert.rejects(other.list.observe(obs(IDS[0]!, T0, false), { signal: AbortSignal.abort() }), { name: 'AbortError' })
    await other.list.stop()
    await other.list.stop()
    await assert.rejects(other.list.get(IDS[0]!), { name: 'PeerListNotStartedError' })
    await other.close()
  })
})

describe('peer list: damaged records on disk', () => {
  it('skips invalid records with a warning, rebuilds indexes, and keeps the rest', async () => {
    const fx = await listFixture(SELF)
    try {
      for (const p of IDS.slice(0, 3)) await fx.list.observe(obs(p, T0, true))
      const db = fx.storage.sublevel(PEERS_SUBLEVEL)
      await db.put(recordKey(IDS[3]!), new Uint8Array([0xff, 0xff, 0xff, 0x01]))
      const badScore = PeerNode.fromPartial({ peerId: IDS[4]!, firstSeenMs: T0, score: 500, source: PeerSource.PEER_SOURCE_DHT })
      await db.put(recordKey(IDS[4]!), PeerNode.encode(badScore).finish())
      await db.put(indexKeys(badScore)[0]!, new Uint8Array(0)) // a dangling index entry
      const list = await fx.reopen()
      assert.equal(list.size(), 3)
      assert.equal(await list.get(IDS[3]!), undefined)
      assert.equal((await list.list({ orderBy: 'lastSeen' })).length, 3)
      assert.deepEqual((await list.store.indexKeys('ls:')).length, 3)
      const healed = await list.observe(obs(IDS[4]!, T0 + 5, true))
      assert.equal(healed?.status, PeerStatus.PEER_STATUS_HEALTHY)
      assert.equal(list.size(), 4)
    } finally {
      await fx.close()
    }
  })
})

describe('peer list: eviction when full', () => {
  it('evicts the least valuable entry, refuses hearsay that is worth less, and never evicts a ban', async () => {
    const fx = await listFixture(SELF, { maxKnown: 4 })
    try {
      const [a, b, c, d, e, f, g, h] = IDS as [string, string, string, string, string, string, string, string]
      for (const p of [a, b, c, d]) await fx.list.observe(obs(p, T0, true))
      await fx.list.recordSuccess(a, { now: T0, latencyMs: 5 })
      assert.equal(await fx.list.observe(obs(e, T0 + 1, false)), undefined, 'hearsay never displaces a healthy peer')
      await fx.list.recordFailure(b, { now: T0 + 2, reason: 't' })
      const removed: string[] = []
      fx.list.addEventListener('peer:removed', ev => { removed.push(`${ev.detail.peerId}:${ev.detail.reason}`) })
      assert.ok(await fx.list.observe(obs(e, T0 + 3, false)))
      assert.deepEqual(removed, [`${b}:evicted`])
      await fx.list.ban(c, { now: T0, reason: 'x' })
      await fx.list.ban(d, { now: T0, reason: 'x' })
      await fx.list.ban(f, { now: T0, reason: 'x' }) // evicts the lowest non-banned: e (unknown)
      await fx.list.ban(g, { now: T0, reason: 'x' }) // evicts a
      assert.equal(await fx.list.ban(h, { now: T0, reason: 'x' }), undefined, 'a list made only of bans refuses more')
      assert.deepEqual(removed, [`${b}:evicted`, `${e}:evicted`, `${a}:evicted`])
      assert.equal(fx.list.size(), 4)
      assert.equal(fx.list.countByStatus().banned, 4)
      assert.equal(await fx.list.observe(obs(h, T0, true)), undefined)
    } finally {
      await fx.close()
    }
  })
})
