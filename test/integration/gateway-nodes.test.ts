/**
 * The gateway on real nodes: gRPC clients built from the .proto files at run time, REST + SSE, the
 * client library's fallback, mutual TLS, and bad requests, against nodes started by the harness and
 * connected by dialing. Transactions A -> B are in gateway-transactions.test.ts.
 */
import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import * as grpc from '@grpc/grpc-js'
import { multiaddr } from '@multiformats/multiaddr'
import { createCa, issueCertificate } from '../../src/certs/dev-ca.ts'
import { SorchaClient } from '../../src/client/index.ts'
import { directContribution, type DefaultDirectMessaging } from '../../src/direct/index.ts'
import { gatewayContribution, startGateway, type Gateway, type GatewayService } from '../../src/gateway/index.ts'
import { dialAddrs, startNetwork, type TestNetwork } from '../../src/harness/index.ts'
import { peerHealthContribution } from '../../src/health/index.ts'
import type { SorchaNode } from '../../src/node/sorcha-node.ts'
import { reasonOf, readSse, runtimeClients, unary, until } from '../helpers/api-clients.ts'
import { startTcpProxy } from '../helpers/tcp-proxy.ts'
import { tempDir } from '../helpers/temp-dir.ts'

const EPHEMERAL = { enabled: true, grpc: { port: 0 }, rest: { port: 0 } }

