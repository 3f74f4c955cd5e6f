/**
 * The outbound queue over a real LevelDB and TxStore, with the gossip strategy and the have-query
 * replaced by recording fakes: states, flushing when the node can send, confirmation by k peers,
 * resends to the peers that lack a transaction, bounds, and reloading from disk.
 */
import assert from 'node:assert/strict'
import { after, beforeEach, describe, it } from 'node:test'
import type { Transaction } from '../../../protos/gen/sorcha/p2p/v1/tx_gossip.ts'
import { toHex } from '../../../protocols/models/index.ts'
import { TxStore, txIdOf } from '../../../src/gossip/store/tx-store.ts'
import { logger } from '../../../src/logging/index.ts'
import { OutboundQueue, QUEUE_SUBLEVEL, type HaveQuery, type QueueConfig, type QueueTransport } from '../../../src/queue/index.ts'
import { openStorage, type Storage } from '../../../src/storage/index.ts'
import { waitFor } from '../../support/gossip-net.ts'
import { tempDir } from '../../helpers/temp-dir.ts'

const PEER = '12D3KooWQYhTNQdmr3ArTeUHRYzFg94BKyTkoWBDWez9kSCVe2Xo'
const CONFIG: QueueConfig = { maxDepth: 100, maxBytes: 1024 * 1024, confirmations: 1, retryInitialMs: 20, retryMaxMs: 80 }

function tx (text: string, register = 'reg'): { id: string, transaction: Transaction } {
  const payload = new TextEncoder().encode(text)
  const transaction = { notification: { txId: txIdOf(payload), registerId: register, sender: PEER, timestampMs: 1, sizeBytes: payload.length, contentType: 'text/plain', hopCount: 0 }, payload }
  return { id: toHex(transaction.notification.txId), transaction }
}

/** A strategy that records what it is handed; `peers` is how many it can reach. */
class FakeTransport implements QueueTransport {
  peers = 0
  announced: string[] = []
  resent: Array<{ id: string, peers: readonly string[] }> = []
  reach = (): number => this.peers
  room = (): number => Infinity
  announce = (id: string): boolean => {
    if (this.peers === 0) return false
    this.announced.push(id)
    return true
  }

  resend = (id: string, _tx: Transaction, peers: readonly string[]): void => { this.resent.push({ id, peers }) }
}

/** Peers whose stores hold what `holds` says; every question is recorded. */
class FakeHave implements HaveQuery {
  stores = new Map<string, Set<string>>()
  asked: Array<{ peer: string, ids: readonly string[], held: boolean[] }> = []
  peers = (): string[] => [...this.stores.keys()]
  ask = async (peer: string, ids: readonly string[]): Promise<boolean[]> => {
    const held = ids.map(id => this.stores.get(peer)?.has(id) === true)
    this.asked.push({ peer, ids, held })
    return held
  }
}

