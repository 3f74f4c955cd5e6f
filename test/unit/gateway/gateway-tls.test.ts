/**
 * Mutual TLS on both API servers, with real clients (Node's https, grpc-js, TLS sockets and the
 * client library), and the reload of the certificate, key, CA bundle and token file while the
 * gateway runs: new connections see the new material, an open connection keeps its own, and a bad
 * new file keeps the previous material.
 */
import assert from 'node:assert/strict'
import { X509Certificate } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import https from 'node:https'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { after, before, describe, it } from 'node:test'
import { connect as tlsConnect, type PeerCertificate, type TLSSocket } from 'node:tls'
import * as grpc from '@grpc/grpc-js'
import { createCa, issueCertificate, type CertificatePair } from '../../../src/certs/dev-ca.ts'
import { SorchaClient } from '../../../src/client/index.ts'
import type { Gateway } from '../../../src/gateway/gateway.ts'
import { RELOAD_FAILED_MSG } from '../../../src/gateway/secrets-reloader.ts'
import { configureLogging } from '../../../src/logging/index.ts'
import { reasonOf, runtimeClients, unary, until } from '../../helpers/api-clients.ts'
import { startMemoryGateway } from '../../helpers/memory-gateway.ts'
import { assertInGuide } from '../../helpers/troubleshooting.ts'

/** What a client presents: the CA it trusts and, for mutual TLS, its certificate. */
interface ClientSide { ca: string, client?: CertificatePair }

/** GET `url` over a fresh TLS connection (or `agent`'s): the status and the server certificate's fingerprint, or the failure. */
async function get (url: string, side: ClientSide, options: { token?: string, agent?: https.Agent } = {}): Promise<{ status?: number, fingerprint?: string, error?: string }> {
  return await new Promise(resolve => {
    const req = https.request(url, {
      ca: side.ca,
      ...(side.client === undefined ? {} : { cert: side.client.cert, key: side.client.key }),
      ...(options.token === undefined ? {} : { headers: { authorization: `Bearer ${options.token}` } }),
      agent: options.agent ?? false
    }, res => {
      const fingerprint = (res.socket as TLSSocket).getPeerCertificate().fingerprint256
      res.resume()
      res.on('end', () => { resolve({ status: res.statusCode ?? 0, fingerprint }) })
    })
    req.on('error', err => { resolve({ error: (err as NodeJS.ErrnoException).code ?? err.message }) })
    req.end()
  })
}

/** The certificate a TLS (h2) handshake with host:port presents. */
async function presented (address: string, side: ClientSide): Promise<PeerCertificate> {
  const [host, port] = [address.slice(0, address.lastIndexOf(':')), Number(address.slice(address.lastIndexOf(':') + 1))]
  return await new Promise((resolve, reject) => {
    const socket = tlsConnect({ host, port, ca: side.ca, ALPNProtocols: ['h2'], ...(side.client === undefined ? {} : { cert: side.client.cert, key: side.client.key }) }, () => {
      resolve(socket.getPeerCertificate())
      socket.destroy()
    })
    socket.on('error', reject)
  })
}

const fingerprintOf = (pem: string): string => new X509Certificate(pem).fingerprint256

const grpcCredentials = (side: ClientSide): grpc.ChannelCredentials =>
  grpc.credentials.createSsl(Buffer.from(side.ca), side.client === undefined ? null : Buffer.from(side.client.key), side.client === undefined ? null : Buffer.from(side.client.cert))

async function grpcNodeInfo (address: string, side: ClientSide, token?: string): Promise<grpc.ServiceError | null> {
  const clients = runtimeClients(address, grpcCredentials(side))
  const metadata = new grpc.Metadata()
  if (token !== undefined) metadata.set('authorization', `Bearer ${token}`)
  try {
    const [err] = await unary(clients.discovery, 'getNodeInfo', {}, { metadata })
    return err
  } finally {
    clients.close()
  }
}

