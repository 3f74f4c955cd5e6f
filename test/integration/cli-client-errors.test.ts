/**
 * What `sorcha-peer status` (a real process) prints when it cannot use a node's API: one line per
 * cause, the real cause first, then where and what to do; and no DEP0123 warning when it connects
 * to an IP address over TLS.
 */
import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http'
import { createServer, type AddressInfo, type Server } from 'node:net'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import * as grpc from '@grpc/grpc-js'
import { createCa, issueCertificate } from '../../src/certs/dev-ca.ts'
import type { Gateway } from '../../src/gateway/gateway.ts'
import { cli } from '../helpers/cli.ts'
import { startMemoryGateway } from '../helpers/memory-gateway.ts'
import { assertInGuide } from '../helpers/troubleshooting.ts'
import { tempDir } from '../helpers/temp-dir.ts'

const portOf = (server: Server | HttpServer): number => (server.address() as AddressInfo).port

/** A port nothing listens on (bound, then released). */
async function closedPort (): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1')
  await new Promise(resolve => server.once('listening', resolve))
  const port = portOf(server)
  await new Promise(resolve => server.close(resolve))
  return port
}

/** The one or more stderr lines, which must all start with `sorcha-peer: `. */
function lines (stderr: string): string[] {
  const out = stderr.trimEnd().split('\n')
  for (const line of out) assert.match(line, /^sorcha-peer: /)
  return out.map(l => l.slice('sorcha-peer: '.length))
}

