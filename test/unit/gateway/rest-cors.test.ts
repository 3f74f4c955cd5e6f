/**
 * CORS on the REST API (gateway.rest.corsOrigins): off by default (no CORS headers at all); when
 * configured, a browser's preflight is answered before the token check, allowed origins get
 * Access-Control-Allow-Origin on answers and on problem documents, and other origins get none.
 */
import assert from 'node:assert/strict'
import { request } from 'node:http'
import { after, before, describe, it } from 'node:test'
import { resolveConfig } from '../../../src/config/index.ts'
import type { Gateway } from '../../../src/gateway/gateway.ts'
import { startMemoryGateway } from '../../helpers/memory-gateway.ts'

const APP = 'https://app.example'

/** One request with exactly these headers (fetch would add its own Origin handling). */
async function call (url: string, method: string, headers: Record<string, string>): Promise<{ status: number, headers: Record<string, string | string[] | undefined>, body: string }> {
  return await new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, res => {
      let body = ''
      res.on('data', (d: Buffer) => { body += d.toString() })
      res.on('end', () => { resolve({ status: res.statusCode ?? 0, headers: res.headers, body }) })
    })
    req.on('error', reject)
    req.end()
  })
}

describe('REST CORS', () => {
  let cors: Gateway
  let plain: Gateway
  before(async () => {
    ;({ gateway: cors } = await startMemoryGateway({ token: 'tok', rest: { corsOrigins: [APP, 'http://localhost:5173'] }, rateLimit: { perSecond: 0 } }))
    ;({ gateway: plain } = await startMemoryGateway({ token: 'tok', rateLimit: { perSecond: 0 } }))
  })
  after(async () => { await Promise.all([cors.stop(), plain.stop()]) })

  it('answers a preflight from an allowed origin with 204, before the token check', async () => {
    const answer = await call(`${cors.restUrl}/v1/transactions`, 'OPTIONS', { origin: APP, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' })
    assert.equal(answer.status, 204)
    assert.equal(answer.headers['access-control-allow-origin'], APP)
    assert.equal(answer.headers['access-control-allow-methods'], 'GET, HEAD, POST')
    assert.equal(answer.headers['access-control-allow-headers'], 'authorization, content-type, last-event-id')
    assert.equal(answer.headers['access-control-max-age'], '600')
    assert.match(String(answer.headers.vary), /Origin/)
  })

  it('adds Access-Control-Allow-Origin to a simple request and to its problem document, for allowed origins only', async () => {
    const ok = await call(`${cors.restUrl}/v1/node`, 'GET', { origin: APP, authorization: 'Bearer tok' })
    assert.equal(ok.status, 200)
    assert.equal(ok.headers['access-control-allow-origin'], APP)
    assert.equal(ok.headers['access-control-expose-headers'], 'retry-after, x-sorcha-tx-id, allow')
    const denied = await call(`${cors.restUrl}/v1/node`, 'GET', { origin: APP })
    assert.equal(denied.status, 401)
    assert.equal(denied.headers['access-control-allow-origin'], APP, 'the page can read why')
    assert.match(String(denied.headers['content-type']), /^application\/problem\+json/)
    const stranger = await call(`${cors.restUrl}/v1/node`, 'GET', { origin: 'https://evil.example', authorization: 'Bearer tok' })
    assert.equal(stranger.status, 200)
    assert.equal(stranger.headers['access-control-allow-origin'], undefined)
    const strangerPreflight = await call(`${cors.restUrl}/v1/node`, 'OPTIONS', { origin: 'https://evil.example', 'access-control-request-method': 'GET' })
    assert.equal(strangerPreflight.headers['access-control-allow-origin'], undefined)
  })

  it('sends no CORS headers at all by default', async () => {
    const simple = await call(`${plain.restUrl}/v1/node`, 'GET', { origin: APP, authorization: 'Bearer tok' })
    assert.equal(simple.status, 200)
    assert.equal(Object.keys(simple.headers).filter(h => h.startsWith('access-control-')).length, 0)
    const preflight = await call(`${plain.restUrl}/v1/transactions`, 'OPTIONS', { origin: APP, 'access-control-request-method': 'POST' })
    assert.equal(preflight.status, 405)
    assert.equal(preflight.headers['access-control-allow-origin'], undefined)
    assert.match(String(preflight.headers['content-type']), /^application\/problem\+json/)
  })

  it('rejects an origin with a path when the configuration is read', () => {
    assert.throws(() => resolveConfig({ file: { path: 'test', data: { gateway: { rest: { corsOrigins: ['https://app.example/page'] } } } } }), { name: 'ConfigError' })
    assert.deepEqual(resolveConfig({ file: { path: 'test', data: { gateway: { rest: { corsOrigins: ['*', 'http://[::1]:8080'] } } } } }).gateway.rest.corsOrigins, ['*', 'http://[::1]:8080'])
  })
})
