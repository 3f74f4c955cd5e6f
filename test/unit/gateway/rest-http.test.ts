/**
 * The REST server at the edges of HTTP, with real sockets: every error is application/problem+json
 * (404, 405, 413, 415, 429, 431, malformed HTTP), and a body over the limit is refused before
 * `100 Continue` is sent.
 */
import assert from 'node:assert/strict'
import { connect } from 'node:net'
import { after, before, describe, it } from 'node:test'
import type { Gateway } from '../../../src/gateway/gateway.ts'
import { MemoryBackend } from '../../../src/gateway/memory-backend.ts'
import { startMemoryGateway, TEST_PEER_ID } from '../../helpers/memory-gateway.ts'

const KiB = 1024

/** Writes `parts` to a fresh connection (each after the server's answer to the previous one, when `stepwise`) and returns all it answered. */
async function exchange (port: number, first: string, next?: (soFar: string) => string | undefined): Promise<string> {
  return await new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1')
    let text = ''
    let sentNext = false
    socket.on('data', (d: Buffer) => {
      text += d.toString('latin1')
      if (!sentNext && next !== undefined) {
        const more = next(text)
        if (more !== undefined) { sentNext = true; socket.write(more) }
      }
    })
    socket.on('error', err => { if (text === '') reject(err); else resolve(text) })
    socket.on('end', () => { socket.end(); resolve(text) })
    socket.on('close', () => { resolve(text) })
    socket.write(first)
  })
}

/** Splits a raw HTTP/1.1 answer into its status line, headers and body. */
function parse (text: string): { status: number, headers: Record<string, string>, body: string } {
  const end = text.indexOf('\r\n\r\n')
  const [statusLine = '', ...lines] = text.slice(0, end).split('\r\n')
  const headers = Object.fromEntries(lines.map(l => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]))
  return { status: Number(statusLine.split(' ')[1]), headers, body: text.slice(end + 4) }
}