describe('OutboundQueue', () => {
  let root: string
  let storage: Storage
  let store: TxStore
  let queue: OutboundQueue
  let transport: FakeTransport
  let have: FakeHave
  let sending: boolean
  const open: OutboundQueue[] = []

  let confirmations: Array<{ id: string, holders: string[], queuedAtMs: number }> = []
  const newQueue = async (config: QueueConfig = CONFIG): Promise<OutboundQueue> => {
    const q = new OutboundQueue({ db: storage.sublevel(QUEUE_SUBLEVEL), store, config, log: logger('sorcha:queue', {}), seed: 7, onConfirmed: c => { confirmations.push(c) } })
    await q.open()
    q.start({ transport, have, sending: () => sending })
    open.push(q)
    return q
  }

  beforeEach(async () => {
    await Promise.all(open.splice(0).map(async q => q.stop()))
    await storage?.close()
    root = tempDir('sorcha-queue-')
    storage = await openStorage(root)
    store = new TxStore(storage.sublevel('tx'), { maxBytes: 1 << 30, maxTxBytes: 1 << 20, retentionMs: 60_000, cacheMaxBytes: 1 << 20, cacheTtlMs: 60_000, retain: id => queue?.holds(id) === true })
    await store.open()
    transport = new FakeTransport()
    have = new FakeHave()
    sending = false
    queue = await newQueue()
  })
  after(async () => {
    await Promise.all(open.map(async q => q.stop()))
    await storage?.close()
  })

  it('while the node cannot send, a submission is stored and queued, and nothing is handed to the strategy', async () => {
    const { id, transaction } = tx('offline')
    assert.equal(await queue.submit(id, transaction), 'queued')
    assert.equal(queue.stateOf(id), 'queued')
    assert.ok(await store.persisted(id))
    const stats = queue.stats()
    assert.deepEqual([stats.depth, stats.queued, stats.announced, stats.bytes, stats.sending], [1, 1, 0, 7, false])
    assert.equal(stats.commits.batches, 1)
    transport.peers = 1 // a peer, but the node is suspended (not sending): still nothing goes out
    queue.poke()
    await new Promise(resolve => setTimeout(resolve, 30))
    assert.deepEqual(transport.announced, [])
  })

  it('flushes once the node can send and the strategy reaches a peer; a check confirms what k peers hold and deletes the record', async () => {
    const a = tx('a')
    const b = tx('b')
    await queue.submit(a.id, a.transaction)
    await queue.submit(b.id, b.transaction)
    sending = true
    transport.peers = 1
    queue.poke()
    await waitFor(() => transport.announced.length === 2, 5000, 'flushed')
    assert.deepEqual(transport.announced, [a.id, b.id])
    assert.equal(queue.stateOf(a.id), 'announced')
    have.stores.set('p1', new Set([a.id, b.id]))
    await waitFor(() => queue.stats().depth === 0, 5000, 'confirmed')
    assert.equal(queue.stateOf(a.id), undefined)
    assert.equal(queue.stats().confirmed, 2)
    assert.ok(await store.persisted(a.id), 'the store keeps the transaction')
    const left = []
    for await (const entry of storage.sublevel(QUEUE_SUBLEVEL).keys()) left.push(entry)
    assert.deepEqual(left, [], 'the queue records are deleted')
  })

  it('checks entries that fall due one by one in few rounds, one at most every eighth of the first delay', async () => {
    const q = await newQueue({ ...CONFIG, retryInitialMs: 400, retryMaxMs: 800 })
    sending = true
    transport.peers = 1
    const txs = Array.from({ length: 40 }, (_, i) => tx(`spread ${i}`))
    have.stores.set('p1', new Set(txs.map(t => t.id)))
    // Each falls due at its own jittered time, 200-400 ms after its send.
    await Promise.all(txs.map(async t => q.submit(t.id, t.transaction)))
    await waitFor(() => q.stats().depth === 0, 10_000, 'all confirmed')
    // 200 ms of due times (plus the spread of the sends) in rounds at least 50 ms apart: about 5
    // rounds; a round fired at each entry's own time before (27 of 40 in one run).
    assert.ok(have.asked.length <= 8, `${have.asked.length} rounds`)
    assert.equal(have.asked.reduce((n, a) => n + a.ids.length, 0), 40)
  })

  it('a submission while the node can send is announced before it is acknowledged', async () => {
    sending = true
    transport.peers = 1
    const { id, transaction } = tx('online')
    assert.equal(await queue.submit(id, transaction), 'announced')
    assert.deepEqual(transport.announced, [id])
  })

  it('a send that reached nobody although the register had peers is tried again later, without any other poke', async () => {
    sending = true
    transport.peers = 1
    let refusals = 2
    const announce = transport.announce
    transport.announce = (id: string): boolean => refusals-- > 0 ? false : announce(id) // e.g. gossipsub: a subscriber, but no recipient yet
    const { id, transaction } = tx('reached nobody')
    assert.equal(await queue.submit(id, transaction), 'queued')
    const deadline = Date.now() + 10_000
    while (queue.stateOf(id) === 'queued' && Date.now() < deadline) await new Promise(resolve => setTimeout(resolve, 10))
    assert.equal(queue.stateOf(id), 'announced', 'retried after retryInitialMs until a send reached someone')
    assert.deepEqual(transport.announced, [id])
  })

  it('resends to the peers that lack it until k distinct peers hold it, and does not ask a peer again once it said yes', async () => {
    await queue.stop()
    queue = await newQueue({ ...CONFIG, confirmations: 2 })
    confirmations = []
    sending = true
    transport.peers = 2
    have.stores.set('p1', new Set())
    have.stores.set('p2', new Set())
    const { id, transaction } = tx('k of 2')
    await queue.submit(id, transaction)
    await waitFor(() => transport.resent.length >= 2, 5000, 'two resends')
    assert.deepEqual([...transport.resent[0]!.peers].sort(), ['p1', 'p2'])
    have.stores.get('p1')!.add(id)
    const resentBefore = transport.resent.length
    await waitFor(() => transport.resent.length > resentBefore, 5000, 'a resend to the one that still lacks it')
    assert.deepEqual(transport.resent.at(-1)!.peers, ['p2'])
    assert.equal(queue.stateOf(id), 'announced', 'one holder is not enough for k = 2')
    have.stores.get('p2')!.add(id)
    await waitFor(() => queue.stats().depth === 0, 5000, 'confirmed by two')
    // The holders are told once, when it is confirmed (the tx_confirmed event's source).
    assert.deepEqual(confirmations.map(c => [c.id, c.holders.sort()]), [[id, ['p1', 'p2']]])
    const p1 = have.asked.filter(q => q.peer === 'p1')
    const yes = p1.findIndex(q => q.held[q.ids.indexOf(id)] === true)
    assert.ok(yes >= 0, 'p1 said yes once')
    assert.ok(p1.slice(yes + 1).every(q => !q.ids.includes(id)), 'and was not asked about it again')
  })

  it('with nobody to ask, a check is not an attempt and resends nothing', async () => {
    sending = true
    transport.peers = 1
    const { id, transaction } = tx('nobody to ask')
    await queue.submit(id, transaction)
    await new Promise(resolve => setTimeout(resolve, 150))
    assert.deepEqual(have.asked, [])
    assert.deepEqual(transport.resent, [])
    assert.equal(queue.stateOf(id), 'announced')
  })

  it('refuses beyond maxDepth and maxBytes with QueueFullError', async () => {
    await queue.stop()
    queue = await newQueue({ ...CONFIG, maxDepth: 2, maxBytes: 10 })
    await queue.submit(tx('12345').id, tx('12345').transaction)
    await assert.rejects(queue.submit(tx('123456').id, tx('123456').transaction), (err: Error & { bound: string }) => err.name === 'QueueFullError' && err.bound === 'bytes' &&
      err.message === 'the outbound queue is full (queue.maxBytes = 10 bytes of unconfirmed transactions); retry once peers have confirmed some')
    await queue.submit(tx('1').id, tx('1').transaction)
    await assert.rejects(queue.submit(tx('2').id, tx('2').transaction), (err: Error & { bound: string }) => err.name === 'QueueFullError' && err.bound === 'depth')
    assert.equal(queue.stats().depth, 2)
    assert.equal(await store.persisted(tx('2').id), false, 'a refused submission is not stored')
  })

  it('drops (and logs once) a record whose transaction the store no longer holds', async () => {
    const { id, transaction } = tx('lost from the store')
    await queue.submit(id, transaction)
    await queue.stop()
    await storage.sublevel('tx').clear()
    const errors: string[] = []
    const log = Object.assign(Object.create(logger('sorcha:queue', {})) as ReturnType<typeof logger>, { error: (_context: unknown, message: string) => { errors.push(message) } })
    const lossy = new TxStore(storage.sublevel('tx'), { maxBytes: 1 << 30, maxTxBytes: 1 << 20, retentionMs: 60_000, cacheMaxBytes: 1 << 20, cacheTtlMs: 60_000 })
    await lossy.open()
    const again = new OutboundQueue({ db: storage.sublevel(QUEUE_SUBLEVEL), store: lossy, config: CONFIG, log, seed: 1 })
    open.push(again)
    await again.open()
    assert.equal(again.stats().depth, 1)
    sending = true
    transport.peers = 1
    again.start({ transport, have, sending: () => sending })
    await waitFor(() => again.stats().depth === 0, 5000, 'dropped')
    assert.deepEqual(errors, ['an unconfirmed transaction is missing from the store; dropping its queue record'])
    assert.deepEqual(transport.announced, [])
  })

  it('reloads unconfirmed records from disk, and the store keeps them past retention', async () => {
    const ids = ['x', 'y', 'z'].map(t => tx(t))
    for (const t of ids) await queue.submit(t.id, t.transaction)
    await queue.stop()
    const again = await newQueue()
    queue = again
    assert.equal(again.stats().depth, 3)
    assert.deepEqual(ids.map(t => again.stateOf(t.id)), ['queued', 'queued', 'queued'])
    assert.ok(again.holds(ids[0]!.id))
    // Retention 0: everything not held by the queue goes; the queue's transactions stay.
    const other = tx('not queued')
    await store.put(other.transaction, 1)
    const pruning = new TxStore(storage.sublevel('tx'), { maxBytes: 1 << 30, maxTxBytes: 1 << 20, retentionMs: -1, cacheMaxBytes: 0, cacheTtlMs: 1, retain: id => again.holds(id) })
    await pruning.open()
    assert.equal(await pruning.persisted(other.id), false)
    for (const t of ids) assert.ok(await pruning.persisted(t.id))
  })

  it('skips a damaged record on disk with one warning and reloads the others (found by fuzzing: open() threw)', async () => {
    const good = tx('good')
    await queue.submit(good.id, good.transaction)
    await queue.stop()
    await storage.sublevel(QUEUE_SUBLEVEL).put(`q:${'0'.repeat(15)}:${'ab'.repeat(32)}`, Uint8Array.from([0x0a, 0xff]))
    const warnings: string[] = []
    const log = Object.assign(Object.create(logger('sorcha:queue', {})) as ReturnType<typeof logger>, { warn: (_context: unknown, message: string) => { warnings.push(message) } })
    const again = new OutboundQueue({ db: storage.sublevel(QUEUE_SUBLEVEL), store, config: CONFIG, log, seed: 1 })
    open.push(again)
    await again.open()
    assert.equal(again.stats().depth, 1)
    assert.equal(again.stateOf(good.id), 'queued')
    assert.deepEqual(warnings, ['outbound queue: skipped unreadable records on disk'])
  })
})
