import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { MultiaddrConnection, Stream } from '@libp2p/interface'
import { multiaddrConnectionPair } from '@libp2p/utils'
import { yamux } from '@libp2p/yamux'
import { halfWindowUpdates } from '../../../src/node/yamux-window.ts'

/** Yamux frame types and flags (the Yamux spec). */
const DATA = 0
const WINDOW_UPDATE = 1
const HEADER_BYTES = 12

/** Counts the window update frames without flags (not a stream's SYN/ACK/FIN/RST) that `conn` receives. */
function countWindowUpdates (conn: MultiaddrConnection): { updates: number } {
  const seen = { updates: 0 }
  let buffered = new Uint8Array(0)
  conn.addEventListener('message', (evt) => {
    const data = evt.data instanceof Uint8Array ? evt.data : evt.data.subarray()
    const joined = new Uint8Array(buffered.length + data.length)
    joined.set(buffered)
    joined.set(data, buffered.length)
    let at = 0
    while (joined.length - at >= HEADER_BYTES) {
      const view = new DataView(joined.buffer, joined.byteOffset + at, HEADER_BYTES)
      const type = view.getUint8(1)
      const flags = view.getUint16(2)
      const length = view.getUint32(8)
      const size = HEADER_BYTES + (type === DATA ? length : 0)
      if (joined.length - at < size) break
      if (type === WINDOW_UPDATE && flags === 0) seen.updates++
      at += size
    }
    buffered = joined.subarray(at)
  })
  return seen
}

/** Sends `messages` messages of `size` bytes on a new stream from client to server; resolves with the bytes the server read. */
async function transfer (messages: number, size: number): Promise<{ received: number, updates: number }> {
  const [outbound, inbound] = multiaddrConnectionPair()
  const counted = countWindowUpdates(outbound)
  const client = yamux({ enableKeepAlive: false })().createStreamMuxer(outbound)
  const server = yamux({ enableKeepAlive: false })().createStreamMuxer(inbound)
  const total = messages * size
  let received = 0
  const done = new Promise<void>((resolve) => {
    server.addEventListener('stream', (evt) => {
      evt.detail.addEventListener('message', (msg) => {
        received += msg.data.byteLength
        if (received >= total) resolve()
      })
    })
  })
  const stream: Stream = await client.createStream()
  for (let i = 0; i < messages; i++) {
    if (!stream.send(new Uint8Array(size).fill(i % 251))) await new Promise(resolve => stream.addEventListener('drain', resolve, { once: true }))
  }
  await done
  // Updates already on their way are counted too.
  await new Promise(resolve => setTimeout(resolve, 20))
  await client.close()
  await server.close()
  return { received, updates: counted.updates }
}

describe('Yamux half-window updates', () => {
  it('is applied to the library\'s streams', async () => {
    assert.equal(await halfWindowUpdates(), true)
  })

  it('sends no window update for small messages that use less than half the window', async () => {
    await halfWindowUpdates()
    // 200 data frames of 100 bytes: the library alone answers each with an update.
    const { received, updates } = await transfer(200, 100)
    assert.equal(received, 20_000)
    assert.equal(updates, 0)
  })

  it('still grants credit for a transfer many windows long, about once per half window', async () => {
    await halfWindowUpdates()
    // 3 MiB in 16 KiB frames (the initial window is 256 KiB): 192 updates unpatched, at most one per 128 KiB here.
    const { received, updates } = await transfer(192, 16 * 1024)
    assert.equal(received, 192 * 16 * 1024)
    assert.ok(updates >= 1, 'the sender got credit beyond its first window')
    assert.ok(updates <= 26, `${updates} window updates for 24 half windows`)
  })
})
