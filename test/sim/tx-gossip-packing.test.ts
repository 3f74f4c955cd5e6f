import { test } from 'node:test'
import assert from 'node:assert/strict'
import { BloomFilter, type GossipMessage } from '../../protocols/tx-gossip/index.ts'
import { CHUNK, EMPTY_SUMMARY, GETDATA, INV, originOf, packMessage, unpackInput } from '../../simulations/protocols/tx-gossip-packing.ts'
import type { EffectSink, SimTransaction } from '../../simulations/engine/types.ts'

// A run's transaction table as the sink exposes it: two transactions, one of three chunks' size.
const txs: SimTransaction[] = [
  { index: 0, id: new Uint8Array(32), key: 'a'.repeat(64), payload: new Uint8Array(512), registerId: 'r', publisher: 0, publishedAt: 0 },
  { index: 1, id: new Uint8Array(32), key: 'b'.repeat(64), payload: new Uint8Array(150_000), registerId: 'r', publisher: 1, publishedAt: 5 },
  // A register scenario's transaction (engine/registers.ts).
  { index: 2, id: new Uint8Array(32), key: 'c'.repeat(64), payload: new Uint8Array(100_000), registerId: 'r7', register: 'r7', publisher: 2, publishedAt: 9 }
]
const sink = {
  txIndex: (key: string) => txs.findIndex(tx => tx.key === key),
  txAt: (index: number) => txs[index]
} as unknown as EffectSink

function roundTrip (message: GossipMessage): unknown {
  const packed = packMessage(message, sink)
  assert.ok(packed !== undefined, `${message.type} packs`)
  const { tag, c, d } = packed
  return unpackInput(tag, 17, 42, c, d, sink, 64 * 1024)
}

test('single-item inv and getdata survive packing unchanged', () => {
  for (const hops of [1, 7, 255]) {
    // The transactions here name no register (not a register scenario): the item's register stays undefined.
    const inv: GossipMessage = { type: 'inv', items: [{ id: txs[1]!.key, size: 150_000, hops, register: undefined, origin: undefined }] }
    assert.deepEqual(roundTrip(inv), { type: 'message', now: 42, from: 17, message: inv })
    // With push trees an item names its origin: the publisher's tag (its index plus one).
    const tagged: GossipMessage = { type: 'inv', items: [{ id: txs[1]!.key, size: 150_000, hops, register: undefined, origin: originOf(1) }] }
    assert.deepEqual(roundTrip(tagged), { type: 'message', now: 42, from: 17, message: tagged })
  }
  for (const offset of [0, 65_536, 131_072]) {
    const getdata: GossipMessage = { type: 'getdata', items: [{ id: txs[0]!.key, offset }] }
    assert.deepEqual(roundTrip(getdata), { type: 'message', now: 42, from: 17, message: getdata })
  }
})

test("a register scenario's inv names the register, and so does its first chunk", () => {
  const inv: GossipMessage = { type: 'inv', items: [{ id: txs[2]!.key, size: 100_000, hops: 2, register: 'r7', origin: undefined }] }
  assert.deepEqual(roundTrip(inv), { type: 'message', now: 42, from: 17, message: inv })
  const chunk = (offset: number): unknown => unpackInput(CHUNK, 5, 7, 2, offset * 256 + 1, sink, 64 * 1024)
  assert.deepEqual(chunk(0), { type: 'chunk', now: 7, from: 5, id: txs[2]!.key, offset: 0, length: 65_536, total: 100_000, hops: 1, register: 'r7', origin: originOf(2) })
  assert.deepEqual(chunk(65_536), { type: 'chunk', now: 7, from: 5, id: txs[2]!.key, offset: 65_536, length: 34_464, total: 100_000, hops: 1, register: undefined, origin: undefined })
})

test('chunks unpack to the piece of the body at their offset', () => {
  const chunk = (offset: number, hops: number): unknown => unpackInput(CHUNK, 5, 7, 1, offset * 256 + hops, sink, 64 * 1024)
  assert.deepEqual(chunk(0, 3), { type: 'chunk', now: 7, from: 5, id: txs[1]!.key, offset: 0, length: 65_536, total: 150_000, hops: 3, register: undefined, origin: originOf(1) })
  assert.deepEqual(chunk(131_072, 9), { type: 'chunk', now: 7, from: 5, id: txs[1]!.key, offset: 131_072, length: 18_928, total: 150_000, hops: 9, register: undefined, origin: undefined })
})

test('messages that do not fit the packed forms travel as the objects they are', () => {
  const unpackable: GossipMessage[] = [
    { type: 'inv', items: [{ id: txs[0]!.key, size: 512, hops: 1 }, { id: txs[1]!.key, size: 150_000, hops: 1 }] },
    { type: 'inv', items: [{ id: 'not-a-published-tx', size: 512, hops: 1 }] },
    { type: 'inv', items: [{ id: txs[0]!.key, size: 512, hops: 300 }] },
    // An origin other than the publisher's tag cannot be told by one bit.
    { type: 'inv', items: [{ id: txs[0]!.key, size: 512, hops: 1, origin: 77 }] },
    { type: 'getdata', items: [{ id: txs[0]!.key, offset: -1 }] },
    { type: 'notfound', ids: [txs[0]!.key] }
  ]
  for (const m of unpackable) {
    assert.equal(packMessage(m, sink), undefined)
    assert.deepEqual(unpackInput(m, 9, 1, 0, 0, sink, 64 * 1024), { type: 'message', now: 1, from: 9, message: m })
  }
  assert.deepEqual([INV, GETDATA, CHUNK, EMPTY_SUMMARY].length, new Set([INV, GETDATA, CHUNK, EMPTY_SUMMARY]).size)
})

test('a summary of nothing travels packed and arrives as an equal empty filter; any other summary as itself', () => {
  const empty = BloomFilter.create(1, 1e-3, 0xfedcba98)
  const message: GossipMessage = { type: 'summary', filter: empty }
  const packed = packMessage(message, sink)
  assert.ok(packed !== undefined)
  assert.equal(packed.tag, EMPTY_SUMMARY)
  const input = unpackInput(packed.tag, 3, 12, packed.c, packed.d, sink, 64 * 1024)
  assert.deepEqual(input, { type: 'message', now: 12, from: 3, message })
  const arrived = (input as { message: { filter: BloomFilter } }).message.filter
  assert.notEqual(arrived, empty) // a filter of its own, equal in every field
  assert.deepEqual([arrived.k, arrived.salt, arrived.size, arrived.count], [empty.k, empty.salt, empty.size, 0])

  const full = BloomFilter.create(1, 1e-3, 7)
  full.add(txs[0]!.key)
  assert.equal(packMessage({ type: 'summary', filter: full }, sink), undefined)
  const big = BloomFilter.create(10_000, 1e-3, 7)
  assert.equal(packMessage({ type: 'summary', filter: big }, sink), undefined)
})