describe('REST at the edges of HTTP', () => {
  let gw: Gateway
  let port: number
  before(async () => {
    ;({ gateway: gw } = await startMemoryGateway({ maxMessageBytes: 64 * KiB, token: 'tok', rateLimit: { perSecond: 0 } }, new MemoryBackend({ peerId: TEST_PEER_ID, maxTransactionBytes: 200 * KiB })))
    port = Number(new URL(gw.restUrl).port)
  })
  after(async () => { await gw.stop() })

  it('answers headers larger than the server takes with 431 problem+json (written by the clientError handler)', async () => {
    const answer = parse(await exchange(port, `GET /v1/node HTTP/1.1\r\nhost: x\r\nx-big: ${'a'.repeat(20 * KiB)}\r\n\r\n`))
    assert.equal(answer.status, 431)
    assert.equal(answer.headers['content-type'], 'application/problem+json')
    const problem = JSON.parse(answer.body) as { status: number, code: string, reason: string, detail: string }
    assert.deepEqual([problem.status, problem.code, problem.reason], [431, 'INVALID_ARGUMENT', 'headers_too_large'])
    assert.match(problem.detail, /^the request headers are larger than the \d+ bytes the server accepts$/)
  })

  it('answers malformed HTTP with 400 problem+json', async () => {
    const answer = parse(await exchange(port, 'GET /v1/node HTTP/1.1\r\nhost x\r\n\r\n'))
    assert.equal(answer.status, 400)
    assert.equal(answer.headers['content-type'], 'application/problem+json')
    assert.equal((JSON.parse(answer.body) as { reason: string }).reason, 'bad_http')
  })

  it('refuses a Content-Length over the limit before sending 100 Continue (413 problem+json)', async () => {
    const head = 'POST /v1/transactions HTTP/1.1\r\nhost: x\r\nauthorization: Bearer tok\r\ncontent-type: application/json\r\nexpect: 100-continue\r\n'
    const text = await exchange(port, `${head}content-length: ${1024 * KiB}\r\n\r\n`)
    assert.ok(!text.includes('100 Continue'), text.slice(0, 200))
    const answer = parse(text)
    assert.equal(answer.status, 413)
    assert.equal(answer.headers['content-type'], 'application/problem+json; charset=utf-8')
    assert.equal(answer.headers.connection, 'close')
    const problem = JSON.parse(answer.body) as { reason: string, detail: string }
    assert.equal(problem.reason, 'body_too_large')
    assert.equal(problem.detail, `the body is ${1024 * KiB} bytes, more than the ${64 * KiB} bytes this route accepts (gateway.maxMessageBytes; POST /v1/transactions/upload takes large transactions)`)
    // The upload route takes up to the transaction limit: the same size gets its 100 Continue there.
    const upload = await exchange(port, `POST /v1/transactions/upload?registerId=r HTTP/1.1\r\nhost: x\r\nauthorization: Bearer tok\r\ncontent-type: application/octet-stream\r\nexpect: 100-continue\r\ncontent-length: ${150 * KiB}\r\nconnection: close\r\n\r\n`,
      soFar => soFar.startsWith('HTTP/1.1 100 Continue\r\n\r\n') ? 'x'.repeat(150 * KiB) : undefined)
    assert.ok(upload.startsWith('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 '), upload.slice(0, 80))
    const tooBig = parse(await exchange(port, `POST /v1/transactions/upload?registerId=r HTTP/1.1\r\nhost: x\r\nauthorization: Bearer tok\r\ncontent-type: application/octet-stream\r\nexpect: 100-continue\r\ncontent-length: ${300 * KiB}\r\n\r\n`))
    assert.equal(tooBig.status, 413)
    assert.equal((JSON.parse(tooBig.body) as { detail: string }).detail, `the body is ${300 * KiB} bytes, more than the ${200 * KiB} bytes this route accepts (NodeInfo.maxTransactionBytes)`)
  })

  it('sends 100 Continue only after the token check, then takes the body', async () => {
    const body = JSON.stringify({ registerId: 'r', payload: Buffer.from('continue').toString('base64') })
    const head = `POST /v1/transactions HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\nexpect: 100-continue\r\ncontent-length: ${body.length}\r\nconnection: close\r\n`
    const refused = await exchange(port, `${head}\r\n`)
    assert.ok(refused.startsWith('HTTP/1.1 401 '), refused.slice(0, 80))
    const accepted = await exchange(port, `${head}authorization: Bearer tok\r\n\r\n`, soFar => soFar.includes('100 Continue\r\n\r\n') ? body : undefined)
    assert.ok(accepted.startsWith('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 '), accepted.slice(0, 80))
  })

  it('answers a wrong method with 405 and Allow, an unknown path with 404, both problem+json', async () => {
    const auth = { authorization: 'Bearer tok' }
    const wrong = await fetch(`${gw.restUrl}/v1/node`, { method: 'DELETE', headers: auth })
    assert.equal(wrong.status, 405)
    assert.equal(wrong.headers.get('allow'), 'GET, HEAD')
    assert.match(wrong.headers.get('content-type') ?? '', /^application\/problem\+json/)
    assert.deepEqual(await wrong.json(), {
      type: 'urn:sorcha:problem:method_not_allowed', title: 'UNIMPLEMENTED', status: 405, code: 'UNIMPLEMENTED', reason: 'method_not_allowed', detail: 'DELETE is not allowed on /v1/node; allowed: GET, HEAD'
    })
    const param = await fetch(`${gw.restUrl}/v1/peers/${TEST_PEER_ID}/ping`, { headers: auth })
    assert.equal(param.status, 405)
    assert.equal(param.headers.get('allow'), 'POST')
    const missing = await fetch(`${gw.restUrl}/v1/nothing`, { headers: auth })
    assert.equal(missing.status, 404)
    assert.match(missing.headers.get('content-type') ?? '', /^application\/problem\+json/)
  })
})