describe('gateway TLS', () => {
  let dir: string
  let ca: CertificatePair
  let otherCa: CertificatePair
  let good: ClientSide
  let stranger: ClientSide
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sorcha-gw-tls-'))
    ca = createCa({ commonName: 'test CA' })
    otherCa = createCa({ commonName: 'another CA' })
    good = { ca: ca.cert, client: issueCertificate(ca, 'client', { commonName: 'app' }) }
    stranger = { ca: ca.cert, client: issueCertificate(otherCa, 'client', { commonName: 'stranger' }) }
  })
  after(async () => { await rm(dir, { recursive: true, force: true }) })

  const writeServerFiles = async (name: string, pair: CertificatePair, bundle: string): Promise<{ cert: string, key: string, ca: string }> => {
    const files = { cert: join(dir, `${name}.crt`), key: join(dir, `${name}.key`), ca: join(dir, `${name}-ca.crt`) }
    await Promise.all([writeFile(files.cert, pair.cert), writeFile(files.key, pair.key), writeFile(files.ca, bundle)])
    return files
  }

  describe('mutual TLS on REST and gRPC', () => {
    let gateway: Gateway
    before(async () => {
      const files = await writeServerFiles('mtls', issueCertificate(ca, 'node', { commonName: 'node', hosts: ['127.0.0.1'] }), ca.cert)
      ;({ gateway } = await startMemoryGateway({ tls: { ...files, requireClientCert: true }, reloadOnChange: false }))
    })
    after(async () => { await gateway.stop() })

    it('REST refuses a client without a certificate and one with a certificate from another CA, and serves one from the CA', async () => {
      const none = await get(`${gateway.restUrl}/v1/node`, { ca: ca.cert })
      assert.ok(none.error !== undefined && none.status === undefined, `served without a client certificate: ${JSON.stringify(none)}`)
      const other = await get(`${gateway.restUrl}/v1/node`, stranger)
      assert.ok(other.error !== undefined && other.status === undefined, `served another CA's certificate: ${JSON.stringify(other)}`)
      assert.equal((await get(`${gateway.restUrl}/v1/node`, good)).status, 200)
    })

    it('the client library presents its certificate over REST; without one it is told a client certificate is required', async () => {
      const client = new SorchaClient({ endpoints: { rest: gateway.restUrl }, tls: { ca: ca.cert, cert: good.client!.cert, key: good.client!.key } })
      const bare = new SorchaClient({ endpoints: { rest: gateway.restUrl }, tls: { ca: ca.cert } })
      try {
        assert.equal(typeof (await client.nodeInfo()).peerId, 'string')
        await assert.rejects(bare.nodeInfo(), { name: 'NoTransportError', message: /^client certificate required or refused at / })
      } finally {
        client.close()
        bare.close()
      }
    })

    it('gRPC refuses a certificate from another CA and serves one from the CA', async () => {
      const other = await grpcNodeInfo(gateway.grpcAddress, stranger)
      assert.equal(other?.code, grpc.status.UNAVAILABLE, `another CA's certificate: ${String(other)}`)
      assert.equal(await grpcNodeInfo(gateway.grpcAddress, good), null)
    })
  })

  describe('reload of the certificate, key and token file', () => {
    let gateway: Gateway
    let files: { cert: string, key: string, ca: string }
    let tokenFile: string
    let first: CertificatePair
    const logged: string[] = []
    before(async () => {
      configureLogging({ level: 'info', format: 'json', destination: new Writable({ write (chunk: Buffer, _e, done) { logged.push(chunk.toString()); done() } }) })
      first = issueCertificate(ca, 'node', { commonName: 'first', hosts: ['127.0.0.1'] })
      files = await writeServerFiles('reload', first, ca.cert)
      tokenFile = join(dir, 'token')
      await writeFile(tokenFile, 'first-token\n')
      ;({ gateway } = await startMemoryGateway({ tls: { ...files, requireClientCert: true }, tokenFile, reloadOnChange: true }))
    })
    after(async () => {
      await gateway.stop()
      configureLogging({ level: 'silent', format: 'json' })
    })

    it('a rotated certificate and token reach new connections on both servers after a file change; an open connection keeps its certificate', async () => {
      const agent = new https.Agent({ keepAlive: true, maxSockets: 1, ca: ca.cert, cert: good.client!.cert, key: good.client!.key })
      const open = await get(`${gateway.restUrl}/v1/node`, good, { token: 'first-token', agent })
      assert.deepEqual(open, { status: 200, fingerprint: fingerprintOf(first.cert) })
      const kept = runtimeClients(gateway.grpcAddress, grpcCredentials(good))
      const withToken = (token: string): grpc.Metadata => { const m = new grpc.Metadata(); m.set('authorization', `Bearer ${token}`); return m }
      assert.equal((await unary(kept.discovery, 'getNodeInfo', {}, { metadata: withToken('first-token') }))[0], null)

      const second = issueCertificate(ca, 'node', { commonName: 'second', hosts: ['127.0.0.1'] })
      await writeFile(files.key, second.key)
      await writeFile(files.cert, second.cert)
      await writeFile(tokenFile, 'second-token\n')
      // The watcher reloads after its quiet time; no wall-clock bound here, the test's timeout is the bound.
      await until(async () => (await get(`${gateway.restUrl}/v1/node`, good, { token: 'second-token' })).fingerprint === fingerprintOf(second.cert), 50)
      await until(async () => (await get(`${gateway.restUrl}/v1/node`, good, { token: 'second-token' })).status === 200, 50)

      assert.equal((await get(`${gateway.restUrl}/v1/node`, good, { token: 'first-token' })).status, 401, 'the old token is refused')
      assert.equal((await presented(gateway.grpcAddress, good)).fingerprint256, fingerprintOf(second.cert), 'gRPC presents the new certificate')
      assert.equal(await grpcNodeInfo(gateway.grpcAddress, good, 'second-token'), null)
      assert.equal(reasonOf(await grpcNodeInfo(gateway.grpcAddress, good, 'first-token')), 'token_invalid')
      // The kept-alive connection was made with the first certificate and still carries requests.
      const again = await get(`${gateway.restUrl}/v1/node`, good, { token: 'second-token', agent })
      assert.deepEqual(again, { status: 200, fingerprint: fingerprintOf(first.cert) })
      agent.destroy()
      // The gRPC channel opened before the rotation carries on (its token is checked per call).
      assert.equal((await unary(kept.discovery, 'getNodeInfo', {}, { metadata: withToken('second-token') }))[0], null)
      kept.close()
      assert.ok(logged.some(l => l.includes('reloaded the API certificates and token')), 'the reload is logged')
    })

    it('a bad new file keeps the previous material, logs one line naming the setting and the file, and a fix is picked up', async () => {
      const before = (await presented(gateway.grpcAddress, good)).fingerprint256
      const third = issueCertificate(ca, 'node', { commonName: 'third', hosts: ['127.0.0.1'] })
      logged.length = 0
      // The new certificate without its key: they do not match.
      await writeFile(files.cert, third.cert)
      assert.equal(await gateway.reload(), 'failed')
      const lines = logged.filter(l => l.includes(RELOAD_FAILED_MSG))
      assert.ok(lines.length >= 1, logged.join(''))
      assertInGuide('api-reload-failed', JSON.parse(lines[0]!).msg as string)
      assert.match(JSON.parse(lines[0]!).msg as string, new RegExp(`^${RELOAD_FAILED_MSG}: cannot read gateway\\.tls\\.key \\(${files.key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\): does not match the certificate `))
      assert.equal((await presented(gateway.grpcAddress, good)).fingerprint256, before)
      assert.equal((await get(`${gateway.restUrl}/v1/node`, good, { token: 'second-token' })).fingerprint, before)

      await writeFile(tokenFile, '  \n')
      await writeFile(files.cert, 'not a certificate')
      assert.equal(await gateway.reload(), 'failed')
      assert.equal((await get(`${gateway.restUrl}/v1/node`, good, { token: 'second-token' })).status, 200, 'the token stays')

      await writeFile(files.cert, third.cert)
      await writeFile(files.key, third.key)
      await writeFile(tokenFile, 'third-token')
      // The watcher may have got there first.
      assert.ok(['changed', 'unchanged'].includes(await gateway.reload()))
      assert.equal((await presented(gateway.grpcAddress, good)).fingerprint256, fingerprintOf(third.cert))
      assert.equal((await get(`${gateway.restUrl}/v1/node`, good, { token: 'third-token' })).status, 200)
    })
  })
})
