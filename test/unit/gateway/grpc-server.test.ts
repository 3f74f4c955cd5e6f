import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { after, before, describe, it } from 'node:test'
import * as grpc from '@grpc/grpc-js'
import { loadSync } from '@grpc/proto-loader'
import { protoPath as healthProto } from 'grpc-health-check'
import type { CallOptions } from '../../../src/gateway/backend.ts'
import type { Gateway } from '../../../src/gateway/gateway.ts'
import { MemoryBackend } from '../../../src/gateway/memory-backend.ts'
import { txIdOf } from '../../../src/gateway/validate.ts'
import { reasonOf, runtimeClients, unary, type DynamicClient } from '../../helpers/api-clients.ts'
import { OTHER_PEER_ID, startMemoryGateway, TEST_PEER_ID } from '../../helpers/memory-gateway.ts'

/** A backend whose ping waits until its signal fires, to observe deadlines. */
class SlowBackend extends MemoryBackend {
  /** Resolves with the reason the server aborted the last ping with. */
  aborted: Promise<unknown> = new Promise(() => {})
  override async ping (_peerId: string, options?: CallOptions): Promise<number> {
    let seen: (reason: unknown) => void = () => {}
    this.aborted = new Promise(resolve => { seen = resolve })
    return await new Promise((_resolve, reject) => {
      options?.signal?.addEventListener('abort', () => { seen(options.signal?.reason); reject(options.signal?.reason as Error) })
    })
  }
}

const KiB = 1024

