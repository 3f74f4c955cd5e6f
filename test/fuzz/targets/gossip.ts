/**
 * Fuzz targets of /sorcha/tx-gossip/1.0.0: frame messages (wire.ts), the length-prefix framing
 * (frame-decoder.ts), the stream reader (inbound-reader.ts), body assembly (assembly.ts) and chunk
 * compression (compression.ts).
 */
import { isDeepStrictEqual } from 'node:util'
import { gunzipSync, gzipSync } from 'node:zlib'
import type { Stream } from '@libp2p/interface'
import fc from 'fast-check'
import { BloomFilter, type GossipMessage } from '../../../protocols/tx-gossip/index.ts'
import { Assemblies } from '../../../src/gossip/assembly.ts'
import { compressChunk, inflateChunk } from '../../../src/gossip/compression.ts'
import { MAX_CHUNK_BYTES, MAX_FRAME_BYTES } from '../../../src/gossip/constants.ts'
import { encodeFrames, FrameDecoder, type FrameTooLargeError } from '../../../src/gossip/frame-decoder.ts'
import { readFrames } from '../../../src/gossip/inbound-reader.ts'
import { decodeFrame, encodeChunk, encodeMessage, type ChunkFrame, type InboundFrame } from '../../../src/gossip/wire.ts'
import { decoderInput, mutated, varint } from '../mutate.ts'
import { expect, expectTypedError, type FuzzTarget } from '../target.ts'
import { hopsArb, idBytesArb, idHexArb, notificationArb, sizeArb } from './models.ts'

const INVALID_CODES = ['malformed-frame', 'bad-notification', 'bad-summary']

const messageArb: fc.Arbitrary<GossipMessage> = fc.oneof(
  fc.record({ type: fc.constant('inv' as const), items: fc.array(fc.record({ id: idHexArb, size: sizeArb, hops: hopsArb }), { maxLength: 6 }) }),
  fc.record({ type: fc.constant('getdata' as const), items: fc.array(fc.record({ id: idHexArb, offset: sizeArb }), { maxLength: 6 }) }),
  fc.record({ type: fc.constant('notfound' as const), ids: fc.array(idHexArb, { maxLength: 6 }) }),
  fc.record({ k: fc.integer({ min: 1, max: 16 }), salt: fc.nat({ max: 0xffffffff }), bits: fc.uint8Array({ minLength: 1, maxLength: 64 }) })
    .map(wire => ({ type: 'summary' as const, filter: BloomFilter.fromWire(wire) as BloomFilter }))
)

// A gzip chunk's data is not checked against its length here (inflation does that), so any bytes do.
const chunkArb: fc.Arbitrary<ChunkFrame> = fc.tuple(idBytesArb, fc.uint8Array({ maxLength: 300 }), fc.nat({ max: 1 << 20 }), hopsArb, fc.boolean(), fc.boolean())
  .chain(([id, data, extra, hops, first, gzip]) => {
    const total = data.length + extra
    const base = { id: Buffer.from(id).toString('hex'), length: data.length + (gzip ? extra % 4096 : 0), total, hops, gzip, data }
    return first
      ? notificationArb(id, total).map(notification => ({ ...base, offset: 0, notification }))
      : fc.nat({ max: extra }).map(offset => ({ ...base, offset: offset + 1 }))
  })

const validFrame = fc.oneof(messageArb.map(encodeMessage), chunkArb.map(encodeChunk))

/** A decoded frame in comparable form: plain objects, bytes as hex, a Bloom filter as its wire fields. */
function comparable (frame: InboundFrame): unknown {
  const value = frame.kind === 'message' && frame.message.type === 'summary' ? frame.message.filter.toWire() : frame
  return JSON.parse(JSON.stringify(value, (_key, v: unknown) => v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v))
}

/**
 * What decodeFrame must honour for any input: a typed result, sizes bounded by the input, and (with
 * `full`) a stable re-encoding.
 */
