import assert from 'node:assert/strict'
import { createServer } from 'node:net'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { multiaddr } from '@multiformats/multiaddr'
import { API_SERVICES } from '../../src/gateway/grpc/server.ts'
import { dialAddrs, harnessConfig, startNetwork, type TestNetwork } from '../../src/harness/index.ts'
import { defaultContributions } from '../../src/node/contributions.ts'
import { SorchaNode, type ServiceContribution } from '../../src/node/sorcha-node.ts'
import type { DynamicClient } from '../helpers/api-clients.ts'
import { makePeerIds } from '../helpers/peer-ids.ts'
import { healthClient, healthStatus, healthWatch, probe, reflectedServices } from '../helpers/probe-clients.ts'
import { assertInGuide } from '../helpers/troubleshooting.ts'

/** The operations listener and the app API on, on ephemeral ports. */
const SERVING = { ops: { enabled: true, port: 0 }, gateway: { enabled: true } } as const

/** A port nothing listens on (bound, then released). */
async function closedPort (): Promise<number> {
  const server = createServer()
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise<void>(resolve => server.close(() => { resolve() }))
  return port
}

const grpcAddressOf = (node: SorchaNode): string =>
  (node.libp2p.services as unknown as { gateway: { current?: { grpcAddress: string } } }).gateway.current?.grpcAddress ?? ''

describe('liveness and readiness of real nodes (HTTP /livez, /readyz and grpc.health.v1)', () => {
  let net: TestNetwork
  const clients: DynamicClient[] = []
  const health = (node: SorchaNode): DynamicClient => { const c = healthClient(grpcAddressOf(node)); clients.push(c); return c }
  before(async () => { net = await startNetwork({ nodes: 1, bootstrap: 'none', config: SERVING }) })
  after(async () => { for (const c of clients) c.close(); await net.stop() })

  it('a bootstrap node is ready alone; gRPC health says SERVING and reflection lists it', async () => {
    const boot = net.nodes[0]!
    assert.match(boot.opsUrl, /^http:\/\/127\.0\.0\.1:\d+$/)
    assert.deepEqual(await probe(boot.opsUrl, '/livez'), { status: 200, body: { status: 'live' } })
    const ready = await probe(boot.opsUrl, '/readyz')
    assert.equal(ready.status, 200)
    assert.equal(ready.body.status, 'ready')
    assert.deepEqual(Object.entries(ready.body.checks ?? {}).map(([name, c]) => [name, c.ok]), [['libp2p', true], ['database', true], ['peers', true]])
    assert.match(ready.body.checks?.peers?.detail ?? '', /bootstrap node/)
    const client = health(boot)
    for (const service of ['', ...API_SERVICES]) assert.equal(await healthStatus(client, service), 'SERVING', service)
    const listed = await reflectedServices(grpcAddressOf(boot))
    for (const name of ['grpc.health.v1.Health', ...API_SERVICES]) assert.ok(listed.includes(name), `${name} in ${listed.join(', ')}`)
  })

  it('a node whose bootstrap peer is unreachable is live but not ready until a peer connects, and again when the last one goes', async () => {
    const [absent] = await makePeerIds(1)
    const lonely = await net.createNode('lonely', { ...SERVING, bootstrap: [`/ip4/127.0.0.1/tcp/${await closedPort()}/p2p/${absent}`] })
    await lonely.start()
    try {
      assert.equal((await probe(lonely.opsUrl, '/livez')).status, 200)
      const notReady = await probe(lonely.opsUrl, '/readyz')
      assert.equal(notReady.status, 503)
      assert.equal(notReady.body.status, 'not ready')
      assert.deepEqual(notReady.body.checks?.peers, { ok: false, detail: 'no peers connected yet (1 bootstrap peer configured)' })
      assertInGuide('readyz-no-peers', JSON.stringify(notReady.body))
      assert.equal(notReady.body.checks?.libp2p?.ok, true)
      assert.equal(notReady.body.checks?.database?.ok, true)
      const client = health(lonely)
      for (const service of ['', ...API_SERVICES]) assert.equal(await healthStatus(client, service), 'NOT_SERVING', service)

      // A peer connects: ready, live (no polling of the verdict: the Watch stream reports the change).
      const watch = healthWatch(client, '')
      await watch.until('NOT_SERVING')
      const helper = await net.createNode('helper', { bootstrap: [] })
      await helper.start()
      await helper.libp2p.dial(multiaddr(dialAddrs(lonely)[0]!))
      await watch.until('SERVING')
      const ready = await probe(lonely.opsUrl, '/readyz')
      assert.equal(ready.status, 200)
      assert.deepEqual(ready.body.checks?.peers, { ok: true, detail: '1 peer connected' })

      // Its only peer goes away: not ready again.
      await helper.stop()
      await watch.until('NOT_SERVING')
      assert.equal((await probe(lonely.opsUrl, '/readyz')).status, 503)
      assert.equal(await healthStatus(client, API_SERVICES[0]!), 'NOT_SERVING')
      assert.deepEqual(watch.seen, ['NOT_SERVING', 'SERVING', 'NOT_SERVING'])
      watch.cancel()
    } finally {
      await lonely.stop()
    }
  })

  it('answers 503 on /livez and /readyz while the node stops, and closes the listener once stopped', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sorcha-probes-'))
    let release: () => void = () => {}
    const gate = new Promise<void>(resolve => { release = resolve })
    let stopEntered: () => void = () => {}
    const entered = new Promise<void>(resolve => { stopEntered = resolve })
    // A service whose stop waits for the test, to hold the node in its stop.
    const slowStop: ServiceContribution = () => ({ slowStop: () => ({ start () {}, async stop () { stopEntered(); await gate } }) })
    const config = harnessConfig(dir, SERVING)
    const node = await SorchaNode.create(config, { contributions: [...defaultContributions(config), slowStop] })
    try {
      await node.start()
      const url = node.opsUrl
      assert.equal((await probe(url, '/livez')).status, 200)
      const stopped = node.stop()
      await entered
      assert.deepEqual(await probe(url, '/livez'), { status: 503, body: { status: 'stopping' } })
      const readyz = await probe(url, '/readyz')
      assert.equal(readyz.status, 503)
      assert.deepEqual(readyz.body.checks?.libp2p, { ok: false, detail: 'node stopping' })
      release()
      await stopped
      assert.equal(node.opsUrl, '')
      await assert.rejects(fetch(`${url}/livez`), 'the listener is closed once the node has stopped')
    } finally {
      release()
      await node.stop()
      await rm(dir, { recursive: true, force: true })
    }
  })

  it('answers 404 for other paths and 405 for other methods', async () => {
    const boot = net.nodes[0]!
    assert.equal((await fetch(`${boot.opsUrl}/metrics`)).status, 404)
    const post = await fetch(`${boot.opsUrl}/readyz`, { method: 'POST' })
    assert.equal(post.status, 405)
    assert.equal(post.headers.get('allow'), 'GET, HEAD')
    const head = await fetch(`${boot.opsUrl}/livez`, { method: 'HEAD' })
    assert.equal(head.status, 200)
  })
})
