import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import type { Transaction } from '../../../protos/gen/sorcha/p2p/v1/tx_gossip.ts'
import { toHex } from '../../../protocols/models/index.ts'
import { ageKey, decodeAgeEntry, encodeAgeEntry, isBatchEntry, metaSize } from '../../../src/gossip/store/age-index.ts'
import { TxStore, txIdOf, type TxStoreOptions } from '../../../src/gossip/store/tx-store.ts'
import { openStorage, type Sublevel, type Storage } from '../../../src/storage/index.ts'

const PEER = '12D3KooWQYhTNQdmr3ArTeUHRYzFg94BKyTkoWBDWez9kSCVe2Xo'
const text = new TextEncoder()

function tx (body: string, register = 'reg-1', timestampMs = 1): Transaction {
  const payload = text.encode(body)
  return { notification: { txId: txIdOf(payload), registerId: register, sender: PEER, timestampMs, sizeBytes: payload.length, contentType: 'text/plain', hopCount: 0 }, payload }
}
const idOf = (t: Transaction): string => toHex(t.notification!.txId)

async function ageEntries (db: Sublevel): Promise<Array<[string, Uint8Array]>> {
  const out: Array<[string, Uint8Array]> = []
  for await (const entry of db.iterator({ gte: 't:', lt: 't;' })) out.push(entry)
  return out
}

describe('age index values', () => {
  it('round-trips one transaction in the single format and several in the batch format', () => {
    const a = { id: 'aa'.repeat(32), size: 120, hops: 3, timestampMs: 99, registerId: 'a:b' }
    const b = { id: 'bb'.repeat(32), size: 0, hops: 0, timestampMs: 0, registerId: '' }
    const single = encodeAgeEntry([a])
    assert.equal(new TextDecoder().decode(single), '120:3:99:a:b')
    assert.equal(isBatchEntry(single), false)
    assert.deepEqual(decodeAgeEntry(ageKey(5, a.id), single), [a])
    const batch = encodeAgeEntry([a, b])
    assert.equal(isBatchEntry(batch), true)
    assert.deepEqual(decodeAgeEntry(ageKey(5, a.id), batch), [a, b])
    assert.deepEqual(decodeAgeEntry(ageKey(5, 'whatever'), encodeAgeEntry([b], true)), [b])
    assert.equal(metaSize(batch), 120)
  })

  it('reads the oldest single format ("<size>:<hops>") without order fields', () => {
    assert.deepEqual(decodeAgeEntry(ageKey(7, 'cc'.repeat(32)), text.encode('5:2')), [{ id: 'cc'.repeat(32), size: 5, hops: 2 }])
  })

  it('decodes damaged values to what parses, sizes never NaN or negative', () => {
    for (const value of ['+', '+\n\n', '+x', '+id:-5:1:2:r', '+id:1e400:0:0:', 'x:1', '-5:1', '+:1:1:1:r']) {
      const items = decodeAgeEntry(ageKey(1, 'dd'), text.encode(value))
      for (const item of items) assert.ok(Number.isSafeInteger(item.size) && item.size >= 0, `${value}: size ${item.size}`)
      assert.ok(Number.isSafeInteger(metaSize(text.encode(value))), value)
    }
    assert.deepEqual(decodeAgeEntry('t:x', text.encode('+id1:4:1:2:r\ngarbage\nid2:6:0:3:')), [
      { id: 'id1', size: 4, hops: 1, timestampMs: 2, registerId: 'r' },
      { id: 'id2', size: 6, hops: 0, timestampMs: 3, registerId: '' }
    ])
  })
})