function checkFrame (bytes: Uint8Array, full = true): InboundFrame {
  const frame = decodeFrame(bytes)
  expect(['message', 'chunk', 'invalid'].includes(frame.kind), `unknown kind ${frame.kind}`)
  if (frame.kind === 'invalid') {
    expect(INVALID_CODES.includes(frame.code), `unknown code ${frame.code}`)
    return frame
  }
  // Allocation bound: every item costs at least 34 bytes of input, data and bits are views or copies of input bytes.
  if (frame.kind === 'chunk') {
    expect(frame.chunk.data.length <= bytes.length && frame.chunk.length <= MAX_CHUNK_BYTES, 'chunk larger than its frame')
    if (full) expect(isDeepStrictEqual(comparable(decodeFrame(encodeChunk(frame.chunk))), comparable(frame)), 'chunk does not survive re-encoding')
  } else {
    const m = frame.message
    const count = m.type === 'notfound' ? m.ids.length : m.type === 'summary' ? m.filter.toWire().bits.length : m.type === 'tree' ? m.graft.length + m.prune.length : m.items.length
    expect(count * (m.type === 'summary' || m.type === 'tree' ? 1 : 34) <= bytes.length, `${m.type} holds more than its frame carried`)
    if (full) expect(isDeepStrictEqual(comparable(decodeFrame(encodeMessage(m))), comparable(frame)), `${m.type} does not survive re-encoding`)
  }
  return frame
}

export const gossipFrame: FuzzTarget = {
  name: 'gossip-frame',
  description: 'decodeFrame on arbitrary and mutated GossipFrames: a message, chunk or invalid code; sizes bounded by the frame; encode(decode(x)) decodes the same; valid frames round-trip',
  files: ['src/gossip/wire.ts', 'protos/gen/sorcha/p2p/v1/tx_gossip.ts', 'protocols/tx-gossip/bloom-filter.ts'],
  wire: true,
  testRuns: 1500,
  property: () => fc.property(fc.oneof(
    decoderInput(validFrame).map(bytes => ({ bytes })),
    messageArb.map(message => ({ message })),
    chunkArb.map(chunk => ({ chunk }))
  ), input => {
    if ('bytes' in input) {
      checkFrame(input.bytes)
    } else if ('message' in input) {
      const frame = checkFrame(encodeMessage(input.message))
      expect(frame.kind === 'message' && isDeepStrictEqual(comparable(frame), comparable({ kind: 'message', message: input.message })), `a valid ${input.message.type} does not round-trip`)
    } else {
      const frame = checkFrame(encodeChunk(input.chunk))
      expect(frame.kind === 'chunk' && isDeepStrictEqual(comparable(frame), comparable({ kind: 'chunk', chunk: input.chunk })), 'a valid chunk does not round-trip')
    }
  }),
  fast: { inputs: decoderInput(validFrame), check: (bytes, full) => { checkFrame(bytes, full) } }
}

/** Cuts `bytes` at the given fractions into consecutive pieces. */
function cut (bytes: Uint8Array, fractions: number[]): Uint8Array[] {
  const points = [...new Set(fractions.map(f => Math.floor(f * bytes.length)))].sort((a, b) => a - b)
  const out: Uint8Array[] = []
  let at = 0
  for (const p of [...points, bytes.length]) {
    if (p > at) out.push(bytes.subarray(at, p))
    at = Math.max(at, p)
  }
  return out
}

const framesArb = fc.array(fc.uint8Array({ maxLength: 200 }), { maxLength: 6 })
const cutsArb = fc.oneof(fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 12 }), fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 40, maxLength: 120 }))
/** A stream: length-prefixed frames, mutated or not, plus prefixes claiming large frames. */
const streamArb = fc.oneof(
  framesArb.map(frames => ({ frames, bytes: encodeFrames(frames) })),
  fc.uint8Array({ minLength: 60, maxLength: 1000 }).map(frame => ({ frames: [frame], bytes: encodeFrames([frame]) })),
  mutated(framesArb.map(encodeFrames)).map(bytes => ({ frames: undefined, bytes })),
  fc.tuple(fc.constantFrom(MAX_FRAME_BYTES, MAX_FRAME_BYTES + 1, 0x0fffffff, 0x10000000, 0xffffffff), fc.uint8Array({ maxLength: 64 }))
    .map(([claim, rest]) => ({ frames: undefined, bytes: Buffer.concat([varint(claim), rest]) }))
)

