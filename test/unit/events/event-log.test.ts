import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { TypedEventEmitter } from 'main-event'
import { EventLogService, EVENTS_SUBLEVEL, type NodeEvent } from '../../../src/events/index.ts'
import { openStorage, type Storage } from '../../../src/storage/index.ts'

const TX = 'ab'.repeat(32)

let dir: string
let storage: Storage
let n = 0

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sorcha-events-'))
  storage = await openStorage(dir)
})
after(async () => {
  await storage.close()
  await rm(dir, { recursive: true, force: true })
})

/** A log on its own sublevel, without producers, with a controllable clock. */
async function makeLog (over: { maxEntries?: number, retentionMs?: number, clock?: () => number, name?: string } = {}): Promise<EventLogService> {
  const log = new EventLogService({ events: new TypedEventEmitter() } as never, {
    db: storage.sublevel(over.name ?? `${EVENTS_SUBLEVEL}-${n++}`),
    maxEntries: over.maxEntries ?? 1000,
    retentionMs: over.retentionMs ?? 60_000,
    producers: false,
    ...(over.clock === undefined ? {} : { clock: over.clock })
  })
  await log.start()
  return log
}

async function collect (iterable: AsyncIterable<NodeEvent>, count: number): Promise<NodeEvent[]> {
  const out: NodeEvent[] = []
  for await (const event of iterable) {
    out.push(event)
    if (out.length >= count) break
  }
  return out
}

describe('event log: filters', () => {
  it('filters by type, peer, transaction and time, oldest or newest first, with cursor paging', async () => {
    let now = 1_000
    const log = await makeLog({ clock: () => now })
    log.emit('peer_connected', { peerId: 'A', data: { direction: 'inbound' } })
    now = 2_000
    log.emit('peer_disconnected', { peerId: 'A', reason: 'banned' })
    now = 3_000
    log.emit('peer_connected', { peerId: 'B' })
    log.emit('tx_received', { peerId: 'B', txId: TX, data: { hops: 2 } })
    now = 4_000
    log.emit('tx_published', { txId: 'cd'.repeat(32) })
    await log.flush()
    log.emit('peer_banned', { peerId: 'A', reason: 'gossip: 5 rejected messages', data: { untilMs: 99 } })

    const seqs = async (q: Parameters<EventLogService['query']>[0]): Promise<number[]> => (await log.query(q)).events.map(e => e.seq)
    assert.deepEqual(await seqs({}), [1, 2, 3, 4, 5, 6], 'stored and pending events, oldest first')
    assert.deepEqual(await seqs({ types: ['peer_connected'] }), [1, 3])
    assert.deepEqual(await seqs({ types: ['peer_connected', 'peer_banned'] }), [1, 3, 6])
    assert.deepEqual(await seqs({ peerId: 'A' }), [1, 2, 6])
    assert.deepEqual(await seqs({ txId: TX }), [4])
    assert.deepEqual(await seqs({ sinceMs: 2_000, untilMs: 4_000 }), [2, 3, 4])
    assert.deepEqual(await seqs({ newestFirst: true, limit: 2 }), [6, 5])
    const first = await log.query({ limit: 2 })
    assert.deepEqual(first.events.map(e => e.seq), [1, 2])
    assert.equal(first.more, true)
    const second = await log.query({ limit: 2, cursor: first.nextCursor })
    assert.deepEqual(second.events.map(e => e.seq), [3, 4])
    const back = await log.query({ limit: 10, newestFirst: true, cursor: 4 })
    assert.deepEqual(back.events.map(e => e.seq), [3, 2, 1])
    assert.equal(back.more, false)
    const banned = (await log.query({ types: ['peer_banned'] })).events[0]
    assert.equal(banned?.reason, 'gossip: 5 rejected messages')
    assert.equal(banned?.data.untilMs, 99)
    assert.equal(banned?.atMs, 4_000)
    await log.stop()
  })

  it('a query racing a batch write sees every event once', async () => {
    const log = await makeLog()
    for (let round = 1; round <= 50; round++) {
      log.emit('tx_published', { data: { round } })
      const [, page, back] = await Promise.all([log.flush(), log.query({ limit: 1000 }), log.query({ limit: 1000, newestFirst: true })])
      assert.deepEqual(page.events.map(e => e.seq), Array.from({ length: round }, (_, i) => i + 1), `round ${round}`)
      assert.equal(back.events.length, round, `round ${round}, newest first`)
    }
    await log.stop()
  })

  it('rejects bad input with InvalidEventQueryError naming the field', async () => {
    const log = await makeLog()
    const field = async (q: object): Promise<string> => {
      const err = await log.query(q as never).then(() => undefined, (e: unknown) => e as { name: string, field: string })
      assert.equal(err?.name, 'InvalidEventQueryError')
      return err.field
    }
    assert.equal(await field({ types: ['peer_exploded'] }), 'types')
    assert.equal(await field({ limit: 0 }), 'limit')
    assert.equal(await field({ limit: 100_000 }), 'limit')
    assert.equal(await field({ cursor: -1 }), 'cursor')
    assert.equal(await field({ txId: 'xyz' }), 'txId')
    assert.equal(await field({ sinceMs: 5, untilMs: 4 }), 'untilMs')
    assert.throws(() => log.follow({ types: ['nope' as never] }, { signal: AbortSignal.timeout(1000) }), { name: 'InvalidEventQueryError' })
    await log.stop()
  })

  it('stops a scan at scanMax with a cursor that continues it', async () => {
    const log = await makeLog()
    for (let i = 0; i < 50; i++) log.emit('peer_connected', { peerId: i === 45 ? 'X' : 'Y' })
    await log.flush()
    const { queryRing } = await import('../../../src/events/query.ts')
    const ring = (log as unknown as { ring: Parameters<typeof queryRing>[0] }).ring
    const page = await queryRing(ring, { peerId: 'X' }, { scanMax: 20 })
    assert.deepEqual(page.events, [])
    assert.equal(page.more, true)
    assert.equal(page.nextCursor, 20)
    const rest = await queryRing(ring, { peerId: 'X', cursor: 40 }, { scanMax: 20 })
    assert.deepEqual(rest.events.map(e => e.seq), [46])
    await log.stop()
  })
})