describe('TxStore age index', () => {
  const dirs: string[] = []
  const storages: Storage[] = []
  after(async () => {
    for (const s of storages) await s.close()
    for (const d of dirs) await rm(d, { recursive: true, force: true })
  })
  const open = async (): Promise<Sublevel> => {
    const dir = await mkdtemp(join(tmpdir(), 'sorcha-store-age-'))
    dirs.push(dir)
    const storage = await openStorage(dir)
    storages.push(storage)
    return storage.sublevel('tx')
  }
  const options = (over: Partial<TxStoreOptions> = {}): TxStoreOptions => ({ maxBytes: 1_000_000, maxTxBytes: 1000, retentionMs: 60_000, cacheMaxBytes: 0, cacheTtlMs: 1000, ...over })
  /** Writes `txs` as received transactions in one shared batch (one turn of the event loop). */
  const receive = async (store: TxStore, txs: Transaction[]): Promise<void> => {
    await Promise.all(txs.map(async (t, i) => { await store.write(idOf(t), t, i + 1) }))
  }

  it('writes one age entry for a batch of received transactions, and reads it back after a restart', async () => {
    const db = await open()
    let now = 1000
    const store = new TxStore(db, options({ now: () => now }))
    await store.open()
    const txs = ['one', 'two', 'three', 'four'].map((body, i) => tx(body, `reg-${i}`, 10 + i))
    await receive(store, txs)
    const entries = await ageEntries(db)
    assert.equal(entries.length, 1)
    assert.equal(isBatchEntry(entries[0]![1]), true)
    now = 2000
    await store.put(tx('later'), 0)
    const reopened = new TxStore(db, options({ now: () => now }))
    await reopened.open()
    assert.deepEqual(reopened.usage, { bytes: 3 + 3 + 5 + 4 + 5, count: 5 })
    assert.deepEqual((await reopened.newest(3)).map(s => s.id), [idOf(tx('later')), idOf(txs[3]!), idOf(txs[2]!)])
    assert.deepEqual((await reopened.newest(10))[1], { id: idOf(txs[3]!), size: 4, hops: 4, register: 'reg-3' })
    const ordered = []
    for await (const entry of reopened.entries()) ordered.push(entry)
    assert.deepEqual(ordered.map(e => [e.id, e.hops, e.timestampMs, e.registerId]), [
      ...txs.map((t, i) => [idOf(t), i + 1, 10 + i, `reg-${i}`]),
      [idOf(tx('later')), 0, 1, 'reg-1']
    ])
    for (const t of txs) assert.equal(await reopened.has(idOf(t)), true)
  })

  it('opens a store written in the one-entry-per-transaction layout, next to batch entries', async () => {
    const db = await open()
    // The layout before batch entries: a b: record and a t: entry per transaction (also what put() still writes).
    const old = [tx('old-a'), tx('old-b')]
    let now = 100
    const first = new TxStore(db, options({ now: () => now }))
    await first.open()
    for (const t of old) {
      await first.put(t, 2)
      now += 10
    }
    assert.ok((await ageEntries(db)).every(([, value]) => !isBatchEntry(value)))
    await db.put(ageKey(110, idOf(old[1]!)), text.encode('5:2')) // the oldest form, without order fields
    const store = new TxStore(db, options({ now: () => 200 }))
    await store.open()
    await receive(store, [tx('new-a'), tx('new-b')])
    const reopened = new TxStore(db, options({ now: () => 300 }))
    await reopened.open()
    assert.deepEqual(reopened.usage, { bytes: 20, count: 4 })
    assert.deepEqual((await reopened.newest(4)).map(s => s.id), [idOf(tx('new-b')), idOf(tx('new-a')), ...old.map(idOf).reverse()])
    const ordered = []
    for await (const entry of reopened.entries()) ordered.push(entry.id)
    assert.deepEqual(ordered, [...old, tx('new-a'), tx('new-b')].map(idOf))
  })

  it('evicts the oldest transactions of a batch entry beyond the byte bound and keeps the rest of it', async () => {
    const db = await open()
    const store = new TxStore(db, options({ maxBytes: 12 }))
    await store.open()
    const txs = ['aaaaa', 'bbbbb', 'ccccc', 'ddddd'].map(body => tx(body))
    const removed: string[] = []
    store.observe({ stored: () => {}, removed: id => removed.push(id) })
    await receive(store, txs) // 20 bytes > 12: the two oldest go
    assert.deepEqual(removed, txs.slice(0, 2).map(idOf))
    assert.deepEqual(store.usage, { bytes: 10, count: 2 })
    assert.equal(await store.get(idOf(txs[0]!)), undefined)
    assert.ok(await store.get(idOf(txs[3]!)))
    const entries = await ageEntries(db)
    assert.equal(entries.length, 1)
    assert.deepEqual(decodeAgeEntry(...entries[0]!).map(i => i.id), txs.slice(2).map(idOf))
    const reopened = new TxStore(db, options({ maxBytes: 12 }))
    await reopened.open()
    assert.deepEqual(reopened.usage, { bytes: 10, count: 2 })
  })

  it('drops a batch past the retention except what the queue retains, and the entry once it is empty', async () => {
    const db = await open()
    let now = 0
    let retained = ''
    const store = new TxStore(db, options({ retentionMs: 100, now: () => now, retain: id => id === retained }))
    await store.open()
    const txs = ['r1', 'r2', 'r3'].map(body => tx(body))
    retained = idOf(txs[1]!)
    await receive(store, txs)
    now = 500
    await store.prune()
    assert.deepEqual(store.usage, { bytes: 2, count: 1 })
    assert.equal(await store.get(idOf(txs[0]!)), undefined)
    assert.ok(await store.get(retained))
    assert.deepEqual((await ageEntries(db)).flatMap(([key, value]) => decodeAgeEntry(key, value).map(i => i.id)), [retained])
    retained = ''
    await store.prune()
    assert.deepEqual(store.usage, { bytes: 0, count: 0 })
    assert.deepEqual(await ageEntries(db), [])
  })
})
