/** The chunk frame fast path (src/gossip/chunk-decoder.ts) against the generated decoder. */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { BinaryWriter } from '@bufbuild/protobuf/wire'
import { createRng } from '../../../protocols/common/rng.ts'
import { GossipFrame } from '../../../protos/gen/sorcha/p2p/v1/tx_gossip.ts'
import { decodeChunkFrame } from '../../../src/gossip/chunk-decoder.ts'
import { txIdOf } from '../../../src/gossip/store/tx-store.ts'
import { decodeFrame, encodeChunk } from '../../../src/gossip/wire.ts'
import { toHex } from '../../../protocols/models/index.ts'

const PEER = '12D3KooWQYhTNQdmr3ArTeUHRYzFg94BKyTkoWBDWez9kSCVe2Xo'

function frames (): Uint8Array[] {
  const out: Uint8Array[] = []
  for (const size of [0, 1, 512, 70_000]) {
    const payload = new Uint8Array(size).map((_, i) => (i * 31) & 0xff)
    const txId = txIdOf(payload)
    const notification = { txId, registerId: 'reg-é', sender: PEER, timestampMs: 2 ** 53 - 1, sizeBytes: size, contentType: 'application/json', hopCount: 7 }
    const id = toHex(txId)
    out.push(encodeChunk({ id, offset: 0, length: size, total: size, hops: 3, gzip: false, data: payload, notification }))
    out.push(encodeChunk({ id, offset: 0, length: size, total: size, hops: 0, gzip: true, data: payload, notification: { ...notification, registerId: '', contentType: '', hopCount: 0, timestampMs: 0 } }))
    out.push(encodeChunk({ id, offset: 3, length: 0, total: size + 3, hops: 255, gzip: false, data: new Uint8Array(0) }))
  }
  return out
}

/** What the generated decoder makes of `bytes`: the chunk when it is the frame's only body, 'other' or 'throws'. */
function generated (bytes: Uint8Array): unknown {
  try {
    const frame = GossipFrame.decode(bytes)
    const bodies = [frame.inv, frame.getdata, frame.notfound, frame.summary, frame.chunk].filter(b => b !== undefined).length
    return bodies === 1 && frame.chunk !== undefined ? frame.chunk : 'other'
  } catch {
    return 'throws'
  }
}

describe('chunk frame fast path', () => {
  it('reads the frames the encoder writes as the generated decoder does', () => {
    for (const bytes of frames()) {
      const fast = decodeChunkFrame(bytes)
      assert.ok(fast !== undefined)
      assert.deepEqual(fast, generated(bytes))
    }
  })

  it('leaves to the generated decoder what it does not lay out itself, and never disagrees with it (seeded mutations)', () => {
    const rng = createRng(22)
    const valid = frames()
    let taken = 0
    let left = 0
    for (let i = 0; i < 20_000; i++) {
      const source = valid[rng.int(valid.length)] as Uint8Array
      let bytes = source.slice()
      const edits = 1 + rng.int(3)
      for (let e = 0; e < edits; e++) {
        const at = rng.int(Math.max(1, Math.min(bytes.length, 120)))
        switch (rng.int(4)) {
          case 0: bytes[at] = rng.int(256); break
          case 1: bytes = bytes.subarray(0, at); break
          case 2: {
            const longer = new Uint8Array(bytes.length + 1)
            longer.set(bytes.subarray(0, at))
            longer[at] = rng.int(256)
            longer.set(bytes.subarray(at), at + 1)
            bytes = longer
            break
          }
          case 3: bytes[at] = (bytes[at] ?? 0) ^ (1 << rng.int(8)); break
        }
      }
      const fast = decodeChunkFrame(bytes)
      if (fast === undefined) {
        left++
        continue
      }
      taken++
      assert.deepEqual(fast, generated(bytes), `mutation ${i}`)
    }
    assert.ok(taken > 100 && left > 100, `both paths exercised (${taken} taken, ${left} left)`)
  })

  it('leaves an unknown field, a second body, a wrong wire type and a number beyond 2^53 - 1 to the generated decoder', () => {
    const [plain] = frames() as [Uint8Array]
    const chunkBody = (extra: (w: BinaryWriter) => void): Uint8Array => {
      const inner = GossipFrame.decode(plain).chunk!
      const w = new BinaryWriter()
      w.uint32(42).fork()
      w.uint32(10).bytes(inner.txId).uint32(16).uint64(inner.offset).uint32(24).uint64(inner.length).uint32(32).uint64(inner.totalBytes)
      extra(w)
      return w.join().finish()
    }
    const unknown = chunkBody(w => { w.uint32(99 << 3).uint32(1) })
    assert.equal(decodeChunkFrame(unknown), undefined)
    assert.ok(typeof generated(unknown) === 'object', 'the generated decoder skips it')
    const huge = chunkBody(w => { w.uint32(16).uint64(2n ** 60n) })
    assert.equal(decodeChunkFrame(huge), undefined)
    assert.equal(generated(huge), 'throws')
    assert.deepEqual(decodeFrame(huge), { kind: 'invalid', code: 'malformed-frame' })
    const wrongType = chunkBody(w => { w.uint32((5 << 3) | 2).bytes(new Uint8Array(1)) })
    assert.equal(decodeChunkFrame(wrongType), undefined)
    const two = Uint8Array.from([...plain, ...GossipFrame.encode({ notfound: { txIds: [] } }).finish()])
    assert.equal(decodeChunkFrame(two), undefined)
    assert.deepEqual(decodeFrame(two), { kind: 'invalid', code: 'malformed-frame' })
  })
})
