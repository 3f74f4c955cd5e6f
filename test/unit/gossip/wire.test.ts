import assert from 'node:assert/strict'
import { gzipSync } from 'node:zlib'
import { describe, it } from 'node:test'
import { createRng } from '../../../protocols/common/rng.ts'
import { GossipFrame } from '../../../protos/gen/sorcha/p2p/v1/tx_gossip.ts'
import { toHex } from '../../../protocols/models/index.ts'
import { BloomFilter, type GossipMessage } from '../../../protocols/tx-gossip/index.ts'
import { compressChunk, inflateChunk } from '../../../src/gossip/compression.ts'
import { txIdOf } from '../../../src/gossip/store/tx-store.ts'
import { decodeFrame, encodeChunk, encodeMessage } from '../../../src/gossip/wire.ts'
import { hexOfId } from '../../../src/gossip/hex-id.ts'

const PEER = '12D3KooWQYhTNQdmr3ArTeUHRYzFg94BKyTkoWBDWez9kSCVe2Xo'
const id = (n: number): string => toHex(txIdOf(new Uint8Array([n])))

describe('gossip wire format', () => {
  it('turns ids into the hex toHex gives, from a view at any offset of a larger buffer', () => {
    const frame = new Uint8Array(70).map((_, i) => (i * 37 + 11) & 0xff)
    for (const at of [0, 1, 7, 38]) assert.equal(hexOfId(frame.subarray(at, at + 32)), toHex(frame.subarray(at, at + 32)))
    assert.equal(hexOfId(new Uint8Array(0)), '')
  })

  it('round-trips every control message', () => {
    const filter = BloomFilter.create(10, 0.01, 77)
    filter.add(id(1))
    const messages: GossipMessage[] = [
      { type: 'inv', items: [{ id: id(1), size: 512, hops: 1 }, { id: id(2), size: 2 ** 40, hops: 255 }, { id: id(6), size: 9, hops: 2, register: 'reg-a:1' }] },
      { type: 'getdata', items: [{ id: id(3), offset: 65536 }] },
      { type: 'notfound', ids: [id(4), id(5)] }
    ]
    for (const message of messages) assert.deepEqual(decodeFrame(encodeMessage(message)), { kind: 'message', message })
    const summary = decodeFrame(encodeMessage({ type: 'summary', filter }))
    assert.ok(summary.kind === 'message' && summary.message.type === 'summary')
    assert.ok(summary.message.filter.has(id(1)))
    assert.equal(summary.message.filter.salt, 77)
  })

  it('refuses an inventory item whose register is not a register id (SPEC.md §3.7)', () => {
    const frame = GossipFrame.encode({ inv: { items: [{ txId: txIdOf(new Uint8Array([1])), sizeBytes: 5, hopCount: 1, registerId: 'not a register', origin: 0 }] } }).finish()
    assert.deepEqual(decodeFrame(frame), { kind: 'invalid', code: 'malformed-frame' })
  })

  it('round-trips a chunk with its notification, and insists on one', () => {
    const payload = new TextEncoder().encode('payload')
    const txId = txIdOf(payload)
    const notification = { txId, registerId: 'r', sender: PEER, timestampMs: 5, sizeBytes: payload.length, contentType: 'text/plain', hopCount: 0 }
    const frame = { id: toHex(txId), offset: 0, length: payload.length, total: payload.length, hops: 2, gzip: false, data: payload, notification }
    assert.deepEqual(decodeFrame(encodeChunk(frame)), { kind: 'chunk', chunk: frame })
    assert.deepEqual(decodeFrame(encodeChunk({ ...frame, notification: undefined })), { kind: 'invalid', code: 'bad-notification' })
    assert.deepEqual(decodeFrame(encodeChunk({ ...frame, notification: { ...notification, sizeBytes: 1 } })), { kind: 'invalid', code: 'bad-notification' })
    assert.deepEqual(decodeFrame(encodeChunk({ ...frame, notification: { ...notification, sender: 'nobody' } })), { kind: 'invalid', code: 'bad-notification' })
    assert.deepEqual(decodeFrame(encodeChunk({ ...frame, notification: { ...notification, txId: txIdOf(new Uint8Array([9])) } })), { kind: 'invalid', code: 'bad-notification' }, 'names another transaction')
    const { notification: _, ...later } = { ...frame, offset: 3, length: 4, data: payload.subarray(3) }
    assert.deepEqual(decodeFrame(encodeChunk(later)), { kind: 'chunk', chunk: later })
  })

  it('returns a reject code, never an exception, for malformed frames', () => {
    assert.deepEqual(decodeFrame(new Uint8Array([0xff, 0xff, 0xff])), { kind: 'invalid', code: 'malformed-frame' })
    assert.deepEqual(decodeFrame(new Uint8Array(0)), { kind: 'invalid', code: 'malformed-frame' })
    const two = GossipFrame.encode({ inv: { items: [] }, notfound: { txIds: [] } }).finish()
    assert.deepEqual(decodeFrame(two), { kind: 'invalid', code: 'malformed-frame' })
    const shortId = GossipFrame.encode({ getdata: { items: [{ txId: new Uint8Array(31), offset: 0 }], graft: [], prune: [] } }).finish()
    assert.deepEqual(decodeFrame(shortId), { kind: 'invalid', code: 'malformed-frame' })
    const badFilter = GossipFrame.encode({ summary: { filter: { hashCount: 99, salt: 1, bits: new Uint8Array(4) } } }).finish()
    assert.deepEqual(decodeFrame(badFilter), { kind: 'invalid', code: 'bad-summary' })
    const lying = GossipFrame.encode({ chunk: { txId: txIdOf(new Uint8Array(1)), offset: 1, length: 5, totalBytes: 9, hopCount: 1, compression: 0, data: new Uint8Array(2), notification: undefined } }).finish()
    assert.deepEqual(decodeFrame(lying), { kind: 'invalid', code: 'malformed-frame' })
    const unknownCompression = GossipFrame.encode({ chunk: { txId: txIdOf(new Uint8Array(1)), offset: 1, length: 2, totalBytes: 9, hopCount: 1, compression: 7 as 0, data: new Uint8Array(2), notification: undefined } }).finish()
    assert.deepEqual(decodeFrame(unknownCompression), { kind: 'invalid', code: 'malformed-frame' })
  })
})

describe('chunk compression', () => {
  it('compresses compressible chunks above the threshold and leaves the rest alone', async () => {
    const text = new TextEncoder().encode('{"amount":100,"account":"abc"}\n'.repeat(200))
    const packed = await compressChunk(text, 1024)
    assert.equal(packed.gzip, true)
    assert.ok(packed.data.length < text.length / 5)
    assert.deepEqual(await inflateChunk(packed.data, text.length), text)
    assert.equal((await compressChunk(text.subarray(0, 500), 1024)).gzip, false)
    assert.equal((await compressChunk(text, 0)).gzip, false)
    const rng = createRng(1)
    const noise = new Uint8Array(4096).map(() => rng.int(256))
    assert.equal((await compressChunk(noise, 1024)).gzip, false)
  })

  it('stops a decompression bomb at the declared length', async () => {
    const bomb = gzipSync(new Uint8Array(50 * 1024 * 1024))
    assert.ok(bomb.length < 100 * 1024)
    await assert.rejects(inflateChunk(bomb, 64 * 1024), { name: 'DecompressionError' })
    await assert.rejects(inflateChunk(gzipSync(new Uint8Array(10)), 11), { name: 'DecompressionError' })
    await assert.rejects(inflateChunk(new Uint8Array([1, 2, 3]), 3), { name: 'DecompressionError' })
  })
})