describe('sorcha-peer client errors', () => {
  let dir: string
  let ca: ReturnType<typeof createCa>
  let tlsGateway: Gateway
  let wrongNameGateway: Gateway
  let tokenGateway: Gateway
  before(async () => {
    dir = tempDir('sorcha-client-errors-')
    ca = createCa({ commonName: 'test CA' })
    const other = createCa({ commonName: 'another CA' })
    const byIp = issueCertificate(ca, 'node', { commonName: 'node', hosts: ['127.0.0.1'] })
    const byName = issueCertificate(ca, 'node', { commonName: 'node', hosts: ['node.test'] })
    await Promise.all([
      writeFile(join(dir, 'ca.crt'), ca.cert), writeFile(join(dir, 'other-ca.crt'), other.cert),
      writeFile(join(dir, 'ip.crt'), byIp.cert), writeFile(join(dir, 'ip.key'), byIp.key),
      writeFile(join(dir, 'name.crt'), byName.cert), writeFile(join(dir, 'name.key'), byName.key)
    ])
    ;({ gateway: tlsGateway } = await startMemoryGateway({ tls: { cert: join(dir, 'ip.crt'), key: join(dir, 'ip.key') } }))
    ;({ gateway: wrongNameGateway } = await startMemoryGateway({ tls: { cert: join(dir, 'name.crt'), key: join(dir, 'name.key') } }))
    ;({ gateway: tokenGateway } = await startMemoryGateway({ token: 's3cret' }))
  })
  after(async () => { await Promise.all([tlsGateway?.stop(), wrongNameGateway?.stop(), tokenGateway?.stop()]) })

  const target = (gw: Gateway): string[] => ['--grpc', gw.grpcAddress, '--rest', gw.restUrl]

  it('connection refused: one line for both transports', async () => {
    const [g, r] = [await closedPort(), await closedPort()]
    const run = await cli(['status', '--grpc', `127.0.0.1:${g}`, '--rest', `http://127.0.0.1:${r}`])
    assert.equal(run.code, 1)
    assert.deepEqual(lines(run.stderr), [`connection refused at 127.0.0.1:${g} (gRPC) and :${r} (REST): is the node running?`])
    assertInGuide('client-refused', run.stderr)
  })

  it('timeout: a port that accepts and never answers', async () => {
    const silent = createServer(() => {}).listen(0, '127.0.0.1')
    await new Promise(resolve => silent.once('listening', resolve))
    try {
      const p = portOf(silent)
      const run = await cli(['status', '--grpc', `127.0.0.1:${p}`, '--rest', `http://127.0.0.1:${p}`, '--timeout-ms', '300'])
      assert.equal(run.code, 1)
      assert.deepEqual(lines(run.stderr), [`timed out at 127.0.0.1:${p} (gRPC) and :${p} (REST): is the address right and the port open? (--timeout-ms waits longer)`])
      assertInGuide('client-timeout', run.stderr)
    } finally {
      silent.close()
    }
  })

  it('TLS: certificate not trusted without --ca or with the wrong one; with the right one it works, and never warns DEP0123', async () => {
    const restPort = new URL(tlsGateway.restUrl).port
    const grpcAt = tlsGateway.grpcAddress
    const none = await cli(['status', ...target(tlsGateway)])
    assert.equal(none.code, 1)
    assert.deepEqual(lines(none.stderr), [`certificate not trusted at ${grpcAt} (gRPC) and :${restPort} (REST): pass --ca`])
    assertInGuide('client-untrusted-certificate', none.stderr)
    const wrong = await cli(['status', ...target(tlsGateway), '--ca', join(dir, 'other-ca.crt')])
    assert.deepEqual(lines(wrong.stderr), [`certificate not trusted at ${grpcAt} (gRPC) and :${restPort} (REST): --ca is not the CA that signed the node's certificate`])
    for (const transport of ['grpc-stream', 'rest']) {
      const ok = await cli(['status', ...target(tlsGateway), '--ca', join(dir, 'ca.crt'), '--transport', transport, '--json'])
      assert.equal(ok.code, 0, ok.stderr)
      assert.equal((JSON.parse(ok.stdout) as { transport: string }).transport, transport)
      assert.doesNotMatch(ok.stderr, /DEP0123|DeprecationWarning/)
    }
  })

  it('TLS: a certificate that does not name the address connected to', async () => {
    const run = await cli(['status', ...target(wrongNameGateway), '--ca', join(dir, 'ca.crt')])
    assert.equal(run.code, 1)
    assert.deepEqual(lines(run.stderr), [`certificate does not name 127.0.0.1 (it names DNS:node.test) at ${wrongNameGateway.grpcAddress} (gRPC) and :${new URL(wrongNameGateway.restUrl).port} (REST): connect by a name it lists, or reissue it (sorcha-peer certs node --host)`])
    assertInGuide('client-certificate-name', run.stderr)
  })

  it('TLS: plaintext to a TLS node, and TLS to a plaintext node', async () => {
    const plain = await cli(['status', '--grpc', tlsGateway.grpcAddress, '--rest', tlsGateway.restUrl.replace('https:', 'http:')])
    assert.deepEqual(lines(plain.stderr), [`connection closed by the node at ${tlsGateway.grpcAddress} (gRPC) and :${new URL(tlsGateway.restUrl).port} (REST): does it use TLS? pass --ca and an https:// --rest URL`])
    const tls = await cli(['status', '--grpc', tokenGateway.grpcAddress, '--rest', tokenGateway.restUrl.replace('http:', 'https:'), '--ca', join(dir, 'ca.crt')])
    assert.deepEqual(lines(tls.stderr), [`TLS handshake failed, the node does not speak TLS there at ${tokenGateway.grpcAddress} (gRPC) and :${new URL(tokenGateway.restUrl).port} (REST): drop --ca and use an http:// --rest URL`])
  })

  it('TLS: an expired certificate, and a node that requires a client certificate (mutual TLS)', async () => {
    const expired = issueCertificate(ca, 'node', { commonName: 'node', hosts: ['127.0.0.1'], days: -1 })
    await writeFile(join(dir, 'expired.crt'), expired.cert)
    await writeFile(join(dir, 'expired.key'), expired.key)
    const { gateway: old } = await startMemoryGateway({ tls: { cert: join(dir, 'expired.crt'), key: join(dir, 'expired.key') } })
    const { gateway: mutual } = await startMemoryGateway({ tls: { cert: join(dir, 'ip.crt'), key: join(dir, 'ip.key'), ca: join(dir, 'ca.crt'), requireClientCert: true } })
    try {
      const run = await cli(['status', ...target(old), '--ca', join(dir, 'ca.crt')])
      assert.equal(run.code, 1)
      assert.deepEqual(lines(run.stderr), [`certificate expired or not yet valid at ${old.grpcAddress} (gRPC) and :${new URL(old.restUrl).port} (REST): the node needs a new certificate`])
      const noCert = await cli(['status', ...target(mutual), '--ca', join(dir, 'ca.crt'), '--transport', 'grpc-unary'])
      assert.equal(noCert.code, 1)
      assert.deepEqual(lines(noCert.stderr), [`client certificate required or refused at ${mutual.grpcAddress} (gRPC): pass --cert and --key, issued by the CA the node trusts`])
      const noCertRest = await cli(['status', ...target(mutual), '--ca', join(dir, 'ca.crt'), '--transport', 'rest'])
      assert.equal(noCertRest.code, 1)
      assert.deepEqual(lines(noCertRest.stderr), [`client certificate required or refused at 127.0.0.1:${new URL(mutual.restUrl).port} (REST): pass --cert and --key, issued by the CA the node trusts`])
      // With --cert and --key the CLI presents its certificate over REST too.
      const app = issueCertificate(ca, 'client', { commonName: 'app' })
      await Promise.all([writeFile(join(dir, 'app.crt'), app.cert), writeFile(join(dir, 'app.key'), app.key)])
      const withCert = await cli(['status', ...target(mutual), '--ca', join(dir, 'ca.crt'), '--cert', join(dir, 'app.crt'), '--key', join(dir, 'app.key'), '--transport', 'rest'])
      assert.equal(withCert.code, 0, withCert.stderr)
    } finally {
      await Promise.all([old.stop(), mutual.stop()])
    }
  })

  it('a wrong port: something other than the node\'s API answers', async () => {
    const restPort = new URL(tokenGateway.restUrl).port
    const grpcPort = tokenGateway.grpcAddress.split(':').at(-1) ?? ''
    const run = await cli(['status', '--grpc', `127.0.0.1:${restPort}`, '--rest', `http://127.0.0.1:${grpcPort}`])
    assert.equal(run.code, 1)
    assert.deepEqual(lines(run.stderr), [
      `something other than the node's API answers at 127.0.0.1:${restPort} (gRPC): is --grpc the node's gRPC address?`,
      `something other than the node's API answers at 127.0.0.1:${grpcPort} (REST): is --rest the node's REST URL?`
    ])
  })

  it('unauthenticated: a missing or a wrong token is a usage error (exit 2)', async () => {
    const missing = await cli(['status', ...target(tokenGateway)])
    assert.equal(missing.code, 2)
    assert.deepEqual(lines(missing.stderr), ['the node requires an API token: pass --token or set SORCHA_GATEWAY_TOKEN'])
    assertInGuide('client-token-required', missing.stderr)
    for (const transport of ['grpc-unary', 'rest']) {
      const wrong = await cli(['status', ...target(tokenGateway), '--token', 'guess', '--transport', transport])
      assert.equal(wrong.code, 2)
      assert.deepEqual(lines(wrong.stderr), ['the node refused the API token: check --token or SORCHA_GATEWAY_TOKEN'])
      assertInGuide('client-token-refused', wrong.stderr)
    }
    const fromEnv = await cli(['status', ...target(tokenGateway)], { env: { SORCHA_GATEWAY_TOKEN: 's3cret' } })
    assert.equal(fromEnv.code, 0, fromEnv.stderr)
  })

  it('a server without the Sorcha API (gRPC UNIMPLEMENTED, REST 404)', async () => {
    const grpcServer = new grpc.Server()
    const grpcPort = await new Promise<number>((resolve, reject) => { grpcServer.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) => { if (err === null) resolve(port); else reject(err) }) })
    const web = createHttpServer((_req, res) => { res.writeHead(404, { 'content-type': 'text/html' }).end('<h1>Not Found</h1>') }).listen(0, '127.0.0.1')
    await new Promise(resolve => web.once('listening', resolve))
    try {
      const run = await cli(['status', '--grpc', `127.0.0.1:${grpcPort}`, '--rest', `http://127.0.0.1:${portOf(web)}`])
      assert.equal(run.code, 1)
      assert.deepEqual(lines(run.stderr), [`no Sorcha API for this call at 127.0.0.1:${grpcPort} (gRPC) and :${portOf(web)} (REST): is this a Sorcha node of the same version, on the right port?`])
    } finally {
      grpcServer.forceShutdown()
      web.close()
    }
  })

  it('transports that fail differently get a line each', async () => {
    const r = await closedPort()
    const run = await cli(['status', '--grpc', tlsGateway.grpcAddress, '--rest', `http://127.0.0.1:${r}`])
    assert.deepEqual(lines(run.stderr), [
      `connection closed by the node at ${tlsGateway.grpcAddress} (gRPC): does it use TLS? pass --ca and an https:// --rest URL`,
      `connection refused at 127.0.0.1:${r} (REST): is the node running?`
    ])
  })

  it('an unreadable --ca is a usage error naming the file', async () => {
    const run = await cli(['status', '--ca', join(dir, 'missing.crt')])
    assert.equal(run.code, 2)
    assert.deepEqual(lines(run.stderr), [`cannot read --ca ${join(dir, 'missing.crt')}: no such file`])
  })
})
