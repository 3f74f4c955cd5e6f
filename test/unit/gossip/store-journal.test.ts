/** The store's journal (src/gossip/store/sequence.ts): sequence numbers in the transaction's batch. */
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import type { Transaction } from '../../../protos/gen/sorcha/p2p/v1/tx_gossip.ts'
import { toHex } from '../../../protocols/models/index.ts'
import { RESERVE_BLOCK, TxSequence, type JournalRecord } from '../../../src/gossip/store/sequence.ts'
import { TxStore, txIdOf, type TxStoreOptions } from '../../../src/gossip/store/tx-store.ts'
import { openStorage, type Storage, type Sublevel } from '../../../src/storage/index.ts'

const PEER = '12D3KooWQYhTNQdmr3ArTeUHRYzFg94BKyTkoWBDWez9kSCVe2Xo'

function tx (text: string, register = 'reg-1'): Transaction {
  const payload = new TextEncoder().encode(text)
  return { notification: { txId: txIdOf(payload), registerId: register, sender: PEER, timestampMs: 1, sizeBytes: payload.length, contentType: 'text/plain', hopCount: 0 }, payload }
}
const idOf = (t: Transaction): string => toHex(t.notification!.txId)
const options = (over: Partial<TxStoreOptions> = {}): TxStoreOptions => ({ maxBytes: 1_000_000, maxTxBytes: 1000, retentionMs: 60_000, cacheMaxBytes: 10_000, cacheTtlMs: 1000, ...over })

/** A sublevel whose batches fail while `failing` is set (a full or broken disk). */
function flaky (db: Sublevel): { db: Sublevel, fail: (on: boolean) => void } {
  let failing = false
  const proxy = new Proxy(db, {
    get (target, prop, receiver) {
      if (prop === 'batch') return async (...args: unknown[]) => { if (failing) throw new Error('disk full'); return (target.batch as (...a: unknown[]) => Promise<void>).apply(target, args) }
      const value = Reflect.get(target, prop, receiver) as unknown
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value
    }
  })
  return { db: proxy, fail: on => { failing = on } }
}