export const gossipFraming: FuzzTarget = {
  name: 'gossip-framing',
  description: 'FrameDecoder on length-prefixed streams cut at arbitrary points: the same frames as one piece, or FrameTooLargeError; never holds more than the input or a frame',
  files: ['src/gossip/frame-decoder.ts'],
  wire: true,
  testRuns: 1500,
  property: () => fc.property(streamArb, cutsArb, fc.constantFrom(MAX_FRAME_BYTES, 100), ({ frames, bytes }, fractions, max) => {
    const whole = checkFraming(bytes, fractions, max)
    if (frames !== undefined && frames.every(f => f.length <= max)) {
      expect(whole.error === undefined && isDeepStrictEqual(whole.out, frames.filter(f => f.length > 0).map(f => Buffer.from(f).toString('hex'))), 'valid frames do not round-trip')
    }
  }),
  // The frame limit is 100 bytes (oversized prefixes) for inputs of even length, the node's for odd ones.
  fast: { inputs: streamArb.map(s => s.bytes), check: bytes => { checkFraming(bytes, cutsOf(bytes), bytes.length % 2 === 0 ? 100 : MAX_FRAME_BYTES) } }
}

/** What FrameDecoder(max) yields from `pieces`: the frames as hex, and the error's name if it threw; checks what it holds. */
function frameAll (pieces: Uint8Array[], max: number): { out: string[], error?: string } {
  const decoder = new FrameDecoder(max)
  const out: string[] = []
  let fed = 0
  try {
    for (const piece of pieces) {
      fed += piece.length
      for (const frame of decoder.decode(piece)) out.push(Buffer.from(frame).toString('hex'))
      expect(decoder.buffered <= fed && decoder.buffered <= max + 4, `holds ${decoder.buffered} bytes after ${fed} (limit ${max})`)
    }
  } catch (err) {
    expectTypedError(err, ['FrameTooLargeError'], 'FrameDecoder.decode')
    for (const frame of (err as FrameTooLargeError).frames) out.push(Buffer.from(frame).toString('hex'))
    return { out, error: (err as Error).name }
  }
  return { out }
}

/** The framing contract: `bytes` decoded whole and cut at `fractions` give the same frames; returns the whole run. */
function checkFraming (bytes: Uint8Array, fractions: number[], max: number): { out: string[], error?: string } {
  const whole = frameAll([bytes], max)
  expect(isDeepStrictEqual(whole, frameAll(cut(bytes, fractions), max)), 'cutting the stream changed what was decoded')
  return whole
}

/** Cut points drawn from the input itself (the fast mode's inputs are bytes only): a few, or every byte for a short input. */
function cutsOf (bytes: Uint8Array): number[] {
  if (bytes.length === 0) return []
  const first = bytes[0] as number
  if (first % 4 === 0 && bytes.length <= 64) return Array.from({ length: bytes.length }, (_, i) => i / bytes.length)
  return [first / 256, (bytes[bytes.length - 1] as number) / 256, ((first * 31 + bytes.length) % 97) / 97]
}

/** A Stream double with just what readFrames uses: events in, pause/resume/abort recorded. */
class FakeStream extends EventTarget {
  readStatus = 'readable'
  aborted = false
  pause (): void { this.readStatus = 'paused' }
  resume (): void { this.readStatus = 'readable' }
  abort (): void { this.aborted = true }
  async close (): Promise<void> {}
  push (data: Uint8Array): void {
    const event = new Event('message') as Event & { data: Uint8Array }
    event.data = data
    this.dispatchEvent(event)
  }
}

const BEHAVIOURS = ['ok', 'throw', 'defer', 'reject'] as const

