/**
 * Regression (issue 16): a direct message is acknowledged `accepted` only when an app on the
 * recipient node received it: an in-process listener, or a gateway stream (ReceiveMessages, Session,
 * SSE) that took it. Otherwise the sender gets reason no_listener: DirectMessageRejectedError in the
 * node API, FAILED_PRECONDITION no_listener through the gateway (REST 409).
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type * as grpc from '@grpc/grpc-js'
import { multiaddr } from '@multiformats/multiaddr'
import { SorchaClient } from '../../src/client/index.ts'
import { directContribution, type DefaultDirectMessaging } from '../../src/direct/index.ts'
import { startGateway, type Gateway } from '../../src/gateway/index.ts'
import { dialAddrs, startNetwork, type TestNetwork } from '../../src/harness/index.ts'
import type { SorchaNode } from '../../src/node/sorcha-node.ts'
import { readSse, reasonOf, runtimeClients, unary, until } from '../helpers/api-clients.ts'

const directOf = (node: SorchaNode): DefaultDirectMessaging => (node.libp2p.services as unknown as { direct: DefaultDirectMessaging }).direct
const bytes = (text: string): Uint8Array => new TextEncoder().encode(text)

describe('direct messages are acknowledged only when an app received them', () => {
  let net: TestNetwork
  let a: SorchaNode
  let b: SorchaNode
  let ga: Gateway
  let gb: Gateway
  before(async () => {
    net = await startNetwork({ nodes: 2, bootstrap: 'none', contributions: [directContribution], config: { gateway: { enabled: true, grpc: { port: 0 }, rest: { port: 0 }, rateLimit: { perSecond: 0 } } } })
    ;[a, b] = net.nodes as [SorchaNode, SorchaNode]
    await a.libp2p.dial(multiaddr(dialAddrs(b)[0]!))
    ga = await startGateway(a)
    gb = await startGateway(b)
  })
  after(async () => {
    await Promise.all([ga?.stop(), gb?.stop()])
    await net?.stop()
  })

  it('node API: no_listener without an app, or when only other topics are wanted, or the app cannot take it', async () => {
    await assert.rejects(directOf(a).send(b.peerId, 'nobody', bytes('1')), { name: 'DirectMessageRejectedError', reason: 'no_listener' })
    const taken: string[] = []
    const removeOther = directOf(b).addReceiver({ topics: new Set(['other']), deliver: async m => { taken.push(m.topic); return true } })
    await assert.rejects(directOf(a).send(b.peerId, 'nobody', bytes('2')), { name: 'DirectMessageRejectedError', reason: 'no_listener' })
    const removeFull = directOf(b).addReceiver({ topics: new Set(['full']), deliver: async () => false })
    await assert.rejects(directOf(a).send(b.peerId, 'full', bytes('3')), { name: 'DirectMessageRejectedError', reason: 'no_listener' })
    const sent = await directOf(a).send(b.peerId, 'other', bytes('4'))
    assert.equal(sent.messageId.length, 32)
    assert.deepEqual(taken, ['other'])
    removeOther()
    removeFull()
    await assert.rejects(directOf(a).send(b.peerId, 'other', bytes('5')), { name: 'DirectMessageRejectedError', reason: 'no_listener' })
  })

  it('gateway: FAILED_PRECONDITION no_listener (REST 409) until an app streams the topic; then accepted, and the app has it', async () => {
    const target = b.peerId.toString()
    const apiA = runtimeClients(ga.grpcAddress)
    const apiB = runtimeClients(gb.grpcAddress)
    const client = new SorchaClient({ endpoints: { rest: ga.restUrl } })
    try {
      const [err] = await unary(apiA.communication, 'sendMessage', { peerId: target, topic: 'app.chat', payload: Buffer.from('hello?') })
      assert.equal(err?.code, 9)
      assert.equal(reasonOf(err), 'no_listener')
      assert.equal(err?.details, `no app on peer ${target} is receiving direct messages on topic app.chat; the message was not delivered`)
      const rest = await fetch(`${ga.restUrl}/v1/peers/${target}/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ topic: 'app.chat', payload: 'aGk=' }) })
      assert.equal(rest.status, 409)
      assert.deepEqual(Object.entries(await rest.json() as Record<string, unknown>).filter(([k]) => k === 'code' || k === 'reason'), [['code', 'FAILED_PRECONDITION'], ['reason', 'no_listener']])
      await assert.rejects(client.sendMessage(target, 'app.chat', bytes('x')), { name: 'FailedPreconditionError', reason: 'no_listener' })

      // An app on B streams the topic over gRPC: the message is acknowledged and arrives there.
      const got: Array<{ payload: Buffer }> = []
      const stream = apiB.communication.receiveMessages({ topics: ['app.chat'] }) as grpc.ClientReadableStream<{ payload: Buffer }>
      stream.on('data', (m: { payload: Buffer }) => { got.push(m) })
      stream.on('error', () => {})
      await until(async () => (await unary(apiA.communication, 'sendMessage', { peerId: target, topic: 'app.chat', payload: Buffer.from('hello B') }))[0] === null)
      await until(() => got.some(m => m.payload.toString() === 'hello B'))
      stream.cancel()
      await until(async () => reasonOf((await unary(apiA.communication, 'sendMessage', { peerId: target, topic: 'app.chat', payload: Buffer.from('gone') }))[0]) === 'no_listener')

      // The same with an SSE stream and with a session.
      const sse = await fetch(`${gb.restUrl}/v1/messages/stream?topic=sse.topic`)
      const reading = readSse(sse.body!, events => events.length >= 1)
      await until(async () => (await unary(apiA.communication, 'sendMessage', { peerId: target, topic: 'sse.topic', payload: Buffer.from('via sse') }))[0] === null)
      assert.equal(Buffer.from((JSON.parse((await reading)[0]!.data) as { payload: string }).payload, 'base64').toString(), 'via sse')
      const session = apiB.communication.session()
      const sessionGot: string[] = []
      session.on('data', (r: { message?: { payload: Buffer } }) => { if (r.message !== undefined) sessionGot.push(r.message.payload.toString()) })
      session.on('error', () => {})
      session.write({ open: { topics: ['in.session'] } })
      await until(async () => (await unary(apiA.communication, 'sendMessage', { peerId: target, topic: 'in.session', payload: Buffer.from('via session') }))[0] === null)
      await until(() => sessionGot.includes('via session'))
      session.end()
    } finally {
      client.close()
      apiA.close()
      apiB.close()
    }
  })
})