describe('gRPC server (in-memory backend)', () => {
  let gw: Gateway
  let backend: SlowBackend
  let api: ReturnType<typeof runtimeClients>
  before(async () => {
    backend = new SlowBackend({ peerId: TEST_PEER_ID, maxTransactionBytes: 200 * KiB })
    ;({ gateway: gw } = await startMemoryGateway({ maxMessageBytes: 64 * KiB, rateLimit: { perSecond: 0 } }, backend))
    api = runtimeClients(gw.grpcAddress)
  })
  after(async () => { api.close(); await gw.stop() })

  it('serves node info, and submits with duplicate detection and ALREADY_EXISTS on request', async () => {
    const [err, info] = await unary(api.discovery, 'getNodeInfo', {})
    assert.equal(err, null)
    assert.equal(info?.peerId, TEST_PEER_ID)
    const payload = Buffer.from('tx one')
    const [e1, r1] = await unary(api.transactions, 'submitTransaction', { registerId: 'reg', payload })
    assert.equal(e1, null)
    assert.deepEqual(r1, { txId: txIdOf(payload), duplicate: false, sizeBytes: 6, state: 'TRANSACTION_STATE_UNSPECIFIED' }, 'the memory backend keeps no state')
    const [, r2] = await unary(api.transactions, 'submitTransaction', { registerId: 'reg', payload })
    assert.equal(r2?.duplicate, true)
    const [e3] = await unary(api.transactions, 'submitTransaction', { registerId: 'reg', payload, rejectDuplicate: true })
    assert.equal(e3?.code, grpc.status.ALREADY_EXISTS)
    assert.equal(reasonOf(e3), 'duplicate')
  })

  it('answers INVALID_ARGUMENT with a reason for bad fields, malformed bytes and oversized messages', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ registerId: 'bad id', payload: Buffer.from('x') }, 'invalid_register_id'],
      [{ registerId: 'reg', payload: Buffer.alloc(0) }, 'empty_payload'],
      [{ registerId: 'reg', payload: Buffer.from('x'), expectedTxId: '00'.repeat(32) }, 'tx_id_mismatch'],
      [{ registerId: 'reg', payload: Buffer.from('x'), contentType: 'not a type' }, 'invalid_content_type'],
      [{ registerId: 'reg', payload: Buffer.alloc(100 * KiB) }, 'message_too_large']
    ]
    for (const [request, reason] of cases) {
      const [err] = await unary(api.transactions, 'submitTransaction', request)
      assert.equal(err?.code, grpc.status.INVALID_ARGUMENT, reason)
      assert.equal(reasonOf(err), reason)
    }
    const raw = new grpc.Client(gw.grpcAddress, grpc.credentials.createInsecure())
    const err = await new Promise<grpc.ServiceError | null>(resolve => {
      raw.makeUnaryRequest('/sorcha.api.v1.TransactionDistribution/SubmitTransaction', (b: Buffer) => b, (b: Buffer) => b, Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]), (e) => { resolve(e) })
    })
    raw.close()
    assert.equal(err?.code, grpc.status.INVALID_ARGUMENT)
    assert.equal(reasonOf(err), 'malformed')
    const [ok] = await unary(api.discovery, 'getNodeInfo', {})
    assert.equal(ok, null, 'still serving')
  })

  it('answers NOT_FOUND and UNAVAILABLE, and honours deadlines by aborting the backend', async () => {
    const [e1] = await unary(api.discovery, 'getPeer', { peerId: OTHER_PEER_ID })
    assert.equal(e1?.code, grpc.status.NOT_FOUND)
    const [e2] = await unary(api.communication, 'sendMessage', { peerId: OTHER_PEER_ID, topic: 't', payload: Buffer.from('x') })
    assert.equal(e2?.code, grpc.status.UNAVAILABLE)
    assert.equal(reasonOf(e2), 'peer_unreachable')
    const [e3] = await unary(api.communication, 'ping', { peerId: TEST_PEER_ID }, { deadlineMs: 200 })
    assert.equal(e3?.code, grpc.status.DEADLINE_EXCEEDED)
    // The server aborts the backend call when the deadline passes (awaited, not slept on: on a busy
    // machine the server may see the deadline after the client does).
    assert.equal((await backend.aborted as Error | undefined)?.name, 'DeadlineExceededError')
  })

  it('uploads a large transaction in chunks and streams it back in chunks', async () => {
    const payload = Buffer.alloc(150 * KiB, 7)
    payload.write('unique upload')
    const result = await new Promise<Record<string, unknown>>((resolve, reject) => {
      const call = api.transactions.uploadTransaction((err: Error | null, res: Record<string, unknown>) => { if (err === null) resolve(res); else reject(err) })
      call.write({ header: { registerId: 'reg', sizeBytes: payload.length, contentType: 'application/octet-stream', expectedTxId: txIdOf(payload) } })
      for (let off = 0; off < payload.length; off += 50 * KiB) call.write({ chunk: payload.subarray(off, off + 50 * KiB) })
      call.end()
    })
    assert.equal(result.txId, txIdOf(payload))
    const parts: Array<Record<string, any>> = [] // eslint-disable-line @typescript-eslint/no-explicit-any
    for await (const part of api.transactions.getTransaction({ txId: result.txId, chunkBytes: 32 * KiB })) parts.push(part)
    assert.equal(parts[0]?.header?.totalChunks, 5)
    assert.equal(parts.length, 6)
    assert.deepEqual(Buffer.concat(parts.slice(1).map(p => p.chunk.data as Buffer)), payload)
    const missing = api.transactions.getTransaction({ txId: 'ab'.repeat(32) })
    await assert.rejects(async () => { for await (const _ of missing) { /* nothing */ } }, (e: grpc.ServiceError) => e.code === grpc.status.NOT_FOUND)
    const bad = await new Promise<grpc.ServiceError>(resolve => {
      const call = api.transactions.uploadTransaction((err: grpc.ServiceError) => { resolve(err) })
      call.write({ chunk: Buffer.from('no header') })
      call.end()
    })
    assert.equal(bad.code, grpc.status.INVALID_ARGUMENT)
    assert.equal(reasonOf(bad), 'missing_header')
  })

  it('acknowledges each item of a SubmitStream, errors included, and feeds subscriptions', async () => {
    const sub = api.transactions.subscribe({ registerIds: ['streamed'] })
    const seen: string[] = []
    sub.on('data', (d: { transaction?: { txId: string } }) => { if (d.transaction !== undefined) seen.push(d.transaction.txId) })
    sub.on('error', () => {})
    await new Promise(resolve => setTimeout(resolve, 100))
    const call = api.transactions.submitStream() as grpc.ClientDuplexStream<unknown, { clientRef: string, result?: { txId: string }, error?: { code: string, reason: string } }>
    const acks: Array<{ clientRef: string, result?: { txId: string }, error?: { code: string, reason: string } }> = []
    const done = new Promise<void>(resolve => { call.on('data', a => { acks.push(a) }); call.on('end', resolve) })
    for (let i = 0; i < 20; i++) call.write({ clientRef: `c${i}`, transaction: { registerId: 'streamed', payload: Buffer.from(`stream ${i}`) } })
    call.write({ clientRef: 'bad', transaction: { registerId: '!', payload: Buffer.from('x') } })
    call.end()
    await done
    assert.equal(acks.length, 21)
    assert.deepEqual(acks.find(a => a.clientRef === 'bad')?.error, { code: 'INVALID_ARGUMENT', reason: 'invalid_register_id', message: acks.find(a => a.clientRef === 'bad')?.error?.['message' as 'code'] })
    assert.equal(acks.filter(a => a.result != null).length, 20)
    while (seen.length < 20) await new Promise(resolve => setTimeout(resolve, 20))
    sub.cancel()
    assert.deepEqual(new Set(seen), new Set(acks.filter(a => a.result).map(a => a.result?.txId)))
  })

  it('runs a direct-message session: sends get results, incoming messages arrive on the same stream', async () => {
    const call = api.communication.session() as grpc.ClientDuplexStream<unknown, Record<string, any>> // eslint-disable-line @typescript-eslint/no-explicit-any
    const got: Array<Record<string, any>> = [] // eslint-disable-line @typescript-eslint/no-explicit-any
    call.on('data', d => { got.push(d) })
    call.on('error', () => {})
    call.write({ open: { topics: ['chat'] } })
    await new Promise(resolve => setTimeout(resolve, 50))
    call.write({ send: { clientRef: 'a', peerId: TEST_PEER_ID, topic: 'chat', payload: Buffer.from('loop') } })
    call.write({ send: { clientRef: 'b', peerId: TEST_PEER_ID, topic: 'other', payload: Buffer.from('filtered out') } })
    call.write({ send: { clientRef: 'c', peerId: TEST_PEER_ID, topic: 'bad topic!', payload: Buffer.from('x') } })
    while (got.filter(g => g.result).length < 3 || !got.some(g => g.message)) await new Promise(resolve => setTimeout(resolve, 20))
    call.end()
    const messages = got.filter(g => g.message).map(g => g.message)
    assert.deepEqual(messages.map(m => [m.topic, Buffer.from(m.payload).toString()]), [['chat', 'loop']])
    assert.equal(got.find(g => g.result?.clientRef === 'c')?.result.error.reason, 'invalid_topic')
    assert.ok(got.find(g => g.result?.clientRef === 'a')?.result.messageId.length === 32)
  })

  it('serves grpc.health.v1 and server reflection', async () => {
    const health = (grpc.loadPackageDefinition(loadSync(healthProto, { enums: String })) as any).grpc.health.v1 // eslint-disable-line @typescript-eslint/no-explicit-any
    const client = new health.Health(gw.grpcAddress, grpc.credentials.createInsecure()) as DynamicClient
    const [err, res] = await unary(client, 'check', { service: 'sorcha.api.v1.TransactionDistribution' })
    assert.equal(err, null)
    assert.equal(res?.status, 'SERVING')
    client.close()
    const reflectionProto = createRequire(import.meta.url).resolve('@grpc/reflection/build/proto/grpc/reflection/v1/reflection.proto')
    const reflection = (grpc.loadPackageDefinition(loadSync(reflectionProto)) as any).grpc.reflection.v1 // eslint-disable-line @typescript-eslint/no-explicit-any
    const rc = new reflection.ServerReflection(gw.grpcAddress, grpc.credentials.createInsecure())
    const call = rc.serverReflectionInfo()
    const answer = await new Promise<{ listServicesResponse: { service: Array<{ name: string }> } }>(resolve => { call.on('data', resolve); call.write({ listServices: '' }) })
    call.end()
    rc.close()
    const names = answer.listServicesResponse.service.map(s => s.name)
    for (const name of ['sorcha.api.v1.PeerDiscovery', 'sorcha.api.v1.PeerCommunication', 'sorcha.api.v1.TransactionDistribution']) assert.ok(names.includes(name), name)
  })
})