export const gossipInboundReader: FuzzTarget = {
  name: 'gossip-inbound-reader',
  description: 'readFrames over a stream of arbitrary pieces with a handler that may throw or defer: frames in order, an oversized prefix aborts the stream once, nothing escapes to the stream',
  files: ['src/gossip/inbound-reader.ts', 'src/gossip/frame-decoder.ts'],
  wire: true,
  testRuns: 300,
  property: () => fc.asyncProperty(streamArb, cutsArb, fc.array(fc.constantFrom(...BEHAVIOURS), { minLength: 1, maxLength: 4 }), async ({ bytes }, fractions, behaviours) => {
    await checkReader(bytes, fractions, behaviours)
  }),
  // The handler's behaviours cycle through all four, starting where the input's length says.
  fast: { inputs: streamArb.map(s => s.bytes), check: async bytes => { await checkReader(bytes, cutsOf(bytes), BEHAVIOURS.map((_, i) => BEHAVIOURS[(i + bytes.length) % BEHAVIOURS.length]!)) } }
}

/** readFrames over `bytes` cut at `fractions`, with a handler behaving as `behaviours` in turn: the frames the framing gives, in order; an oversized prefix aborts once. */
async function checkReader (bytes: Uint8Array, fractions: number[], behaviours: ReadonlyArray<typeof BEHAVIOURS[number]>): Promise<void> {
  const stream = new FakeStream()
  const seen: string[] = []
  let oversized = 0
  let calls = 0
  readFrames(stream as unknown as Stream, frame => {
    seen.push(Buffer.from(frame).toString('hex'))
    const behaviour = behaviours[calls++ % behaviours.length]
    if (behaviour === 'throw') throw new TypeError('handler bug')
    if (behaviour === 'defer') return Promise.resolve()
    if (behaviour === 'reject') return Promise.reject(new Error('handler failed'))
  }, () => { oversized++ }, 100)
  let expected: string[] = []
  let tooLarge = false
  const reference = new FrameDecoder(100)
  for (const piece of cut(bytes, fractions)) {
    try {
      expected.push(...reference.decode(piece).map(f => Buffer.from(f).toString('hex')))
    } catch (err) {
      expected.push(...(err as FrameTooLargeError).frames.map(f => Buffer.from(f).toString('hex')))
      tooLarge = true
      break
    }
  }
  for (const piece of cut(bytes, fractions)) {
    stream.push(piece)
    if (stream.aborted) break
  }
  for (let i = 0; i < 20 && seen.length < expected.length; i++) await new Promise(resolve => setImmediate(resolve))
  if (tooLarge) expected = expected.slice(0, seen.length)
  expect(isDeepStrictEqual(seen, expected), 'frames handed over differ from the framing')
  expect(oversized === (tooLarge ? 1 : 0) && stream.aborted === tooLarge, `oversized called ${oversized} times, aborted ${stream.aborted}, expected ${tooLarge}`)
}

export const gossipAssembly: FuzzTarget = {
  name: 'gossip-assembly',
  description: 'Assemblies under arbitrary append/take/discard sequences: a body is exactly its in-order chunks, out-of-order chunks are dropped, nothing held after take',
  files: ['src/gossip/assembly.ts'],
  wire: false,
  testRuns: 500,
  property: () => fc.property(fc.array(fc.record({
    op: fc.constantFrom('append', 'append', 'append', 'take', 'discard'),
    id: fc.constantFrom('a', 'b', 'c'),
    offset: fc.oneof(fc.constant(-1), fc.nat({ max: 40 })),
    data: fc.uint8Array({ maxLength: 16 })
  }), { maxLength: 40 }), ops => {
    const assemblies = new Assemblies()
    const model = new Map<string, number[]>()
    for (const { op, id, offset, data } of ops) {
      if (op === 'append') {
        const held = model.get(id)
        const at = offset === -1 ? (held?.length ?? 0) : offset
        assemblies.append(id, at, data)
        const body = at === 0 || held === undefined ? [] : held
        if (body.length === at) body.push(...data)
        model.set(id, body)
      } else if (op === 'take') {
        const body = assemblies.take(id)
        const expected = model.get(id)
        model.delete(id)
        expect(isDeepStrictEqual(body === undefined ? undefined : [...body.payload], expected), `take(${id}) is not the in-order chunks`)
      } else {
        assemblies.discard(id)
        model.delete(id)
      }
      expect(assemblies.size === model.size, 'assemblies held differ from the model')
    }
  })
}