describe('gateway on running nodes', () => {
  let net: TestNetwork
  let a: SorchaNode
  let b: SorchaNode
  let ga: Gateway
  let gb: Gateway
  before(async () => {
    net = await startNetwork({ nodes: 2, bootstrap: 'none', contributions: [peerHealthContribution(), directContribution], config: { gateway: { ...EPHEMERAL, rateLimit: { perSecond: 0 } } } })
    ;[a, b] = net.nodes as [SorchaNode, SorchaNode]
    await a.libp2p.dial(multiaddr(dialAddrs(b)[0]!))
    ga = await startGateway(a)
    gb = await startGateway(b)
  })
  after(async () => {
    await Promise.all([ga?.stop(), gb?.stop()])
    await net?.stop()
  })

  it('a runtime-built gRPC client sends a direct message A -> B that B\'s gRPC stream and SSE both receive', async () => {
    const apiA = runtimeClients(ga.grpcAddress)
    const apiB = runtimeClients(gb.grpcAddress)
    try {
      const [infoErr, info] = await unary(apiA.discovery, 'getNodeInfo', {})
      assert.equal(infoErr, null)
      assert.equal(info?.peerId, a.peerId.toString())
      assert.ok((info?.protocols as string[]).includes('/sorcha/direct/1.0.0'))
      const grpcGot: Array<{ fromPeerId: string, payload: Buffer }> = []
      const stream = apiB.communication.receiveMessages({ topics: ['app.chat'] })
      stream.on('data', (m: { fromPeerId: string, payload: Buffer }) => { grpcGot.push(m) })
      stream.on('error', () => {})
      const sse = await fetch(`${gb.restUrl}/v1/messages/stream?topic=app.chat`)
      const sseEvents = readSse(sse.body!, e => e.length >= 1)
      await new Promise(resolve => setTimeout(resolve, 200))
      const [err, sent] = await unary(apiA.communication, 'sendMessage', { peerId: b.peerId.toString(), topic: 'app.chat', payload: Buffer.from('hello B') })
      assert.equal(err, null)
      assert.equal((sent?.messageId as string).length, 32)
      await until(() => grpcGot.length === 1)
      stream.cancel()
      assert.equal(grpcGot[0]?.fromPeerId, a.peerId.toString())
      assert.equal(grpcGot[0]?.payload.toString(), 'hello B')
      const [event] = await sseEvents
      assert.equal(Buffer.from((JSON.parse(event!.data) as { payload: string }).payload, 'base64').toString(), 'hello B')
      const [pingErr, pong] = await unary(apiA.communication, 'ping', { peerId: b.peerId.toString() })
      assert.equal(pingErr, null)
      assert.ok((pong?.rttMs as number) >= 0)
    } finally {
      apiA.close()
      apiB.close()
    }
  })

  it('reports the peer list and network health from the node\'s services', async () => {
    const client = new SorchaClient({ endpoints: { grpc: ga.grpcAddress, rest: ga.restUrl } })
    try {
      await until(async () => (await client.listPeers()).peers.some(p => p.peerId === b.peerId.toString()), 100)
      const peer = await client.getPeer(b.peerId.toString())
      assert.equal(peer?.peerId, b.peerId.toString())
      const health = await client.networkHealth()
      assert.ok(health.score >= 0 && health.score <= 100)
      assert.ok(health.connectedPeers >= 1)
      await assert.rejects(client.getPeer('12D3KooWAbCdEfGhJkLmNoPqRsTuVwXyZ123456789123456789a'), { name: 'NotFoundError' })
    } finally {
      client.close()
    }
  })

  it('the client falls back to REST while A\'s gRPC port is blocked, and upgrades when it returns', async () => {
    const proxy = await startTcpProxy(Number(ga.grpcAddress.split(':').pop()))
    const client = new SorchaClient({ endpoints: { grpc: proxy.address, rest: ga.restUrl }, upgradeIntervalMs: 200, timeoutMs: 3_000, retryInitialDelayMs: 20 })
    // An app on B takes the messages (without one, B answers no_listener).
    const direct = (b.libp2p.services as unknown as { direct: DefaultDirectMessaging }).direct
    const listener = (): void => {}
    direct.addEventListener('direct:message', listener)
    try {
      await client.sendMessage(b.peerId.toString(), 'fallback', Buffer.from('1'))
      assert.equal(client.protocol(), 'grpc-stream')
      proxy.block()
      await client.sendMessage(b.peerId.toString(), 'fallback', Buffer.from('2'))
      assert.equal(client.protocol(), 'rest')
      proxy.unblock()
      await until(async () => {
        await client.nodeInfo()
        return client.protocol() === 'grpc-stream'
      }, 100)
    } finally {
      direct.removeEventListener('direct:message', listener)
      client.close()
      await proxy.close()
    }
  })

  it('answers oversized and malformed requests with INVALID_ARGUMENT / 400 (413 for a body over the limit) and a reason, and keeps serving others', async () => {
    const api = runtimeClients(ga.grpcAddress, grpc.credentials.createInsecure(), { 'grpc.max_send_message_length': 64 * 1024 * 1024 })
    try {
      const [big] = await unary(api.communication, 'sendMessage', { peerId: b.peerId.toString(), topic: 't', payload: Buffer.alloc(a.config.gateway.maxMessageBytes + 1024) })
      assert.equal(big?.code, grpc.status.INVALID_ARGUMENT)
      assert.equal(reasonOf(big), 'message_too_large')
      const raw = new grpc.Client(ga.grpcAddress, grpc.credentials.createInsecure())
      const bad = await new Promise<grpc.ServiceError | null>(resolve => {
        raw.makeUnaryRequest('/sorcha.api.v1.PeerCommunication/SendMessage', (x: Buffer) => x, (x: Buffer) => x, Buffer.from([0x12, 0x7f, 0x01]), e => { resolve(e) })
      })
      raw.close()
      assert.equal(bad?.code, grpc.status.INVALID_ARGUMENT)
      assert.equal(reasonOf(bad), 'malformed')
      const [badPeer] = await unary(api.communication, 'ping', { peerId: 'not-a-peer' })
      assert.equal(reasonOf(badPeer), 'invalid_peer_id')
      const rest = await fetch(`${ga.restUrl}/v1/peers/${b.peerId.toString()}/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"topic": "t", "payload": ' })
      assert.equal(rest.status, 400)
      assert.equal((await rest.json() as { reason: string }).reason, 'malformed')
      const oversized = await fetch(`${ga.restUrl}/v1/peers/${b.peerId.toString()}/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ topic: 't', payload: Buffer.alloc(a.config.gateway.maxMessageBytes).toString('base64') }) })
      assert.equal(oversized.status, 413)
      assert.equal((await oversized.json() as { reason: string }).reason, 'body_too_large')
      // Everyone else is still served, on both transports.
      const [pingErr] = await unary(api.communication, 'ping', { peerId: b.peerId.toString() })
      assert.equal(pingErr, null)
      assert.equal((await fetch(`${ga.restUrl}/v1/node`)).status, 200)
    } finally {
      api.close()
    }
  })
})

