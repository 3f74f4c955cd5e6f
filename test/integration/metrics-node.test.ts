/**
 * Metrics of real nodes (no Prometheus needed): the services record into their node's own registry
 * (several nodes share this process), health pings and bans are counted as they happen, gRPC calls
 * are labelled by method and status, and a node with metrics off serves and records nothing.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { SorchaClient } from '../../src/client/index.ts'
import { gossipOf } from '../../src/gossip/index.ts'
import type { HealthMonitor } from '../../src/health/index.ts'
import { startNetwork, type TestNetwork } from '../../src/harness/index.ts'
import type { SorchaNode } from '../../src/node/sorcha-node.ts'
import type { PeerList } from '../../src/peers/types.ts'

const scrape = async (node: SorchaNode): Promise<string> => (await fetch(`${node.metricsUrl}/metrics`)).text()

/** The value of one series (exact name and label text), or undefined. */
function value (text: string, series: string): number | undefined {
  const line = text.split('\n').find(l => l.startsWith(`${series} `))
  return line === undefined ? undefined : Number(line.slice(series.length + 1))
}

const services = (node: SorchaNode) => node.libp2p.services as unknown as { health: HealthMonitor, peerList: PeerList, gateway: { current: { grpcAddress: string } } }

describe('metrics of real nodes', () => {
  let net: TestNetwork
  before(async () => {
    net = await startNetwork({ nodes: 3, config: { metrics: { enabled: true }, gateway: { enabled: true } }, configFor: i => i === 2 ? { metrics: { enabled: false } } : {} })
  })
  after(async () => { await net?.stop() })

  it('each node serves its own figures, libp2p\'s included', async () => {
    const [a, b] = net.nodes as [SorchaNode, SorchaNode]
    const inboundOf = async (node: SorchaNode): Promise<number> => value(await scrape(node), 'sorcha_node_connections{direction="inbound"}') ?? 0
    for (let tries = 0; tries < 100 && await inboundOf(a) < 2; tries++) await new Promise(resolve => setTimeout(resolve, 100))
    const [textA, textB] = [await scrape(a), await scrape(b)]
    // a is the bootstrap node: both others dialled it; b dialled a.
    assert.ok((value(textA, 'sorcha_node_connections{direction="inbound"}') ?? 0) >= 2, textA)
    assert.ok((value(textB, 'sorcha_node_connections{direction="outbound"}') ?? 0) >= 1, textB)
    assert.match(textA, /^libp2p_/m)
    assert.match(textB, /^libp2p_/m)
    assert.notEqual(textA.match(/^libp2p_[a-z_]+ /gm)?.length ?? 0, 0)
  })

  it('health pings and rounds are counted as the monitor runs them', async () => {
    const b = net.nodes[1]!
    const before = value(await scrape(b), 'sorcha_health_pings_total{outcome="success"}') ?? 0
    const round = await services(b).health.runRound()
    assert.ok(round !== undefined && round.succeeded >= 1, JSON.stringify(round))
    const text = await scrape(b)
    assert.equal(value(text, 'sorcha_health_pings_total{outcome="success"}'), before + round.succeeded)
    assert.ok((value(text, 'sorcha_health_ping_rtt_seconds_count') ?? 0) >= round.succeeded)
    assert.ok((value(text, 'sorcha_health_rounds_total') ?? 0) >= 1)
    assert.ok((value(text, 'sorcha_health_score') ?? -1) >= 0)
  })

  it('a ban is counted, and the peer shows as banned', async () => {
    const [a, , c] = net.nodes as [SorchaNode, SorchaNode, SorchaNode]
    await services(a).peerList.ban(c.peerId.toString(), { now: Date.now(), reason: 'test', durationMs: 60_000 })
    const text = await scrape(a)
    assert.equal(value(text, 'sorcha_peers_bans_total'), 1)
    assert.equal(value(text, 'sorcha_peers_known{status="banned"}'), 1)
    // The event log recorded it too, and says so in its own families.
    const banEvents = async (): Promise<number> => value(await scrape(a), 'sorcha_events_total{type="peer_banned"}') ?? 0
    for (let tries = 0; tries < 100 && await banEvents() < 1; tries++) await new Promise(resolve => setTimeout(resolve, 50))
    assert.equal(await banEvents(), 1)
    assert.ok((value(await scrape(a), 'sorcha_events_stored') ?? 0) >= 1)
  })

  it('gRPC calls are counted by method and status, with their latency', async () => {
    const a = net.nodes[0]!
    const client = new SorchaClient({ endpoints: { grpc: services(a).gateway.current.grpcAddress }, transports: ['grpc-unary'] })
    try {
      await client.nodeInfo()
      await client.nodeInfo()
    } finally {
      client.close()
    }
    const text = await scrape(a)
    const ok = text.split('\n').filter(l => l.startsWith('sorcha_gateway_requests_total{api="grpc",') && l.includes('status="OK"'))
    assert.ok(ok.some(l => /method="\/sorcha\.api\.v1\.PeerDiscovery\/GetNodeInfo"/.test(l) && / 2$/.test(l)), ok.join('\n'))
    assert.match(text, /^sorcha_gateway_request_duration_seconds_count\{api="grpc",method="\/sorcha\.api\.v1\.PeerDiscovery\/GetNodeInfo"\} 2$/m)
  })

  it('a streaming call counts as an open stream while it runs, and as a request when it ends', async () => {
    const a = net.nodes[0]!
    const client = new SorchaClient({ endpoints: { grpc: services(a).gateway.current.grpcAddress }, transports: ['grpc-stream'] })
    const controller = new AbortController()
    const established = Promise.withResolvers<void>()
    const items: string[] = []
    const reading = (async () => {
      for await (const item of client.subscribe({}, { signal: controller.signal, onEstablished: () => { established.resolve() } })) {
        items.push(item.transaction?.txId ?? '')
        controller.abort()
      }
    })().catch(() => {})
    try {
      await established.promise
      assert.equal(value(await scrape(a), 'sorcha_gateway_open_streams{api="grpc"}'), 1)
      await gossipOf(a).publish({ registerId: 'reg-stream', payload: new TextEncoder().encode('streamed') })
      await reading
    } finally {
      controller.abort()
      client.close()
    }
    assert.equal(items.length, 1)
    let text = ''
    for (let tries = 0; tries < 50; tries++) {
      text = await scrape(a)
      if (value(text, 'sorcha_gateway_open_streams{api="grpc"}') === 0 && /method="\/sorcha\.api\.v1\.TransactionDistribution\/Subscribe/.test(text)) break
      await new Promise(resolve => setTimeout(resolve, 100))
    }
    assert.equal(value(text, 'sorcha_gateway_open_streams{api="grpc"}'), 0)
    assert.match(text, /^sorcha_gateway_requests_total\{api="grpc",method="\/sorcha\.api\.v1\.TransactionDistribution\/Subscribe[A-Za-z]*",status="(CANCELLED|OK)"\} 1$/m)
  })

  it('REST requests are counted by route and status, an SSE stream the client leaves included', async () => {
    const a = net.nodes[0]!
    const rest = (a.libp2p.services as unknown as { gateway: { current: { restUrl: string } } }).gateway.current.restUrl
    assert.equal((await fetch(`${rest}/v1/peers/not-a-peer-id`)).status, 400)
    assert.equal((await fetch(`${rest}/v1/nothing-here`)).status, 404)
    const controller = new AbortController()
    const res = await fetch(`${rest}/v1/transactions/stream`, { signal: controller.signal })
    assert.equal(res.status, 200)
    controller.abort()
    let text = ''
    for (let tries = 0; tries < 50 && !/method="GET \/v1\/transactions\/stream"/.test(text); tries++) {
      await new Promise(resolve => setTimeout(resolve, 100))
      text = await scrape(a)
    }
    assert.match(text, /^sorcha_gateway_requests_total\{api="rest",method="GET \/v1\/transactions\/stream",status="200"\} 1$/m)
    assert.match(text, /^sorcha_gateway_requests_total\{api="rest",method="GET \/v1\/peers\/:peerId",status="400"\} 1$/m)
    assert.match(text, /^sorcha_gateway_requests_total\{api="rest",method="GET unmatched",status="404"\} 1$/m)
  })

  it('a node with metrics off has no registry and no listener', () => {
    const c = net.nodes[2]!
    assert.equal(c.metrics, undefined)
    assert.equal(c.metricsUrl, '')
  })
})
