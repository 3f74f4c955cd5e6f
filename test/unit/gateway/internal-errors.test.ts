/**
 * No internal message leaks into a gRPC status or a REST problem: a backend whose every operation
 * fails with a library's bare error (`TypeError: Invalid URL`, what libp2p throws for some peer ids)
 * is answered INTERNAL "internal error" on every RPC and route, and the cause is logged instead.
 */
import assert from 'node:assert/strict'
import { Writable } from 'node:stream'
import { after, before, describe, it } from 'node:test'
import * as grpc from '@grpc/grpc-js'
import type { CallOptions, GatewayBackend } from '../../../src/gateway/backend.ts'
import type { Gateway } from '../../../src/gateway/gateway.ts'
import { MemoryBackend } from '../../../src/gateway/memory-backend.ts'
import { configureLogging } from '../../../src/logging/index.ts'
import { reasonOf, runtimeClients, unary, type DynamicClient } from '../../helpers/api-clients.ts'
import { startMemoryGateway, TEST_PEER_ID } from '../../helpers/memory-gateway.ts'

const LEAK = 'Invalid URL'
const fail = (): never => { throw new TypeError(LEAK) }

/** Every operation throws what a library would: a bare TypeError. */
class BrokenBackend extends MemoryBackend implements GatewayBackend {
  override async nodeInfo (): Promise<never> { return fail() }
  override async networkHealth (): Promise<never> { return fail() }
  override async listPeers (): Promise<never> { return fail() }
  override async getPeer (): Promise<never> { return fail() }
  override async findPeersForRegister (): Promise<never> { return fail() }
  override async ping (): Promise<never> { return fail() }
  override async sendMessage (): Promise<never> { return fail() }
  override async submit (): Promise<never> { return fail() }
  override async getTransaction (): Promise<never> { return fail() }
  // eslint-disable-next-line require-yield
  override async * receiveMessages (_t: string[], _o: CallOptions): AsyncGenerator<never> { fail() }
  // eslint-disable-next-line require-yield
  override subscribe (): AsyncIterable<never> { return (async function * () { fail() })() }
}

/** Collects the statuses a stream call ends with. */
async function streamStatus (call: grpc.ClientReadableStream<unknown> | grpc.ClientDuplexStream<unknown, unknown>): Promise<{ error: grpc.ServiceError | undefined, data: unknown[] }> {
  const data: unknown[] = []
  return await new Promise(resolve => {
    call.on('data', d => { data.push(d) })
    call.on('error', (error: grpc.ServiceError) => { resolve({ error, data }) })
    call.on('end', () => { resolve({ error: undefined, data }) })
  })
}