describe('gRPC server security', () => {
  it('requires the token when configured (UNAUTHENTICATED) and rate-limits per client (RESOURCE_EXHAUSTED)', async () => {
    const { gateway } = await startMemoryGateway({ token: 's3cret', rateLimit: { perSecond: 1, burst: 3 } })
    const api = runtimeClients(gateway.grpcAddress)
    try {
      const [e1] = await unary(api.discovery, 'getNodeInfo', {})
      assert.equal(e1?.code, grpc.status.UNAUTHENTICATED)
      assert.equal(reasonOf(e1), 'token_missing')
      const bad = new grpc.Metadata()
      bad.set('authorization', 'Bearer wrong')
      const [e2] = await unary(api.discovery, 'getNodeInfo', {}, { metadata: bad })
      assert.equal(reasonOf(e2), 'token_invalid')
      const good = new grpc.Metadata()
      good.set('authorization', 'Bearer s3cret')
      const results = []
      for (let i = 0; i < 5; i++) results.push((await unary(api.discovery, 'getNodeInfo', {}, { metadata: good }))[0])
      assert.equal(results.filter(e => e === null).length >= 2, true)
      const limited = results.find(e => e !== null)
      assert.equal(limited?.code, grpc.status.RESOURCE_EXHAUSTED)
      assert.equal(reasonOf(limited ?? null), 'rate_limited')
    } finally {
      api.close()
      await gateway.stop()
    }
  })
})
