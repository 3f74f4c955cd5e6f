import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, describe, it } from 'node:test'
import { addressProblem, httpLookup, parseLookupBody, validateLookupUrl } from '../../../src/nat/http-lookup.ts'

describe('HTTP lookup against a local HTTP server', () => {
  let server: Server
  let base = ''
  const hits: string[] = []
  before(async () => {
    server = createServer((req, res) => {
      hits.push(req.url ?? '')
      switch (req.url) {
        case '/text': res.end('203.0.113.7\n'); break
        case '/json': res.setHeader('content-type', 'application/json'); res.end(JSON.stringify({ ip: '2001:DB8::7' })); break
        case '/origin': res.end('{"origin": "198.51.100.4, 10.0.0.1"}'); break
        case '/error': res.statusCode = 500; res.end('oops'); break
        case '/loopback': res.end('127.0.0.1'); break
        case '/garbage': res.end('<html>hello</html>'); break
        case '/badjson': res.end('{"ip": '); break
        case '/huge': res.end('1'.repeat(100_000)); break
        case '/slow': setTimeout(() => { res.end('203.0.113.8') }, 2_000).unref(); break
        default: res.statusCode = 404; res.end()
      }
    })
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  after(async () => {
    server.closeAllConnections()
    await new Promise(resolve => server.close(resolve))
  })

  it('reads a plain-text answer', async () => {
    assert.deepEqual(await httpLookup([`${base}/text`]), { address: '203.0.113.7', family: 4, url: `${base}/text` })
  })

  it('reads JSON answers ({ip}, httpbin-style {origin})', async () => {
    assert.deepEqual(await httpLookup([`${base}/json`]), { address: '2001:db8::7', family: 6, url: `${base}/json` })
    assert.equal((await httpLookup([`${base}/origin`])).address, '198.51.100.4')
  })

  it('fails over past errors, bad answers and timeouts, in order', async () => {
    hits.length = 0
    const urls = ['/error', '/loopback', '/garbage', '/badjson', '/huge', '/slow', '/text'].map(p => `${base}${p}`)
    const found = await httpLookup(urls, { timeoutMs: 300 })
    assert.equal(found.url, `${base}/text`)
    assert.deepEqual(hits, ['/error', '/loopback', '/garbage', '/badjson', '/huge', '/slow', '/text'])
  })

  it('throws HttpLookupError with one reason per URL when all fail', async () => {
    await assert.rejects(httpLookup([`${base}/error`, `${base}/slow`], { timeoutMs: 200 }), (err: Error & { reasons?: string[] }) => {
      assert.equal(err.name, 'HttpLookupError')
      assert.equal(err.reasons?.length, 2)
      assert.match(err.reasons![1]!, /timed out/)
      return true
    })
    await assert.rejects(httpLookup(['ftp://x/']), { name: 'HttpLookupError' })
  })

  it('stops on abort', async () => {
    const controller = new AbortController()
    const pending = httpLookup([`${base}/slow`, `${base}/text`], { signal: controller.signal })
    setTimeout(() => { controller.abort() }, 50)
    await assert.rejects(pending)
  })
})

describe('HTTP lookup validation', () => {
  it('accepts usable addresses and names the problem with others', () => {
    for (const ok of ['203.0.113.7', '10.1.2.3', '2001:db8::1', '8.8.8.8']) assert.equal(addressProblem(ok), undefined, ok)
    for (const bad of ['0.0.0.0', '127.0.0.1', '169.254.1.1', '224.0.0.1', '255.255.255.255', '::', '::1', 'fe80::1', 'ff02::1', 'hello', '1.2.3']) {
      assert.notEqual(addressProblem(bad), undefined, bad)
    }
    assert.equal(parseLookupBody('  192.0.2.1  \n'), '192.0.2.1')
    assert.equal(parseLookupBody('{"address":"192.0.2.2"}'), '192.0.2.2')
    assert.equal(parseLookupBody('{"other":1}'), undefined)
    assert.equal(parseLookupBody('[1]'), '[1]')
    assert.throws(() => validateLookupUrl('not a url'), { name: 'InvalidServerError' })
    assert.throws(() => validateLookupUrl('file:///etc/passwd'), { name: 'InvalidServerError' })
  })
})
