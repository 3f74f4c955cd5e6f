/** /sorcha/direct/1.0.0 between real nodes: delivery, refusals, limits and lifecycle. */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { multiaddr } from '@multiformats/multiaddr'
import { lpStream } from '@libp2p/utils'
import { DirectAck, DirectEnvelope } from '../../protos/gen/sorcha/p2p/v1/direct.ts'
import { DIRECT_PROTOCOL, directMessaging, type DefaultDirectMessaging, type DirectMessageReceived } from '../../src/direct/index.ts'
import { dialAddrs, startNetwork, type TestNetwork } from '../../src/harness/index.ts'
import type { SorchaNode } from '../../src/node/sorcha-node.ts'
import type { PeerLimits } from '../../src/limits/peer-limits.ts'
import { OffenceLog, recordingReputation } from '../support/attacker.ts'

const directOf = (node: SorchaNode): DefaultDirectMessaging => (node.libp2p.services as unknown as { direct: DefaultDirectMessaging }).direct

describe('direct messages', () => {
  let net: TestNetwork
  let a: SorchaNode
  let b: SorchaNode
  before(async () => {
    net = await startNetwork({ nodes: 2, bootstrap: 'none', contributions: [() => ({ direct: directMessaging({ maxMessageBytes: 1024, timeoutMs: 3_000 }) })] })
    ;[a, b] = net.nodes as [SorchaNode, SorchaNode]
    await a.libp2p.dial(multiaddr(dialAddrs(b)[0]!))
  })
  after(async () => { await net?.stop() })

  it('delivers a message with its sender, topic and payload, acknowledged', async () => {
    const received: DirectMessageReceived[] = []
    directOf(b).addEventListener('direct:message', e => { received.push(e.detail) })
    const sent = await directOf(a).send(b.peerId, 'app/topic:1', new Uint8Array([1, 2, 3]))
    assert.equal(sent.messageId.length, 32)
    assert.equal(received.length, 1)
    assert.equal(received[0]?.fromPeerId, a.peerId.toString())
    assert.equal(received[0]?.messageId, sent.messageId)
    assert.deepEqual([...received[0]!.payload], [1, 2, 3])
  })

  it('refuses bad topics and oversized payloads locally, and reports refusals and unreachable peers', async () => {
    await assert.rejects(directOf(a).send(b.peerId, 'bad topic', new Uint8Array(1)), { name: 'InvalidTopicError' })
    await assert.rejects(directOf(a).send(b.peerId, 't', new Uint8Array(2048)), { name: 'DirectMessageTooLargeError' })
    // A hand-written envelope with an invalid topic: the receiver answers with a refusal.
    const stream = await a.libp2p.dialProtocol(b.peerId, DIRECT_PROTOCOL)
    const lp = lpStream(stream)
    await lp.write(DirectEnvelope.encode({ messageId: 'ab'.repeat(16), topic: 'no spaces allowed', payload: new Uint8Array(0), sentAtMs: 0 }).finish())
    const ack = DirectAck.decode((await lp.read()).subarray())
    assert.deepEqual([ack.accepted, ack.reason], [false, 'invalid_topic'])
    await stream.close()
    const garbage = await a.libp2p.dialProtocol(b.peerId, DIRECT_PROTOCOL)
    const glp = lpStream(garbage)
    await glp.write(new Uint8Array([0xff, 0xff, 0xff]))
    assert.equal(DirectAck.decode((await glp.read()).subarray()).reason, 'malformed')
    await garbage.close()
    const stranger = (await startNetwork({ nodes: 1, bootstrap: 'none' }))
    try {
      await assert.rejects(directOf(a).send(stranger.nodes[0]!.peerId, 't', new Uint8Array(1)), { name: 'DirectDeliveryError' })
    } finally {
      await stranger.stop()
    }
    // Still serving after all that.
    assert.equal((await directOf(a).send(b.peerId, 't', new Uint8Array(1))).messageId.length, 32)
  })

  it('start and stop are idempotent; a stopped service refuses the protocol', async () => {
    const service = directOf(b)
    await service.start()
    assert.ok(service.isStarted())
    await service.stop()
    await service.stop()
    assert.ok(!service.isStarted())
    await assert.rejects(directOf(a).send(b.peerId, 't', new Uint8Array(1)), { name: 'DirectDeliveryError' })
    await service.start()
    assert.equal((await directOf(a).send(b.peerId, 't', new Uint8Array(1))).messageId.length, 32)
  })
})

describe('direct messages: per-peer limits (docs/security.md)', () => {
  it('refuses messages beyond the sender\'s bucket (reason rate_limited), then its streams (stream_storm), reporting each once', async () => {
    const offences = new OffenceLog()
    const net = await startNetwork({
      nodes: 2,
      bootstrap: 'none',
      config: { limits: { direct: { ratePerSec: 0.001, burst: 3 }, streams: { ratePerSec: 0.001, burst: 6 } } },
      contributions: [() => ({ direct: directMessaging({ timeoutMs: 3_000 }) }), recordingReputation(offences)]
    })
    try {
      const [a, b] = net.nodes as [SorchaNode, SorchaNode]
      await a.libp2p.dial(multiaddr(dialAddrs(b)[0]!))
      directOf(b).addEventListener('direct:message', () => {})
      for (let i = 0; i < 3; i++) await directOf(a).send(b.peerId, 't', new Uint8Array(1))
      for (let i = 0; i < 3; i++) await assert.rejects(directOf(a).send(b.peerId, 't', new Uint8Array(1)), { name: 'DirectMessageRejectedError', reason: 'rate_limited' })
      // Seven streams opened: the seventh is refused outright.
      await assert.rejects(directOf(a).send(b.peerId, 't', new Uint8Array(1)), { name: 'DirectDeliveryError' })
      assert.deepEqual(offences.of(b.peerId.toString(), a.peerId.toString()), ['rate_limited', 'stream_storm'])
      const limits = (b.libp2p.services as unknown as { limits: PeerLimits }).limits
      assert.equal(limits.throttled().direct, 3)
      assert.equal(limits.throttled().streams, 1)
    } finally {
      await net.stop()
    }
  })
})