describe('event log: bounds', () => {
  it('keeps at most maxEntries, dropping the oldest, across batches and a restart', async () => {
    const name = `bounded-${n++}`
    const log = await makeLog({ maxEntries: 100, name })
    for (let i = 0; i < 250; i++) log.emit('peer_connected', { peerId: `p${i}` })
    await log.flush()
    for (let i = 0; i < 30; i++) log.emit('peer_connected', { peerId: `q${i}` })
    await log.stop()
    let count = 0
    for await (const _ of storage.sublevel(name).keys()) count++
    assert.equal(count, 100, 'stored records')
    const again = await makeLog({ maxEntries: 100, name })
    const page = await again.query({ limit: 1000 })
    assert.equal(page.events.length, 100)
    assert.equal(page.events[0]?.seq, 181)
    assert.equal(page.oldestSeq, 181)
    again.emit('tx_published', { txId: TX })
    assert.equal(again.stats().lastSeq, 281, 'sequence numbers go on after a restart')
    await again.stop()
    const smaller = await makeLog({ maxEntries: 10, name })
    assert.equal((await smaller.query({ limit: 1000 })).events.length, 10, 'a smaller maxEntries trims at start')
    await smaller.stop()
  })

  it('drops events older than retentionMs', async () => {
    let now = 0
    const name = `aged-${n++}`
    const log = await makeLog({ retentionMs: 10_000, clock: () => now, name })
    for (let i = 0; i < 5; i++) { now = i * 1000; log.emit('peer_connected') }
    now = 20_000
    log.emit('peer_connected')
    await log.stop()
    now = 13_500
    const again = await makeLog({ retentionMs: 10_000, clock: () => now, name })
    assert.deepEqual((await again.query({})).events.map(e => e.atMs), [4000, 20_000], 'pruned at start')
    await again.stop()
  })

  it('samples the verdicts handed to it into peer_verdict events while started, and reports the rest at stop', async () => {
    const log = await makeLog()
    log.verdict({ peer: 'A', verdict: 'reject', code: 'bad-hash' })
    log.verdict({ peer: 'A', verdict: 'accept', code: 'ok' })
    log.verdict({ peer: 'B', verdict: 'accept', code: 'ok' })
    assert.deepEqual((await log.query({ types: ['peer_verdict'] })).events.map(e => [e.peerId, e.reason, e.data.verdict]), [['A', 'bad-hash', 'reject']], 'accepts are only counted')
    await log.stop()
    log.verdict({ peer: 'C', verdict: 'reject', code: 'bad-hash' })
    await log.start()
    const events = (await log.query({ types: ['peer_verdict'] })).events
    assert.deepEqual(events.map(e => [e.reason, e.data.count]), [['bad-hash', undefined], ['accepted', 2]], 'the accepts summarised at stop; a verdict while stopped is dropped')
    await log.stop()
  })

  it('clips long reason and data text', async () => {
    const log = await makeLog()
    log.emit('peer_disconnected', { reason: 'r'.repeat(5000), data: { error: 'e'.repeat(5000) } })
    const [event] = (await log.query({})).events
    assert.ok((event?.reason?.length ?? 0) <= 256)
    assert.ok(String(event?.data.error).length <= 256)
    await log.stop()
  })
})

describe('event log: follow', () => {
  it('replays from a cursor, then follows live events with a filter, nothing lost or doubled', async () => {
    const log = await makeLog()
    log.emit('peer_connected', { peerId: 'A' })
    log.emit('peer_connected', { peerId: 'B' })
    await log.flush()
    log.emit('peer_connected', { peerId: 'A' })
    const ac = new AbortController()
    const got = collect(log.follow({ peerId: 'A' }, { cursor: 0, signal: ac.signal }), 4)
    setImmediate(() => {
      log.emit('peer_disconnected', { peerId: 'A' })
      log.emit('peer_disconnected', { peerId: 'B' })
      log.emit('peer_banned', { peerId: 'A' })
    })
    assert.deepEqual((await got).map(e => `${e.seq}:${e.type}`), ['1:peer_connected', '3:peer_connected', '4:peer_disconnected', '6:peer_banned'])
    ac.abort()
    await log.stop()
  })

  it('a follower that falls behind its buffer reads the ring and still gets every event in order', async () => {
    const log = await makeLog({ maxEntries: 100_000 })
    const ac = new AbortController()
    const iterator = log.follow({}, { signal: ac.signal })[Symbol.asyncIterator]()
    const firstNext = iterator.next()
    await new Promise(resolve => setImmediate(resolve))
    // 5,000 events at once: far more than the follower's buffer (1,024).
    for (let i = 0; i < 5000; i++) log.emit('tx_published', { data: { i } })
    const seen: number[] = [(await firstNext).value.seq]
    while (seen.length < 5000) seen.push((await iterator.next()).value.seq)
    assert.deepEqual(seen, Array.from({ length: 5000 }, (_, i) => i + 1))
    ac.abort()
    await iterator.return?.()
    await log.stop()
  })

  it('ends when the signal fires', async () => {
    const log = await makeLog()
    const ac = new AbortController()
    const done = collect(log.follow({}, { signal: ac.signal }), 10)
    setImmediate(() => { ac.abort() })
    assert.deepEqual(await done, [])
    await log.stop()
  })
})