describe('gateway security on a running node', () => {
  let net: TestNetwork
  let gateway: Gateway
  let dir: string
  let ca: ReturnType<typeof createCa>
  before(async () => {
    dir = tempDir('sorcha-tls-')
    ca = createCa()
    const server = issueCertificate(ca, 'node', { commonName: 'node', hosts: ['localhost', '127.0.0.1'] })
    await Promise.all([writeFile(join(dir, 'ca.crt'), ca.cert), writeFile(join(dir, 'node.crt'), server.cert), writeFile(join(dir, 'node.key'), server.key)])
    net = await startNetwork({
      nodes: 1,
      bootstrap: 'none',
      contributions: [directContribution],
      config: { gateway: { ...EPHEMERAL, tls: { cert: join(dir, 'node.crt'), key: join(dir, 'node.key'), ca: join(dir, 'ca.crt'), requireClientCert: true }, token: 'tok' } }
    })
    gateway = await startGateway(net.nodes[0]!)
  })
  after(async () => {
    await gateway?.stop()
    await net?.stop()
  })

  it('mutual TLS rejects a gRPC client without a certificate and serves one with a certificate from the CA', async () => {
    const metadata = new grpc.Metadata()
    metadata.set('authorization', 'Bearer tok')
    const anonymous = runtimeClients(gateway.grpcAddress, grpc.credentials.createSsl(Buffer.from(ca.cert)))
    const [noCert] = await unary(anonymous.discovery, 'getNodeInfo', {}, { metadata, deadlineMs: 5_000 })
    anonymous.close()
    assert.equal(noCert?.code, grpc.status.UNAVAILABLE)
    assert.equal(reasonOf(noCert), undefined) // refused in the TLS handshake, before any handler
    const client = issueCertificate(ca, 'client', { commonName: 'app' })
    const mtls = runtimeClients(gateway.grpcAddress, grpc.credentials.createSsl(Buffer.from(ca.cert), Buffer.from(client.key), Buffer.from(client.cert)))
    const [err, info] = await unary(mtls.discovery, 'getNodeInfo', {}, { metadata })
    const [noToken] = await unary(mtls.discovery, 'getNodeInfo', {})
    mtls.close()
    assert.equal(err, null)
    assert.equal(info?.peerId, net.nodes[0]!.peerId.toString())
    assert.equal(noToken?.code, grpc.status.UNAUTHENTICATED)
  })

  it('serves REST over mutual TLS, with the token; the client library verifies the CA and presents its certificate', async () => {
    assert.match(gateway.restUrl, /^https:/)
    const app = issueCertificate(ca, 'client', { commonName: 'app' })
    const tls = { ca: ca.cert, cert: app.cert, key: app.key }
    const client = new SorchaClient({ endpoints: { rest: gateway.restUrl }, tls, token: 'tok' })
    const info = await client.nodeInfo()
    client.close()
    assert.equal(info.peerId, net.nodes[0]!.peerId.toString())
    const wrongToken = new SorchaClient({ endpoints: { rest: gateway.restUrl }, tls, token: 'nope' })
    await assert.rejects(wrongToken.nodeInfo(), { name: 'UnauthenticatedError' })
    wrongToken.close()
  })
})

describe('gateway as a libp2p service', () => {
  it('starts with the node and stops with it', async () => {
    const net = await startNetwork({ nodes: 1, bootstrap: 'none', contributions: [directContribution, gatewayContribution], config: { gateway: EPHEMERAL } })
    try {
      const node = net.nodes[0]!
      const service = (node.libp2p.services as unknown as { gateway: GatewayService }).gateway
      const address = service.current?.grpcAddress ?? ''
      assert.notEqual(address, '')
      const client = new SorchaClient({ endpoints: { grpc: address }, transports: ['grpc-unary'], maxAttempts: 1, timeoutMs: 2_000 })
      assert.equal((await client.nodeInfo()).peerId, node.peerId.toString())
      await node.stop()
      assert.equal(service.current, undefined)
      await assert.rejects(client.nodeInfo(), { name: 'NoTransportError' })
      client.close()
    } finally {
      await net.stop()
    }
  })
})
