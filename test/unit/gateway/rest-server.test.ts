import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import SwaggerParser from '@apidevtools/swagger-parser'
import type { Gateway } from '../../../src/gateway/gateway.ts'
import { MemoryBackend } from '../../../src/gateway/memory-backend.ts'
import { registeredRoutes } from '../../../src/gateway/rest/server.ts'
import { txIdOf } from '../../../src/gateway/validate.ts'
import { readSse } from '../../helpers/api-clients.ts'
import { OTHER_PEER_ID, startMemoryGateway, TEST_PEER_ID } from '../../helpers/memory-gateway.ts'

const KiB = 1024
const json = (body: unknown): RequestInit => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })

describe('REST server (in-memory backend)', () => {
  let gw: Gateway
  let url: string
  before(async () => {
    ;({ gateway: gw } = await startMemoryGateway({ maxMessageBytes: 64 * KiB, rateLimit: { perSecond: 0 } }, new MemoryBackend({ peerId: TEST_PEER_ID, maxTransactionBytes: 200 * KiB })))
    url = gw.restUrl
  })
  after(async () => { await gw.stop() })

  it('serves an OpenAPI document that passes the validator and lists every route', async () => {
    const response = await fetch(`${url}/openapi.json`)
    assert.equal(response.status, 200)
    const doc = await response.json() as { paths: Record<string, Record<string, unknown>> }
    await SwaggerParser.validate(structuredClone(doc) as never)
    const routes = registeredRoutes(gw.rest!.fastify!).filter(r => !r.hidden && r.method !== 'HEAD')
    assert.ok(routes.length >= 15)
    for (const route of routes) {
      const path = route.url.replace(/:([A-Za-z]+)/g, '{$1}')
      assert.ok(doc.paths[path]?.[route.method.toLowerCase()] !== undefined, `${route.method} ${route.url} missing from /openapi.json`)
    }
  })

  it('submits (201 new, 200 duplicate, 409 on request) and fetches as JSON and raw bytes', async () => {
    const payload = Buffer.from('rest tx')
    const r1 = await fetch(`${url}/v1/transactions`, json({ registerId: 'reg', payload: payload.toString('base64'), contentType: 'text/plain' }))
    assert.equal(r1.status, 201)
    assert.deepEqual(await r1.json(), { txId: txIdOf(payload), duplicate: false, sizeBytes: payload.length, state: 'TRANSACTION_STATE_UNSPECIFIED' }, 'the memory backend keeps no state')
    const r2 = await fetch(`${url}/v1/transactions`, json({ registerId: 'reg', payload: payload.toString('base64') }))
    assert.equal(r2.status, 200)
    const r3 = await fetch(`${url}/v1/transactions`, json({ registerId: 'reg', payload: payload.toString('base64'), rejectDuplicate: true }))
    assert.equal(r3.status, 409)
    assert.equal((await r3.json() as { code: string }).code, 'ALREADY_EXISTS')
    const got = await (await fetch(`${url}/v1/transactions/${txIdOf(payload)}`)).json() as { header: { contentType: string }, payload: string }
    assert.equal(got.header.contentType, 'text/plain')
    assert.equal(Buffer.from(got.payload, 'base64').toString(), 'rest tx')
    const raw = await fetch(`${url}/v1/transactions/${txIdOf(payload)}/payload`)
    assert.equal(raw.headers.get('content-type'), 'text/plain')
    assert.equal(await raw.text(), 'rest tx')
    const missing = await fetch(`${url}/v1/transactions/${'ab'.repeat(32)}`)
    assert.equal(missing.status, 404)
  })

  it('accepts a raw upload larger than the JSON body limit, and batches with per-item errors', async () => {
    const big = Buffer.alloc(150 * KiB, 3)
    const up = await fetch(`${url}/v1/transactions/upload?registerId=reg&contentType=application/octet-stream`, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: big })
    assert.equal(up.status, 201)
    assert.equal((await up.json() as { txId: string }).txId, txIdOf(big))
    const batch = await fetch(`${url}/v1/transactions/batch`, json({ transactions: [{ clientRef: 'a', transaction: { registerId: 'reg', payload: 'YQ==' } }, { clientRef: 'b', transaction: { registerId: 'reg', payload: 'YQ==', expectedTxId: '00'.repeat(32) } }] }))
    const acks = (await batch.json() as { acks: Array<{ clientRef: string, result: unknown, error: { reason: string } | null }> }).acks
    assert.equal(acks[0]?.error, null)
    assert.equal(acks[1]?.error?.reason, 'tx_id_mismatch')
  })

  it('answers 400 (413, 415) problem+json with a reason for malformed and oversized requests, and keeps serving', async () => {
    const cases: Array<[RequestInit, string, number]> = [
      [{ method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"registerId": "reg", ' }, 'malformed', 400],
      [json({ registerId: 'bad id', payload: 'YQ==' }), 'invalid_register_id', 400],
      [json({ registerId: 'reg', payload: 'YQ==', extra: 1 }), 'invalid_request', 400],
      [json({ registerId: 'reg', payload: Buffer.alloc(100 * KiB).toString('base64') }), 'body_too_large', 413],
      [{ method: 'POST', headers: { 'content-type': 'text/xml' }, body: '<x/>' }, 'unsupported_media_type', 415]
    ]
    for (const [init, reason, status] of cases) {
      const response = await fetch(`${url}/v1/transactions`, init)
      assert.equal(response.status, status, reason)
      assert.match(response.headers.get('content-type') ?? '', /^application\/problem\+json/)
      const problem = await response.json() as { code: string, reason: string, status: number, detail: string }
      assert.deepEqual([problem.code, problem.reason, problem.status], ['INVALID_ARGUMENT', reason, status])
      assert.ok(problem.detail.length > 0)
    }
    const peers = await fetch(`${url}/v1/peers?limit=5000`)
    assert.equal(peers.status, 400)
    const unknown = await fetch(`${url}/v1/nothing`)
    assert.equal(unknown.status, 404)
    assert.equal((await unknown.json() as { code: string }).code, 'NOT_FOUND')
    assert.equal((await fetch(`${url}/v1/node`)).status, 200)
  })

  it('streams transactions over SSE and resumes after Last-Event-ID', async () => {
    const controller = new AbortController()
    const stream = await fetch(`${url}/v1/transactions/stream?registerId=sse`, { signal: controller.signal })
    assert.equal(stream.headers.get('content-type'), 'text/event-stream; charset=utf-8')
    const reading = readSse(stream.body!, events => events.length >= 2)
    await new Promise(resolve => setTimeout(resolve, 100))
    await fetch(`${url}/v1/transactions`, json({ registerId: 'other', payload: Buffer.from('not me').toString('base64') }))
    for (const text of ['one', 'two', 'three']) await fetch(`${url}/v1/transactions`, json({ registerId: 'sse', payload: Buffer.from(`sse ${text}`).toString('base64') }))
    const events = await reading
    controller.abort()
    assert.deepEqual(events.map(e => e.event), ['transaction', 'transaction'])
    assert.equal((JSON.parse(events[0]!.data) as { txId: string }).txId, txIdOf(Buffer.from('sse one')))
    const resumed = await fetch(`${url}/v1/transactions/stream?registerId=sse`, { headers: { 'last-event-id': events[1]!.id! } })
    const replay = await readSse(resumed.body!, e => e.length >= 1)
    assert.equal((JSON.parse(replay[0]!.data) as { txId: string }).txId, txIdOf(Buffer.from('sse three')))
    const bad = await fetch(`${url}/v1/transactions/stream?cursor=nonsense`)
    assert.equal(bad.status, 400)
  })

  it('sends and receives direct messages (loopback) with SSE', async () => {
    const stream = await fetch(`${url}/v1/messages/stream?topic=chat`)
    const reading = readSse(stream.body!, e => e.length >= 1)
    await new Promise(resolve => setTimeout(resolve, 100))
    const sent = await fetch(`${url}/v1/peers/${TEST_PEER_ID}/messages`, json({ topic: 'chat', payload: Buffer.from('hello').toString('base64') }))
    assert.equal(sent.status, 200)
    const [event] = await reading
    assert.equal(Buffer.from((JSON.parse(event!.data) as { payload: string }).payload, 'base64').toString(), 'hello')
    const ping = await fetch(`${url}/v1/peers/${OTHER_PEER_ID}/ping`, { method: 'POST' })
    assert.equal(ping.status, 503)
  })
})

describe('REST security', () => {
  it('requires the token on /v1 (401) but not on /openapi.json, and rate-limits with 429 + Retry-After', async () => {
    const { gateway } = await startMemoryGateway({ token: 't0ken', rateLimit: { perSecond: 1, burst: 2 } })
    try {
      const base = gateway.restUrl
      const r1 = await fetch(`${base}/v1/node`)
      assert.equal(r1.status, 401)
      assert.equal((await r1.json() as { reason: string }).reason, 'token_missing')
      assert.equal((await fetch(`${base}/openapi.json`)).status, 200)
      const statuses = []
      for (let i = 0; i < 4; i++) {
        const r = await fetch(`${base}/v1/node`, { headers: { authorization: 'Bearer t0ken' } })
        statuses.push(r.status)
        if (r.status === 429) {
          assert.ok(Number(r.headers.get('retry-after')) >= 1)
          assert.equal((await r.json() as { code: string }).code, 'RESOURCE_EXHAUSTED')
        }
      }
      assert.ok(statuses.includes(200) && statuses.includes(429))
    } finally {
      await gateway.stop()
    }
  })
})
