import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { generateKeyPair } from '@libp2p/crypto/keys'
import type { MessageStream, StreamMessageEvent, Upgrader } from '@libp2p/interface'
import { defaultLogger } from '@libp2p/logger'
import { noise, type NoiseComponents } from '@libp2p/noise'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { multiaddrConnectionPair } from '@libp2p/utils'
import { Uint8ArrayList } from 'uint8arraylist'
import { noiseCrypto } from '../../../src/node/noise-crypto.ts'
import { cheapNoiseReads, readerPatched, uint16BEDecode } from '../../../src/node/noise-reads.ts'

async function components (): Promise<NoiseComponents> {
  const privateKey = await generateKeyPair('Ed25519')
  const upgrader = { getStreamMuxers: () => new Map() } as unknown as Upgrader
  return { privateKey, peerId: peerIdFromPrivateKey(privateKey), logger: defaultLogger(), upgrader }
}

/** Everything `stream` receives, concatenated, once `bytes` have arrived. */
async function receive (stream: MessageStream, bytes: number): Promise<Uint8Array> {
  const got = new Uint8ArrayList()
  return await new Promise(resolve => {
    stream.addEventListener('message', (evt: StreamMessageEvent) => {
      got.append(evt.data)
      if (got.byteLength >= bytes) resolve(got.subarray())
    })
  })
}

describe('Noise reads without an Error per read', () => {
  it('reads lengths like the library\'s reader, and throws one shared RangeError when short', () => {
    assert.equal(uint16BEDecode(new Uint8Array([0x12, 0x34, 0xff])), 0x1234)
    assert.equal(uint16BEDecode(new Uint8ArrayList(new Uint8Array([0xab]), new Uint8Array([0xcd]))), 0xabcd)
    const short = (data: Uint8Array | Uint8ArrayList): unknown => { try { uint16BEDecode(data) } catch (err) { return err } }
    const a = short(new Uint8Array([1]))
    assert.ok(a instanceof RangeError, 'the decoder waits for more bytes only on RangeError')
    assert.equal(short(new Uint8ArrayList()), a, 'the same error each time: no stack captured per read')
  })

  it('patches both ends of a real Noise handshake, and the secured connections carry messages of every size both ways', async () => {
    const [a, b] = await Promise.all([components(), components()])
    const initiator = cheapNoiseReads(noise({ crypto: noiseCrypto }))(a)
    const responder = cheapNoiseReads(noise({ crypto: noiseCrypto }))(b)
    const [outbound, inbound] = multiaddrConnectionPair()
    const [out, inn] = await Promise.all([
      initiator.secureOutbound(outbound, { remotePeer: b.peerId }),
      responder.secureInbound(inbound)
    ])
    assert.ok(readerPatched(out.connection), 'initiator side (a library upgrade that renames the decoder fails here)')
    assert.ok(readerPatched(inn.connection), 'responder side')
    assert.equal(out.remotePeer.toString(), b.peerId.toString())
    // Sizes around the Noise message limit (65,535 bytes with the tag) split into several messages,
    // which the patched reader must find in whatever pieces the socket delivers them.
    const payload = new Uint8Array(200_000).map((_, i) => (i * 31) & 0xff)
    const arrived = receive(inn.connection, payload.length + 3)
    out.connection.send(new Uint8Array([1, 2, 3]))
    out.connection.send(payload)
    const got = await arrived
    assert.deepEqual(got.subarray(0, 3), new Uint8Array([1, 2, 3]))
    assert.ok(Buffer.from(got.subarray(3)).equals(Buffer.from(payload)))
    const back = receive(out.connection, 1)
    inn.connection.send(new Uint8Array([9]))
    assert.deepEqual(await back, new Uint8Array([9]))
    await out.connection.close()
  })
})
