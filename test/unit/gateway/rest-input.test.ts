/**
 * What the REST API accepts, and how it says no: enum values in their one documented spelling (and
 * the older aliases), 400s that name the field and list what is allowed, bytes fields that must be
 * base64 strings, and batches that answer item by item as gRPC's SubmitStream does.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import * as grpc from '@grpc/grpc-js'
import type { Gateway } from '../../../src/gateway/gateway.ts'
import { MemoryBackend } from '../../../src/gateway/memory-backend.ts'
import { txIdOf } from '../../../src/gateway/validate.ts'
import { PeerNode, PeerStatus } from '../../../protocols/models/index.ts'
import { reasonOf, runtimeClients, unary } from '../../helpers/api-clients.ts'
import { OTHER_PEER_ID, startMemoryGateway, TEST_PEER_ID } from '../../helpers/memory-gateway.ts'

const post = (body: unknown): RequestInit => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
type Problem = { status: number, code: string, reason: string, detail: string }

async function problem (response: Response): Promise<Problem> {
  assert.match(response.headers.get('content-type') ?? '', /^application\/problem\+json/)
  return await response.json() as Problem
}

const PEERS = [
  PeerNode.fromPartial({ peerId: TEST_PEER_ID, status: PeerStatus.PEER_STATUS_HEALTHY, score: 90, lastSeenMs: 1 }),
  PeerNode.fromPartial({ peerId: OTHER_PEER_ID, status: PeerStatus.PEER_STATUS_DEGRADED, score: 10, lastSeenMs: 2 })
]

describe('REST input', () => {
  let gw: Gateway
  let url: string
  before(async () => {
    ;({ gateway: gw } = await startMemoryGateway({ rateLimit: { perSecond: 0 } }, new MemoryBackend({ peerId: TEST_PEER_ID, peers: PEERS })))
    url = gw.restUrl
  })
  after(async () => { await gw.stop() })

  it('spells enums as the .proto does, on input and output, and still takes the older spellings', async () => {
    const list = async (query: string): Promise<string[]> => {
      const response = await fetch(`${url}/v1/peers?${query}`)
      assert.equal(response.status, 200, query)
      return (await response.json() as { peers: Array<{ peerId: string, status: string }> }).peers.map(p => `${p.peerId.slice(-4)} ${p.status}`)
    }
    const byScore = [`${TEST_PEER_ID.slice(-4)} PEER_STATUS_HEALTHY`, `${OTHER_PEER_ID.slice(-4)} PEER_STATUS_DEGRADED`]
    assert.deepEqual(await list('orderBy=PEER_ORDER_SCORE'), byScore)
    assert.deepEqual(await list('orderBy=score'), byScore, 'alias')
    assert.deepEqual(await list('orderBy=PEER_ORDER_LAST_SEEN'), [...byScore].reverse())
    assert.deepEqual(await list('orderBy=lastSeen'), [...byScore].reverse(), 'alias')
    assert.deepEqual(await list('status=PEER_STATUS_DEGRADED'), [byScore[1]])
    assert.deepEqual(await list('status=healthy'), [byScore[0]], 'alias')
  })

  it('answers a value outside an enum with 400 naming the field and listing the allowed values', async () => {
    const order = await problem(await fetch(`${url}/v1/peers?orderBy=newest`))
    assert.equal(order.status, 400)
    assert.equal(order.detail, 'orderBy must be one of PEER_ORDER_UNSPECIFIED, PEER_ORDER_LAST_SEEN, PEER_ORDER_SCORE, lastSeen, last-seen, score')
    const status = await problem(await fetch(`${url}/v1/peers?status=sleepy`))
    assert.equal(status.detail, 'status[0] must be one of PEER_STATUS_UNKNOWN, PEER_STATUS_CONNECTING, PEER_STATUS_HEALTHY, PEER_STATUS_DEGRADED, PEER_STATUS_UNREACHABLE, PEER_STATUS_BANNED, unknown, connecting, healthy, degraded, unreachable, banned')
    assert.equal((await fetch(`${url}/v1/peers?limit=1`)).status, 200, 'query strings are still coerced')
  })

  it('gRPC names the allowed values of an enum too', async () => {
    const api = runtimeClients(gw.grpcAddress)
    try {
      const [orderErr] = await unary(api.discovery, 'listPeers', { orderBy: 7 })
      assert.equal(orderErr?.code, grpc.status.INVALID_ARGUMENT)
      assert.equal(reasonOf(orderErr), 'invalid_order')
      assert.equal(orderErr?.details, 'orderBy is 7, not a PeerOrder; allowed: PEER_ORDER_UNSPECIFIED (0), PEER_ORDER_LAST_SEEN (1), PEER_ORDER_SCORE (2)')
      const [statusErr] = await unary(api.discovery, 'listPeers', { status: [2, 9] })
      assert.equal(reasonOf(statusErr), 'invalid_status')
      assert.match(statusErr?.details ?? '', /^status\[1\] is 9, not a PeerStatus; allowed: PEER_STATUS_UNKNOWN \(0\), .* PEER_STATUS_BANNED \(5\)$/)
      const [ok, res] = await unary<{ peers: unknown[] }>(api.discovery, 'listPeers', { orderBy: 'PEER_ORDER_SCORE', status: ['PEER_STATUS_HEALTHY'] })
      assert.equal(ok, null)
      assert.equal(res?.peers.length, 1)
    } finally {
      api.close()
    }
  })

  it('rejects a JSON number (or any non-string) as a base64 payload with 400 naming the field', async () => {
    const cases: Array<[string, unknown, string]> = [
      ['/v1/transactions', { registerId: 'r', payload: 12345678 }, 'payload must be a base64 string, not a number'],
      ['/v1/transactions', { registerId: 'r', payload: [1, 2] }, 'payload must be a base64 string, not an array'],
      ['/v1/transactions', { registerId: 'r', payload: true }, 'payload must be a base64 string, not a boolean'],
      [`/v1/peers/${TEST_PEER_ID}/messages`, { topic: 't', payload: 42 }, 'payload must be a base64 string, not a number']
    ]
    for (const [path, body, detail] of cases) {
      const p = await problem(await fetch(`${url}${path}`, post(body)))
      assert.deepEqual([p.status, p.code, p.reason, p.detail], [400, 'INVALID_ARGUMENT', 'invalid_base64', detail], JSON.stringify(body))
    }
    const flag = await problem(await fetch(`${url}/v1/transactions`, post({ registerId: 'r', payload: 'eA==', rejectDuplicate: 'yes' })))
    assert.equal(flag.detail, 'rejectDuplicate must be boolean, not a string', 'bodies are not coerced')
  })

  it('rejects text that is not base64 (dangling character, mixed alphabets, bad padding, other characters)', async () => {
    for (const payload of ['eA=', 'eEhe-+==', 'eEheA', 'eA==eA==', 'e A=', 'eA===']) {
      const p = await problem(await fetch(`${url}/v1/transactions`, post({ registerId: 'r', payload })))
      assert.deepEqual([p.status, p.reason], [400, 'invalid_base64'], payload)
      assert.match(p.detail, /^payload /, payload)
    }
    for (const payload of ['eA==', 'eA', 'eEhe-_8', 'eEhe+/8=']) {
      const response = await fetch(`${url}/v1/transactions`, post({ registerId: 'r', payload }))
      assert.ok(response.status === 201 || response.status === 200, `${payload}: ${response.status}`)
    }
  })

  it('acknowledges each item of a batch as SubmitStream does, bad items included', async () => {
    const fresh = Buffer.from(`batch ${Date.now()}`).toString('base64')
    const items = [
      { clientRef: 'ok', transaction: { registerId: 'b', payload: fresh } },
      { clientRef: 'dup', transaction: { registerId: 'b', payload: fresh } },
      { clientRef: 'mismatch', transaction: { registerId: 'b', payload: 'eQ==', expectedTxId: '00'.repeat(32) } },
      { clientRef: 'badreg', transaction: { registerId: 'bad id', payload: 'eQ==' } },
      { clientRef: 'empty', transaction: { registerId: 'b', payload: '' } }
    ]
    const restAcks = await submitBatch(url, [...items, { clientRef: 'number', transaction: { registerId: 'b', payload: 7 } }, { clientRef: 'notb64', transaction: { registerId: 'b', payload: 'eA=' } }, { clientRef: 'none' }, 'not an object'])
    // The same submissions over gRPC (the ones protobuf can carry), on a fresh node so "ok" is new there too.
    const { gateway: other } = await startMemoryGateway({ rateLimit: { perSecond: 0 } })
    const grpcAcks = await submitStream(other.grpcAddress, items.map(i => ({ clientRef: i.clientRef, transaction: { ...i.transaction, payload: Buffer.from(i.transaction.payload, 'base64') } })))
    await other.stop()
    const summary = (a: Ack): string => a.error === null || a.error === undefined ? `${a.clientRef} ok duplicate=${String(a.result?.duplicate)}` : `${a.clientRef} ${a.error.code} ${a.error.reason}`
    assert.deepEqual(restAcks.slice(0, items.length).map(summary), grpcAcks.map(summary))
    assert.deepEqual(restAcks.map(summary), [
      'ok ok duplicate=false', 'dup ok duplicate=true', 'mismatch INVALID_ARGUMENT tx_id_mismatch', 'badreg INVALID_ARGUMENT invalid_register_id',
      'empty INVALID_ARGUMENT empty_payload', 'number INVALID_ARGUMENT invalid_base64', 'notb64 INVALID_ARGUMENT invalid_base64',
      'none INVALID_ARGUMENT invalid_request', ' INVALID_ARGUMENT invalid_request'
    ])
    assert.equal(restAcks[0]?.result?.txId, txIdOf(Buffer.from(fresh, 'base64')))
    assert.equal(restAcks[5]?.error?.message, 'transactions[5].transaction.payload must be a base64 string, not a number')
    assert.equal(restAcks[7]?.error?.message, 'transactions[7] needs transaction')
    const envelope = await problem(await fetch(`${url}/v1/transactions/batch`, post({ transactions: 'all of them' })))
    assert.deepEqual([envelope.status, envelope.detail], [400, 'transactions must be array, not a string'])
  })

  it('gives a rate-limited batch item RESOURCE_EXHAUSTED while the others go through', async () => {
    const { gateway: limited } = await startMemoryGateway({ rateLimit: { perSecond: 1, burst: 3 } })
    try {
      const transactions = [1, 2, 3, 4].map(n => ({ clientRef: `n${n}`, transaction: { registerId: 'b', payload: Buffer.from(`limited ${n}`).toString('base64') } }))
      const acks = await submitBatch(limited.restUrl, transactions)
      assert.equal(acks.length, 4)
      const refused = acks.filter(a => a.error?.code === 'RESOURCE_EXHAUSTED')
      assert.ok(refused.length >= 1, 'the request took a token, then each item one')
      assert.ok(acks.some(a => a.error === null && a.result?.duplicate === false))
    } finally {
      await limited.stop()
    }
  })
})

interface Ack { clientRef: string, result?: { txId: string, duplicate: boolean } | null, error?: { code: string, reason: string, message: string } | null }

async function submitBatch (url: string, transactions: unknown[]): Promise<Ack[]> {
  const response = await fetch(`${url}/v1/transactions/batch`, post({ transactions }))
  assert.equal(response.status, 200)
  return (await response.json() as { acks: Ack[] }).acks
}

async function submitStream (address: string, requests: unknown[]): Promise<Ack[]> {
  const api = runtimeClients(address)
  try {
    const call = api.transactions.submitStream() as grpc.ClientDuplexStream<unknown, Ack>
    const acks: Ack[] = []
    const done = new Promise<void>((resolve, reject) => { call.on('data', (a: Ack) => acks.push(a)); call.on('end', resolve); call.on('error', reject) })
    for (const r of requests) call.write(r)
    call.end()
    await done
    // SubmitStream answers as each finishes; order by the requests to compare with the batch.
    const order = requests.map(r => (r as { clientRef: string }).clientRef)
    return acks.sort((a, b) => order.indexOf(a.clientRef) - order.indexOf(b.clientRef))
  } finally {
    api.close()
  }
}
