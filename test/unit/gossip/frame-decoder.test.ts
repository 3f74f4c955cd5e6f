import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import * as lp from 'it-length-prefixed'
import { createRng } from '../../../protocols/common/rng.ts'
import { encodeFrames, FrameDecoder, framePrefix } from '../../../src/gossip/frame-decoder.ts'

const concat = (parts: Uint8Array[]): Uint8Array => Uint8Array.from(parts.flatMap(p => [...p]))

describe('FrameDecoder', () => {
  const rng = createRng(11)
  const frames = [1, 127, 128, 300, 16_383, 16_384, 70_000, 5].map(n => new Uint8Array(n).map(() => rng.int(256)))
  const stream = encodeFrames(frames)

  it('writes the same unsigned-varint prefixes as it-length-prefixed', () => {
    for (const frame of frames) assert.deepEqual(framePrefix(frame.length), lp.encode.single(frame).subarray(0, framePrefix(frame.length).length))
    assert.deepEqual(stream, concat(frames.map(f => lp.encode.single(f).subarray())))
  })

  it('returns every frame whole, however the stream is cut', () => {
    for (const pieces of [1, 2, 3, 7, 50, 1000]) {
      const decoder = new FrameDecoder()
      const out: Uint8Array[] = []
      const cuts = [0, ...Array.from({ length: pieces - 1 }, () => rng.int(stream.length)).sort((a, b) => a - b), stream.length]
      for (let i = 0; i < cuts.length - 1; i++) out.push(...decoder.decode(stream.subarray(cuts[i], cuts[i + 1])))
      assert.deepEqual(out, frames, `${pieces} pieces`)
      assert.equal(decoder.buffered, 0)
    }
    // One byte at a time: every prefix split, every body split.
    const decoder = new FrameDecoder()
    const out: Uint8Array[] = []
    for (let i = 0; i < stream.length; i++) out.push(...decoder.decode(stream.subarray(i, i + 1)))
    assert.deepEqual(out, frames)
  })

  it('hands out frames that arrive whole as views, without copying', () => {
    const decoder = new FrameDecoder()
    const out = decoder.decode(stream)
    assert.equal(out[0]!.buffer, stream.buffer)
  })

  it('skips empty frames and keeps a partial one for later', () => {
    const decoder = new FrameDecoder()
    assert.deepEqual(decoder.decode(Uint8Array.from([0, 0, 2, 9, 9, 3, 1])), [Uint8Array.from([9, 9])])
    assert.equal(decoder.buffered, 2)
    assert.deepEqual(decoder.decode(Uint8Array.from([2, 3])), [Uint8Array.from([1, 2, 3])])
  })

  it('throws FrameTooLargeError for a frame above the limit or a prefix longer than 4 bytes', () => {
    assert.throws(() => new FrameDecoder(100).decode(framePrefix(101)), { name: 'FrameTooLargeError' })
    assert.throws(() => new FrameDecoder().decode(Uint8Array.from([0x80, 0x80, 0x80, 0x80, 0x01])), { name: 'FrameTooLargeError' })
    // A too-large prefix split across reads is caught as soon as it is complete.
    const decoder = new FrameDecoder(100)
    assert.deepEqual(decoder.decode(Uint8Array.from([0xe5])), [])
    assert.throws(() => decoder.decode(Uint8Array.from([0x00])), { name: 'FrameTooLargeError' })
  })
})
