import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import type { Transaction } from '../../../protos/gen/sorcha/p2p/v1/tx_gossip.ts'
import { toHex } from '../../../protocols/models/index.ts'
import { LruCache } from '../../../src/gossip/store/lru-cache.ts'
import { PERSISTED_IDS_FP_RATE, PERSISTED_IDS_MIN_ITEMS, PersistedIds } from '../../../src/gossip/store/persisted-ids.ts'
import { TxStore, txIdOf, type TxStoreOptions } from '../../../src/gossip/store/tx-store.ts'
import { openStorage, type Storage } from '../../../src/storage/index.ts'

const PEER = '12D3KooWQYhTNQdmr3ArTeUHRYzFg94BKyTkoWBDWez9kSCVe2Xo'

function tx (text: string, register = 'reg-1'): Transaction {
  const payload = new TextEncoder().encode(text)
  return { notification: { txId: txIdOf(payload), registerId: register, sender: PEER, timestampMs: 1, sizeBytes: payload.length, contentType: 'text/plain', hopCount: 0 }, payload }
}
const idOf = (t: Transaction): string => toHex(t.notification!.txId)

describe('LruCache', () => {
  it('evicts the least recently used entry beyond its byte budget, and expires entries after the TTL', () => {
    let now = 0
    const cache = new LruCache<string, string>({ maxBytes: 10, ttlMs: 100, sizeOf: v => v.length, now: () => now })
    cache.set('a', 'aaaa')
    cache.set('b', 'bbbb')
    assert.equal(cache.get('a'), 'aaaa') // a is now the most recently used
    cache.set('c', 'cccc') // 12 bytes > 10: evict b
    assert.equal(cache.get('b'), undefined)
    assert.equal(cache.get('a'), 'aaaa')
    assert.equal(cache.bytes, 8)
    cache.set('huge', 'x'.repeat(11))
    assert.equal(cache.get('huge'), undefined)
    now = 150
    assert.equal(cache.get('a'), undefined)
    cache.prune()
    assert.equal(cache.size, 0)
    assert.equal(cache.bytes, 0)
  })
})

describe('PersistedIds', () => {
  it('never misses an added id, grows past its first filter, and keeps false positives near its rate', () => {
    const ids = new PersistedIds()
    const added = Array.from({ length: 3 * PERSISTED_IDS_MIN_ITEMS }, (_, i) => toHex(txIdOf(new TextEncoder().encode(`in-${i}`))))
    for (const id of added) ids.add(id)
    for (const id of added) assert.equal(ids.mayHold(id), true)
    let positives = 0
    const probes = 20_000
    for (let i = 0; i < probes; i++) if (ids.mayHold(toHex(txIdOf(new TextEncoder().encode(`out-${i}`))))) positives++
    // Two filters in the chain, each at most at its rate when full.
    assert.ok(positives / probes < 3 * PERSISTED_IDS_FP_RATE, `false-positive rate ${positives / probes}`)
    ids.clear()
    assert.equal(ids.mayHold(added[0]!), false)
  })

  it('answers "maybe" for everything once its bound is reached, until cleared', () => {
    const ids = new PersistedIds(2 * PERSISTED_IDS_MIN_ITEMS)
    for (let i = 0; i <= PERSISTED_IDS_MIN_ITEMS; i++) ids.add(`id-${i}`)
    assert.equal(ids.exhausted, true)
    assert.equal(ids.mayHold('never-added'), true)
    ids.clear()
    assert.equal(ids.exhausted, false)
    assert.equal(ids.mayHold('never-added'), false)
  })
})