const payloadArb = fc.oneof(fc.uint8Array({ maxLength: 600 }), fc.tuple(fc.nat({ max: 255 }), fc.nat({ max: 5000 })).map(([b, n]) => new Uint8Array(n).fill(b)))

export const gossipCompression: FuzzTarget = {
  name: 'gossip-compression',
  description: 'inflateChunk on arbitrary, mutated and bomb gzip with a declared length: exactly that many bytes or DecompressionError, output never above the declared length; compress/inflate round-trips',
  files: ['src/gossip/compression.ts'],
  wire: true,
  testRuns: 200,
  property: () => fc.asyncProperty(
    payloadArb.chain(payload => fc.tuple(fc.constant(payload), fc.constantFrom(0, 1, 64))),
    fc.constantFrom('round-trip', 'mutate', 'lie', 'random'),
    fc.nat({ max: 4096 }),
    fc.uint8Array({ maxLength: 256 }),
    async ([payload, threshold], mode, declared, noise) => {
      const packed = await compressChunk(payload, threshold)
      if (mode === 'round-trip') {
        const out = packed.gzip ? await inflateChunk(packed.data, payload.length) : packed.data
        expect(Buffer.from(out).equals(payload), 'compressed chunk does not round-trip')
        return
      }
      const gz = packed.gzip ? packed.data : (await compressChunk(payload, 1)).data
      const input = mode === 'random' ? noise : mode === 'mutate' ? await mutateOnce(gz, noise) : gz
      const expectedLength = mode === 'lie' ? declared : payload.length
      try {
        const out = await inflateChunk(input, expectedLength)
        expect(out.length === expectedLength, `inflated ${out.length} bytes, declared ${expectedLength}`)
      } catch (err) {
        expectTypedError(err, ['DecompressionError'], 'inflateChunk')
      }
    }),
  // An input is the declared length (2 bytes, big-endian, at most 4,096 + 64) then the gzip data.
  fast: {
    inputs: fc.tuple(payloadArb, fc.oneof(fc.constant(-1), fc.nat({ max: 4096 })), fc.boolean()).map(([payload, lie, bomb]) => {
      const declared = lie === -1 ? Math.min(payload.length, 0xffff) : lie
      const data = bomb ? gzipSync(Buffer.alloc(64 * 1024 + payload.length)) : gzipSync(payload)
      return Buffer.concat([Uint8Array.from([declared >> 8, declared & 0xff]), data])
    }),
    check: async (bytes, full) => {
      const declared = ((bytes[0] ?? 0) << 8 | (bytes[1] ?? 0)) % (4096 + 64 + 1)
      const data = bytes.subarray(2)
      let out: Uint8Array
      try {
        out = await inflateChunk(data, declared)
      } catch (err) {
        expectTypedError(err, ['DecompressionError'], 'inflateChunk')
        return
      }
      expect(out.length === declared, `inflated ${out.length} bytes, declared ${declared}`)
      // What it returns is what gzip holds (zlib's own inflation of the same data).
      if (full) expect(Buffer.from(out).equals(gunzipSync(data)), 'inflated bytes differ from the gzip content')
    }
  }
}

async function mutateOnce (bytes: Uint8Array, noise: Uint8Array): Promise<Uint8Array> {
  const out = Buffer.concat([bytes, noise.subarray(0, (noise[0] ?? 0) % 8)])
  if (noise.length > 2) out[(noise[1] as number) % out.length] = noise[2] as number
  return out
}

export const GOSSIP_TARGETS = [gossipFrame, gossipFraming, gossipInboundReader, gossipAssembly, gossipCompression]
