import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { Stream } from '@libp2p/interface'
import { pino } from 'pino'
import { toHex } from '../../../protocols/models/index.ts'
import type { GossipMessage } from '../../../protocols/tx-gossip/index.ts'
import { FrameDecoder } from '../../../src/gossip/frame-decoder.ts'
import { DEFAULT_MAX_INFLIGHT_PER_SOURCE } from '../../../protocols/tx-gossip/constants.ts'
import { MAX_PUSHED_JOBS_PER_PEER, MAX_SERVE_JOBS_PER_PEER } from '../../../src/gossip/constants.ts'
import { PeerChannel, type ChunkProduction, type PeerChannelInit, type ServeJob } from '../../../src/gossip/peer-channel.ts'
import { txIdOf } from '../../../src/gossip/store/tx-store.ts'
import { decodeFrame, encodeMessage } from '../../../src/gossip/wire.ts'

const id = (n: number): string => toHex(txIdOf(new Uint8Array([n])))
const turn = async (): Promise<void> => { await new Promise(resolve => setImmediate(resolve)) }

/** A stand-in for a libp2p stream (unit level): records writes, optionally refuses more until drained. */
class FakeStream extends EventTarget {
  writes: Uint8Array[] = []
  writeStatus = 'writable'
  full = false
  send (data: Uint8Array): boolean {
    this.writes.push(data)
    return !this.full
  }

  drain (): void {
    this.full = false
    this.dispatchEvent(new Event('drain'))
  }

  abort (): void { this.writeStatus = 'closed' }
  async close (): Promise<void> { this.writeStatus = 'closed' }

  /** The frames of one write, decoded. */
  frames (write: number): ReturnType<typeof decodeFrame>[] {
    return new FrameDecoder().decode(this.writes[write]!).map(decodeFrame)
  }
}

function channel (stream: FakeStream, produce: (job: ServeJob) => ChunkProduction = () => undefined, over: Partial<PeerChannelInit> = {}): PeerChannel {
  return new PeerChannel({
    open: async () => stream as unknown as Stream,
    produce,
    encode: encodeMessage,
    maxItemsPerMessage: 3,
    timeoutMs: 5000,
    onSent: () => {},
    log: pino({ level: 'silent' }),
    ...over
  })
}

/** A chunk frame stand-in: its bytes encode a notfound naming the job, so tests can tell chunks apart. */
const chunkFor = (job: ServeJob): Uint8Array => encodeMessage({ type: 'notfound', ids: [job.id] })

describe('PeerChannel', () => {
  it('sends what one turn queued as one write, merging consecutive announcements up to the item limit', async () => {
    const stream = new FakeStream()
    const out = channel(stream)
    const inv = (n: number): GossipMessage => ({ type: 'inv', items: [{ id: id(n), size: 512, hops: 2 }] })
    for (const n of [1, 2, 3, 4]) out.sendControl(inv(n))
    out.sendControl({ type: 'getdata', items: [{ id: id(9), offset: 0 }] })
    out.sendControl(inv(5))
    assert.equal(stream.writes.length, 0) // nothing before the turn ends
    await turn()
    await turn()
    assert.equal(stream.writes.length, 1)
    const messages = stream.frames(0).map(f => f.kind === 'message' ? f.message : undefined)
    assert.deepEqual(messages, [
      { type: 'inv', items: [1, 2, 3].map(n => ({ id: id(n), size: 512, hops: 2 })) },
      inv(4),
      { type: 'getdata', items: [{ id: id(9), offset: 0 }] },
      inv(5)
    ])
  })

  it('puts small bodies in the same write after the control frames, and a large chunk in a write of its own', async () => {
    const stream = new FakeStream()
    const produce = (job: ServeJob): ChunkProduction => {
      job.done = true
      return job.id === id(7) ? new Uint8Array(70_000) : chunkFor(job)
    }
    const out = channel(stream, produce)
    out.sendControl({ type: 'notfound', ids: [id(1)] })
    for (const n of [2, 3, 7, 4]) out.serve({ id: id(n), offset: 0, hops: 1, done: false })
    for (let i = 0; i < 4; i++) await turn()
    assert.equal(stream.writes.length, 2)
    assert.equal(stream.frames(0).length, 4) // control + bodies 2, 3 + the large chunk 7 that ends the write
    assert.deepEqual(stream.frames(1), [{ kind: 'message', message: { type: 'notfound', ids: [id(4)] } }])
  })

  it('writes the control frames before waiting for a body that is not ready, and never asks for a chunk twice at once', async () => {
    const stream = new FakeStream()
    let release: (() => void) | undefined
    let calls = 0
    const produce = (job: ServeJob): ChunkProduction => {
      calls++
      return new Promise(resolve => { release = () => { job.done = true; resolve(chunkFor(job)) } })
    }
    const out = channel(stream, produce)
    out.serve({ id: id(1), offset: 0, hops: 1, done: false })
    out.sendControl({ type: 'notfound', ids: [id(2)] })
    await turn()
    await turn()
    assert.equal(stream.writes.length, 1)
    out.sendControl({ type: 'notfound', ids: [id(3)] })
    await turn()
    assert.equal(calls, 1)
    release?.()
    for (let i = 0; i < 3; i++) await turn()
    assert.deepEqual(stream.writes.map((_, w) => stream.frames(w).length), [1, 1, 1])
    assert.deepEqual(stream.frames(1), [{ kind: 'message', message: { type: 'notfound', ids: [id(1)] } }])
    assert.equal(calls, 1)
  })

  it('waits for drain when the stream pushes back, and bounds what it queues', async () => {
    const stream = new FakeStream()
    stream.full = true
    const out = channel(stream)
    out.sendControl({ type: 'notfound', ids: [id(1)] })
    await turn()
    await turn()
    out.sendControl({ type: 'getdata', items: [{ id: id(2), offset: 0 }] })
    await turn()
    assert.equal(stream.writes.length, 1)
    stream.drain()
    await turn()
    assert.equal(stream.writes.length, 2)
    const big = { type: 'summary', filter: { bits: new Uint8Array(5 * 1024 * 1024) } } as unknown as GossipMessage
    assert.equal(out.sendControl(big), false)
    out.close()
    assert.equal(out.sendControl({ type: 'notfound', ids: [id(3)] }), false)
  })

  it('keeps room for requested bodies that pushes cannot take', () => {
    const out = channel(new FakeStream())
    const job = (n: number): ServeJob => ({ id: id(n % 256), offset: 0, hops: 1, done: false })
    let n = 0
    while (out.serve(job(n))) n++
    assert.equal(n, MAX_PUSHED_JOBS_PER_PEER) // pushes stop at their share
    assert.equal(out.serve(job(n), true), true) // a request still fits
    n++
    while (out.serve(job(n), true)) n++
    assert.equal(n, MAX_SERVE_JOBS_PER_PEER) // requests stop at the whole queue
    assert.equal(out.backlog, MAX_SERVE_JOBS_PER_PEER)
    assert.ok(MAX_SERVE_JOBS_PER_PEER - MAX_PUSHED_JOBS_PER_PEER >= DEFAULT_MAX_INFLIGHT_PER_SOURCE, 'an honest peer asks for up to maxInflightPerSource at once')
    out.close()
  })
})