describe('the store journal', () => {
  const dirs: string[] = []
  const storages: Storage[] = []
  after(async () => {
    await Promise.all(storages.map(async s => s.close()))
    await Promise.all(dirs.map(async d => rm(d, { recursive: true, force: true })))
  })
  const open = async (dir?: string): Promise<{ dir: string, storage: Storage }> => {
    const path = dir ?? await mkdtemp(join(tmpdir(), 'sorcha-journal-'))
    if (dir === undefined) dirs.push(path)
    const storage = await openStorage(path)
    storages.push(storage)
    return { dir: path, storage }
  }

  it('numbers each newly stored transaction in order, once, and pages through them', async () => {
    const { storage } = await open()
    const store = new TxStore(storage.sublevel('tx'), options())
    await store.open()
    const heard: JournalRecord[] = []
    store.journal.listen(r => { heard.push(r) })
    const txs = ['a', 'b', 'c', 'd'].map(t => tx(t))
    for (const t of txs) assert.equal(await store.put(t, 0), 'stored')
    assert.equal(await store.put(txs[0]!, 0), 'duplicate')
    assert.equal(await store.keep(idOf(txs[1]!), txs[1]!, 2), 'duplicate')
    assert.equal(await store.keep(idOf(tx('e')), tx('e'), 2), 'stored')
    assert.deepEqual(heard.map(r => r.seq), [1, 2, 3, 4, 5])
    assert.deepEqual(heard.map(r => r.id), [...txs.map(idOf), idOf(tx('e'))])
    assert.equal(heard[4]?.notification.hopCount, 2)
    assert.equal(store.journal.last, 5)
    assert.match(store.journal.epoch, /^[0-9a-f]{16}$/)
    const page = await store.journal.read(1, 2)
    assert.deepEqual([page.records.map(r => r.seq), page.upTo], [[2, 3], 3])
    const rest = await store.journal.read(3, 10)
    assert.deepEqual([rest.records.map(r => r.seq), rest.upTo], [[4, 5], 5])
    assert.deepEqual(await store.journal.read(5, 10), { records: [], upTo: 5 })
  })

  it('gives concurrent writes of one transaction one entry: one is stored, the others are duplicates', async () => {
    const { storage } = await open()
    const store = new TxStore(storage.sublevel('tx'), options())
    await store.open()
    const t = tx('same')
    const outcomes = await Promise.all([store.keep(idOf(t), t, 1), store.keep(idOf(t), t, 1), store.put(t, 0), store.keep(idOf(t), t, 3)])
    assert.deepEqual(outcomes.filter(o => o === 'stored').length, 1, outcomes.join(' '))
    assert.deepEqual((await store.journal.read(0, 10)).records.map(r => r.id), [idOf(t)])
    assert.deepEqual(store.usage, { bytes: 4, count: 1 })
  })

  it('a group-committed write (putMany) racing a received copy of one of its transactions: one entry, and the batch\'s other writes still land', async () => {
    const { storage } = await open()
    const sub = storage.sublevel('tx')
    const store = new TxStore(sub, options())
    await store.open()
    const [a, b] = [tx('published a'), tx('published b')]
    const side = storage.sublevel('side')
    const [, kept] = await Promise.all([
      store.putMany([{ id: idOf(a), transaction: a, hops: 0 }, { id: idOf(b), transaction: b, hops: 0 }], { with: [{ type: 'put', sublevel: side, key: 'q', value: new Uint8Array([1]) }] }),
      store.keep(idOf(a), a, 2)
    ])
    const ids = (await store.journal.read(0, 10)).records.map(r => r.id)
    assert.deepEqual([...ids].sort(), [idOf(a), idOf(b)].sort(), `one entry each, got ${ids.join(' ')} (keep said ${kept})`)
    assert.deepEqual(store.usage, { bytes: a.payload.length + b.payload.length, count: 2 })
    assert.deepEqual([...(await side.get('q')) ?? []], [1])
    assert.equal(await store.putMany([{ id: idOf(b), transaction: b, hops: 0 }]), undefined)
    assert.equal((await store.journal.read(0, 10)).records.length, 2, 'writing a stored transaction again adds no entry')
  })

  it('a failed write leaves no trace: not held, no entry, and later ones are released in order', async () => {
    const { storage } = await open()
    const { db, fail } = flaky(storage.sublevel('tx'))
    const store = new TxStore(db, options())
    await store.open()
    const heard: number[] = []
    store.journal.listen(r => { heard.push(r.seq) })
    await store.put(tx('one'), 0)
    fail(true)
    await assert.rejects(store.keep(idOf(tx('two')), tx('two'), 1), /disk full/)
    fail(false)
    assert.equal(await store.has(idOf(tx('two'))), false)
    assert.equal(await store.get(idOf(tx('two'))), undefined)
    assert.equal(await store.keep(idOf(tx('three')), tx('three'), 1), 'stored')
    // It can arrive again, and is stored then.
    assert.equal(await store.keep(idOf(tx('two')), tx('two'), 1), 'stored')
    assert.deepEqual(heard, [1, 3, 4])
    assert.deepEqual((await store.journal.read(0, 10)).records.map(r => r.seq), [1, 3, 4])
    assert.deepEqual(store.usage.count, 3)
  })

  it('answers have-queries about what it wrote lately from memory: held once written, not while in flight nor after a failure', async () => {
    const { storage } = await open()
    const { db, fail } = flaky(storage.sublevel('tx'))
    let reads = 0
    const counting = new Proxy(db, {
      get (target, prop, receiver) {
        if (prop === 'getMany') return async (...args: unknown[]) => { reads += (args[0] as unknown[]).length; return (target.getMany as (...a: unknown[]) => Promise<unknown>).apply(target, args) }
        return Reflect.get(target, prop, receiver) as unknown
      }
    })
    const store = new TxStore(counting, options())
    await store.open()
    const [a, b, c] = [tx('have-a'), tx('have-b'), tx('have-c')]
    const writing = store.keep(idOf(a), a, 1)
    assert.deepEqual(await store.persistedMany([idOf(a)]), [false], 'not held while its write is in flight')
    await writing
    fail(true)
    await assert.rejects(store.keep(idOf(b), b, 1), /disk full/)
    fail(false)
    const before = reads
    assert.deepEqual(await store.persistedMany([idOf(a), idOf(b), idOf(c)]), [true, false, false])
    assert.equal(reads - before, 1, 'only the failed one is looked up in the database (the Bloom filter may hold it), not the stored one')
    assert.equal(await store.keep(idOf(b), b, 1), 'stored')
    assert.deepEqual(await store.persistedMany([idOf(b)]), [true])
  })

  it('keepInBatch: the transactions of one turn share the batch\'s promise; a known or in-flight one is left to keep(); a failed batch leaves no trace', async () => {
    const { storage } = await open()
    const { db, fail } = flaky(storage.sublevel('tx'))
    const store = new TxStore(db, options())
    await store.open()
    const [a, b, c] = [tx('batch-a'), tx('batch-b'), tx('batch-c')]
    const first = store.keepInBatch(idOf(a), a, 1)
    const second = store.keepInBatch(idOf(b), b, 2)
    assert.ok(first !== undefined && first === second, 'one promise for the batch')
    assert.equal(store.keepInBatch(idOf(a), a, 1), undefined, 'being written: left to keep()')
    assert.equal(store.keepInBatch(idOf(c), { ...c, payload: new Uint8Array(1001) }, 1), undefined, 'too large: left to keep(), which rejects it')
    await first
    assert.deepEqual((await store.journal.read(0, 10)).records.map(r => [r.id, r.notification.hopCount]), [[idOf(a), 1], [idOf(b), 2]])
    assert.equal(store.keepInBatch(idOf(a), a, 1), undefined, 'stored: left to keep()')
    assert.equal(await store.keep(idOf(a), a, 1), 'duplicate')
    fail(true)
    const failing = store.keepInBatch(idOf(c), c, 1)
    assert.ok(failing !== undefined)
    await assert.rejects(failing, /disk full/)
    fail(false)
    assert.deepEqual(await store.persistedMany([idOf(c)]), [false])
    assert.equal(await store.get(idOf(c)), undefined)
    assert.equal(await store.keep(idOf(c), c, 1), 'stored', 'the claim was released: it can arrive again')
    assert.deepEqual(store.usage.count, 3)
  })

  it('releases out-of-order completions in sequence order, skipping failed ones', async () => {
    const { storage } = await open()
    const sequence = new TxSequence(storage.sublevel('seq'), { maxEntries: 100, retentionMs: 60_000, now: Date.now })
    await sequence.open()
    const heard: number[] = []
    sequence.listen(r => { heard.push(r.seq) })
    const record = (seq: number): JournalRecord => ({ seq, id: String(seq), notification: tx(String(seq)).notification!, storedAtMs: 0 })
    const [a, b, c, d] = [sequence.allocate(), sequence.allocate(), sequence.allocate(), sequence.allocate()] as [number, number, number, number]
    sequence.settle(c, record(c))
    sequence.settle(b, record(b))
    assert.deepEqual(heard, [])
    assert.equal(sequence.last, 0)
    sequence.settle(a, null)
    assert.deepEqual(heard, [b, c])
    assert.equal(sequence.last, c)
    sequence.settle(d, record(d))
    assert.deepEqual(heard, [b, c, d])
  })

  it('keeps its epoch and numbering across restarts: on after a clean close, past the reservation after a crash', async () => {
    const { dir, storage } = await open()
    const store = new TxStore(storage.sublevel('tx'), options())
    await store.open()
    await store.put(tx('a'), 0)
    await store.put(tx('b'), 0)
    const epoch = store.journal.epoch
    await store.close()
    await storage.close()
    const clean = await open(dir)
    const second = new TxStore(clean.storage.sublevel('tx'), options())
    await second.open()
    assert.equal(second.journal.epoch, epoch)
    await second.put(tx('c'), 0)
    assert.equal(second.journal.last, 3, 'a clean close goes on without a jump')
    // A crash: the database closes without the store recording its position.
    await clean.storage.close()
    const crashed = await open(dir)
    const third = new TxStore(crashed.storage.sublevel('tx'), options())
    await third.open()
    assert.equal(third.journal.epoch, epoch)
    await third.put(tx('d'), 0)
    const seqs = (await third.journal.read(0, 10)).records.map(r => r.seq)
    assert.deepEqual(seqs.slice(0, 3), [1, 2, 3])
    assert.ok(seqs[3]! > 3 + RESERVE_BLOCK / 2, `numbering went on past the reservation: ${seqs.join(' ')}`)
    // Another data directory has another epoch.
    const other = await open()
    const elsewhere = new TxStore(other.storage.sublevel('tx'), options())
    await elsewhere.open()
    assert.notEqual(elsewhere.journal.epoch, epoch)
  })

  it('drops the oldest entries beyond maxEntries or the retention, and says how far (floor)', async () => {
    const { storage } = await open()
    let now = 0
    const store = new TxStore(storage.sublevel('tx'), options({ now: () => now, journal: { maxEntries: 3, retentionMs: 100 } }))
    await store.open()
    for (const t of ['a', 'b', 'c', 'd', 'e']) { await store.put(tx(t), 0); now += 10 }
    await store.prune()
    assert.equal(store.journal.floor, 2)
    assert.deepEqual((await store.journal.read(0, 10)).records.map(r => r.seq), [3, 4, 5])
    now = 135 // entry 3 was stored at 20, 4 at 30, 5 at 40: 3 and 4 are older than 100 ms
    await store.prune()
    assert.equal(store.journal.floor, 4)
    assert.deepEqual((await store.journal.read(0, 10)).records.map(r => r.seq), [5])
  })

  it('counts maxEntries in entries, not numbers: the jumps after crashes do not shrink it', async () => {
    const { dir, storage } = await open()
    let current = storage
    for (const text of ['a', 'b', 'c', 'd']) {
      const store = new TxStore(current.sublevel('tx'), options({ journal: { maxEntries: 3, retentionMs: 60_000 } }))
      await store.open()
      await store.put(tx(text), 0)
      await current.close() // a crash: no store.close(), so numbering jumps past the reservation
      current = (await open(dir)).storage
    }
    const store = new TxStore(current.sublevel('tx'), options({ journal: { maxEntries: 3, retentionMs: 60_000 } }))
    await store.open()
    await store.prune()
    const kept = (await store.journal.read(0, 10)).records
    assert.deepEqual(kept.map(r => r.id), ['b', 'c', 'd'].map(t => idOf(tx(t))))
    assert.ok(kept[2]!.seq > 3 * RESERVE_BLOCK / 2, 'numbers jumped')
    assert.equal(store.journal.floor, 1)
  })
})