describe('internal failures', () => {
  let gw: Gateway
  let api: ReturnType<typeof runtimeClients>
  const logged: string[] = []
  before(async () => {
    configureLogging({ level: 'debug', format: 'json', destination: new Writable({ write (chunk: Buffer, _e, done) { logged.push(chunk.toString()); done() } }) })
    ;({ gateway: gw } = await startMemoryGateway({ rateLimit: { perSecond: 0 } }, new BrokenBackend({ peerId: TEST_PEER_ID })))
    api = runtimeClients(gw.grpcAddress)
  })
  after(async () => {
    api.close()
    await gw.stop()
    configureLogging({ level: 'silent', format: 'json' })
  })

  it('every unary RPC answers INTERNAL "internal error"; the cause is logged, not sent', async () => {
    const calls: Array<[DynamicClient, string, unknown]> = [
      [api.discovery, 'getNodeInfo', {}], [api.discovery, 'getNetworkHealth', {}], [api.discovery, 'listPeers', {}],
      [api.discovery, 'getPeer', { peerId: TEST_PEER_ID }], [api.discovery, 'findPeersForRegister', { registerId: 'r' }],
      [api.communication, 'ping', { peerId: TEST_PEER_ID }], [api.communication, 'sendMessage', { peerId: TEST_PEER_ID, topic: 't', payload: Buffer.from('x') }],
      [api.transactions, 'submitTransaction', { registerId: 'r', payload: Buffer.from('x') }]
    ]
    for (const [client, method, request] of calls) {
      const [err] = await unary(client, method, request)
      assert.equal(err?.code, grpc.status.INTERNAL, method)
      assert.equal(err?.details, 'internal error', method)
      assert.equal(reasonOf(err), 'internal', method)
    }
    const lines = logged.filter(l => l.includes('internal failure answered as INTERNAL'))
    assert.ok(lines.some(l => l.includes(LEAK) && l.includes('/sorcha.api.v1.PeerCommunication/Ping')), 'the cause is in the log, with the RPC')
  })

  it('streams end with INTERNAL "internal error", and stream items carry the fixed message', async () => {
    const ends = [
      api.transactions.getTransaction({ txId: 'ab'.repeat(32) }),
      api.transactions.subscribe({}),
      api.communication.receiveMessages({})
    ] as Array<grpc.ClientReadableStream<unknown>>
    for (const call of ends) {
      const { error } = await streamStatus(call)
      assert.equal(error?.code, grpc.status.INTERNAL)
      assert.equal(error?.details, 'internal error')
    }
    const upload = await new Promise<grpc.ServiceError | null>(resolve => {
      const call = api.transactions.uploadTransaction((err: grpc.ServiceError | null) => { resolve(err) }) as grpc.ClientWritableStream<unknown>
      call.write({ header: { registerId: 'r', sizeBytes: 1 } })
      call.write({ chunk: Buffer.from('x') })
      call.end()
    })
    assert.equal(upload?.details, 'internal error')
    const submit = api.transactions.submitStream() as grpc.ClientDuplexStream<unknown, { clientRef: string, error: { code: string, message: string } }>
    const submitted = streamStatus(submit)
    submit.write({ clientRef: 'a', transaction: { registerId: 'r', payload: Buffer.from('x') } })
    submit.end()
    const acks = (await submitted).data as Array<{ clientRef: string, error: { code: string, message: string } }>
    assert.deepEqual(acks.map(a => [a.clientRef, a.error.code, a.error.message]), [['a', 'INTERNAL', 'internal error']])
    const session = api.communication.session() as grpc.ClientDuplexStream<unknown, { result?: { clientRef: string, error: { message: string } } }>
    const sessionDone = streamStatus(session)
    session.write({ send: { clientRef: 's', peerId: TEST_PEER_ID, topic: 't', payload: Buffer.from('x') } })
    session.end()
    const results = (await sessionDone).data as Array<{ result?: { clientRef: string, error: { message: string } } }>
    assert.deepEqual(results.map(r => [r.result?.clientRef, r.result?.error.message]), [['s', 'internal error']])
  })

  it('REST routes answer 500 problem+json "internal error"', async () => {
    const json = { 'content-type': 'application/json' }
    const requests: Array<[string, RequestInit]> = [
      ['/v1/node', {}], ['/v1/health', {}], ['/v1/peers', {}], [`/v1/peers/${TEST_PEER_ID}`, {}], ['/v1/registers/r/peers', {}],
      [`/v1/peers/${TEST_PEER_ID}/ping`, { method: 'POST' }],
      [`/v1/peers/${TEST_PEER_ID}/messages`, { method: 'POST', headers: json, body: JSON.stringify({ topic: 't', payload: 'eA==' }) }],
      ['/v1/transactions', { method: 'POST', headers: json, body: JSON.stringify({ registerId: 'r', payload: 'eA==' }) }],
      [`/v1/transactions/${'ab'.repeat(32)}`, {}]
    ]
    for (const [path, init] of requests) {
      const response = await fetch(`${gw.restUrl}${path}`, init)
      assert.equal(response.status, 500, path)
      assert.match(response.headers.get('content-type') ?? '', /^application\/problem\+json/)
      const problem = await response.json() as { detail: string, code: string }
      assert.deepEqual([problem.code, problem.detail], ['INTERNAL', 'internal error'], path)
    }
  })
})