describe('TxStore', () => {
  const dirs: string[] = []
  const storages: Storage[] = []
  after(async () => {
    await Promise.all(storages.map(async s => s.close()))
    await Promise.all(dirs.map(async d => rm(d, { recursive: true, force: true })))
  })
  const open = async (dir?: string): Promise<{ dir: string, storage: Storage }> => {
    const path = dir ?? await mkdtemp(join(tmpdir(), 'sorcha-store-'))
    if (dir === undefined) dirs.push(path)
    const storage = await openStorage(path)
    storages.push(storage)
    return { dir: path, storage }
  }
  const options = (over: Partial<TxStoreOptions> = {}): TxStoreOptions => ({ maxBytes: 1_000_000, maxTxBytes: 1000, retentionMs: 60_000, cacheMaxBytes: 10_000, cacheTtlMs: 1000, ...over })

  it('stores, finds and deduplicates transactions, checking the tx id and the size', async () => {
    const { storage } = await open()
    const store = new TxStore(storage.sublevel('tx'), options())
    await store.open()
    const a = tx('alpha')
    assert.equal(await store.put(a, 2), 'stored')
    assert.equal(await store.put(a, 2), 'duplicate')
    assert.equal(await store.has(idOf(a)), true)
    const got = await store.get(idOf(a))
    assert.deepEqual(got?.transaction.payload, a.payload)
    assert.equal(got?.hops, 2)
    const forged: Transaction = { ...tx('beta'), payload: new TextEncoder().encode('gamma') }
    await assert.rejects(store.put(forged, 1), { name: 'TxIdMismatchError' })
    await assert.rejects(store.put(tx('x'.repeat(1001)), 1), { name: 'TxTooLargeError' })
    assert.deepEqual(store.usage, { bytes: 5, count: 1 })
  })

  it('survives a restart, and tells what it holds newest first', async () => {
    const { dir, storage } = await open()
    let now = 1000
    const store = new TxStore(storage.sublevel('tx'), options({ now: () => now }))
    await store.open()
    const txs = ['one', 'two', 'three'].map(t => tx(t))
    for (const t of txs) { await store.put(t, 3); now += 10 }
    await storage.close()
    const again = await open(dir)
    const reopened = new TxStore(again.storage.sublevel('tx'), options({ now: () => now }))
    await reopened.open()
    assert.deepEqual(store.usage, reopened.usage)
    assert.equal(new TextDecoder().decode((await reopened.get(idOf(txs[1]!)))!.transaction.payload), 'two')
    assert.deepEqual((await reopened.newest(2)).map(s => s.id), [idOf(txs[2]!), idOf(txs[1]!)])
    // With its register, so a restarted node's offers stay register-scoped (SPEC.md §3.7).
    assert.deepEqual(await reopened.newest(1), [{ id: idOf(txs[2]!), size: 5, hops: 3, register: 'reg-1' }])
    // What it held before the restart is never "certainly new" (the memory filter is rebuilt on open).
    for (const t of txs) {
      assert.equal(reopened.certainlyNew(idOf(t)), false)
      assert.equal(await reopened.persisted(idOf(t)), true)
    }
    assert.equal(reopened.certainlyNew(idOf(tx('four'))), true)
    assert.equal(await reopened.persisted(idOf(tx('four'))), false)
  })

  it('evicts the oldest beyond its byte bound and drops what passed its retention', async () => {
    const { storage } = await open()
    let now = 0
    const store = new TxStore(storage.sublevel('tx'), options({ maxBytes: 12, retentionMs: 100, now: () => now, cacheMaxBytes: 0 }))
    await store.open()
    const [a, b, c] = ['aaaaa', 'bbbbb', 'ccccc'].map(t => tx(t))
    await store.put(a!, 1); now = 10
    await store.put(b!, 1); now = 20
    await store.put(c!, 1) // 15 bytes > 12: a goes
    assert.equal(await store.has(idOf(a!)), false)
    assert.equal(await store.has(idOf(b!)), true)
    assert.deepEqual(store.usage, { bytes: 10, count: 2 })
    now = 115 // b is 105 ms old, c 95 ms
    await store.prune()
    assert.equal(await store.get(idOf(b!)), undefined)
    assert.ok(await store.get(idOf(c!)))
    assert.deepEqual(store.usage, { bytes: 5, count: 1 })
  })

  it('gives reconciliation every entry with its order key, and tells its observer of writes and removals', async () => {
    const { storage } = await open()
    let now = 0
    const db = storage.sublevel('tx')
    const store = new TxStore(db, options({ maxBytes: 12, retentionMs: 1000, now: () => now, cacheMaxBytes: 0 }))
    await store.open()
    const events: string[] = []
    store.observe({ stored: entries => { for (const e of entries) events.push(`+${e.id.slice(0, 6)}:${e.timestampMs}:${e.registerId}:${e.size}`) }, removed: id => events.push(`-${id.slice(0, 6)}`) })
    const a = tx('aaaaa', 'reg:a')
    const b = { ...tx('bbbbb'), notification: { ...tx('bbbbb').notification!, timestampMs: 77 } }
    await store.put(a, 1); now = 10
    await store.put(b, 2); now = 20
    const c = tx('ccccc')
    await store.put(c, 0) // 15 bytes > 12: a goes
    assert.deepEqual(events, [`+${idOf(a).slice(0, 6)}:1:reg:a:5`, `+${idOf(b).slice(0, 6)}:77:reg-1:5`, `+${idOf(c).slice(0, 6)}:1:reg-1:5`, `-${idOf(a).slice(0, 6)}`])
    // A record written before the order fields existed ("<size>:<hops>") is read from its b: record.
    for await (const [key] of db.iterator({ gte: 't:', lt: 't;' })) if (key.endsWith(idOf(c))) await db.put(key, new TextEncoder().encode('5:0'))
    const entries = []
    for await (const entry of store.entries()) entries.push(entry)
    assert.deepEqual(entries, [
      { id: idOf(b), size: 5, hops: 2, timestampMs: 77, registerId: 'reg-1' },
      { id: idOf(c), size: 5, hops: 0, timestampMs: 1, registerId: 'reg-1' }
    ])
    store.observe(undefined)
    await store.put(tx('ddd'), 0)
    assert.equal(events.length, 4)
  })
})
