import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { defaultLogger } from '@libp2p/logger'
import { Counter, Histogram, Registry } from 'prom-client'
import { allows, FAMILY_LABELS, metricCatalogue } from '../../../src/metrics/catalogue.ts'
import { createNodeMetrics, type NodeMetrics } from '../../../src/metrics/index.ts'
import { LATENCY_BUCKETS_SECONDS } from '../../../src/metrics/families.ts'
import { createGatewayMetrics, type Api } from '../../../src/metrics/gateway.ts'
import { GOSSIP_KINDS } from '../../../src/metrics/gossip.ts'
import { cachedRender } from '../../../src/metrics/process.ts'

interface Series { name: string, labels: Record<string, string | number>, value: number }

async function series (metrics: NodeMetrics): Promise<Series[]> {
  const families = await metrics.registry.getMetricsAsJSON()
  return families.flatMap(f => f.values.map(v => ({ name: (v as { metricName?: string }).metricName ?? f.name, labels: v.labels as Record<string, string | number>, value: v.value })))
}

const valueOf = (all: Series[], name: string, labels: Record<string, string> = {}): number | undefined =>
  all.find(s => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value

/** A node's metrics bound to fake sources, with every recorder driven once per label value. */
function driven (): NodeMetrics {
  const m = createNodeMetrics()
  m.node.bind({ connections: () => [{ direction: 'inbound' }, { direction: 'outbound' }, { direction: 'outbound' }], connectivityState: () => 'online' })
  m.peers.bind({ countByStatus: () => ({ unknown: 1, connecting: 0, healthy: 5, degraded: 2, unreachable: 1, banned: 3 }), topology: () => ({ discoveryRounds: 4, exchanges: 9 }) })
  m.peers.banned(); m.peers.banned(); m.peers.unbanned()
  for (const source of ['bootstrap', 'dht', 'peer_exchange', 'inbound', 'manual', 'unknown', 'something-new']) m.peers.found(source)
  m.health.bind({ score: () => 73, nat: () => ({ natType: 'port-restricted-cone', reachability: 'private' }) })
  m.health.pingSucceeded(12); m.health.pingSucceeded(250); m.health.pingFailed(); m.health.roundDone()
  m.gossip.bind(() => ({
    strategy: 'sorcha', published: 3, delivered: 7, bodiesReceived: 11, store: { bytes: 4096, count: 10 },
    core: { duplicateBodies: 4, recent: 10, summariesSent: 2, graftsSent: 6, prunesSent: 1 },
    servesDropped: { pushes: 5, requests: 3 },
    reconcile: { sessionsStarted: 1, sessionsAnswered: 2, sessionsCompleted: 1, sessionsFailed: 0, needs: 5, recovered: 4 }
  }))
  for (const kind of GOSSIP_KINDS) { m.gossip.bytesIn(kind, 10); m.gossip.bytesOut(kind, 20) }
  m.gossip.verdict('accept', 'tx-valid'); m.gossip.verdict('accept', 'tx-valid'); m.gossip.verdict('reject', 'bad-chunk'); m.gossip.verdict('ignore', 'duplicate')
  m.gossip.fetched(40); m.gossip.firstReceipt(2, 150); m.gossip.firstReceipt(3, -5)
  m.queue.bind(() => ({ queued: 2, announced: 3, oldestAgeMs: 1500, bytes: 300, maxDepth: 100, confirmed: 8 }))
  m.gateway.bind({ rateLimited: () => 6, openStreams: () => ({ grpc: 1, rest: 2 }) })
  m.events.bind(() => ({ stored: 42, emitted: { peer_connected: 5, tx_received: 30 }, droppedUnwritten: 0 }))
  m.gateway.request('grpc', '/sorcha.api.v1.PeerDiscovery/GetNodeInfo', 'OK', 0.002)
  m.gateway.request('grpc', '/grpc.health.v1.Health/Check', 'OK', 0.001)
  m.gateway.request('rest', 'GET /v1/peers/:peerId', '404', 0.003)
  m.gateway.request('rest', 'POST unmatched', '404', 0.001)
  return m
}

describe('metric families: names, types and labels', () => {
  it('every sorcha_ family follows the naming rules and has exactly the labels the catalogue documents', () => {
    const catalogue = metricCatalogue()
    assert.ok(catalogue.length >= 35, `${catalogue.length} families`)
    for (const { name, type, labels } of catalogue) {
      assert.match(name, /^sorcha_[a-z]+_[a-z0-9_]+$/, name)
      if (type === 'counter') assert.match(name, /_total$/, `${name}: a counter ends in _total`)
      else assert.doesNotMatch(name, /_total$/, `${name}: only counters end in _total`)
      assert.doesNotMatch(name, /_(ms|milliseconds|kb|mb)$|_ms_/, `${name}: base units`)
      assert.deepEqual([...labels].sort(), Object.keys(FAMILY_LABELS[name] ?? {}).sort(), `${name}'s labels`)
      for (const label of labels) assert.doesNotMatch(label, /peer_?id|address|error|message/, `${name}: label ${label} is not from an enum`)
    }
    for (const name of Object.keys(FAMILY_LABELS)) assert.ok(catalogue.some(e => e.name === name), `${name} is documented but not registered`)
  })

  it('every exported series carries only allowed label values', async () => {
    const all = await series(driven())
    const sorcha = all.filter(s => s.name.startsWith('sorcha_'))
    assert.ok(sorcha.length > 100, `${sorcha.length} series`)
    for (const s of sorcha) {
      const family = s.name.replace(/_(bucket|sum|count)$/, '')
      const allowed = FAMILY_LABELS[family] ?? FAMILY_LABELS[s.name] ?? {}
      for (const [label, value] of Object.entries(s.labels)) {
        if (label === 'le') continue
        const values = allowed[label]
        assert.ok(values !== undefined, `${s.name}: unexpected label ${label}`)
        assert.ok(allows(values, String(value)), `${s.name}{${label}="${value}"} is not an allowed value`)
      }
    }
  })

  it('reads the services at scrape time and records what they report', async () => {
    const all = await series(driven())
    assert.equal(valueOf(all, 'sorcha_node_connections', { direction: 'outbound' }), 2)
    assert.equal(valueOf(all, 'sorcha_node_connections', { direction: 'inbound' }), 1)
    assert.equal(valueOf(all, 'sorcha_node_connectivity_state', { state: 'online' }), 1)
    assert.equal(valueOf(all, 'sorcha_node_connectivity_state', { state: 'offline' }), 0)
    assert.equal(valueOf(all, 'sorcha_peers_known', { status: 'banned' }), 3)
    assert.equal(valueOf(all, 'sorcha_peers_bans_total'), 2)
    assert.equal(valueOf(all, 'sorcha_peers_unbans_total'), 1)
    // A source the catalogue does not know is counted as unknown, never as a new label value.
    assert.equal(valueOf(all, 'sorcha_discovery_peers_found_total', { source: 'unknown' }), 2)
    assert.equal(valueOf(all, 'sorcha_discovery_rounds_total'), 4)
    assert.equal(valueOf(all, 'sorcha_health_pings_total', { outcome: 'success' }), 2)
    assert.equal(valueOf(all, 'sorcha_health_pings_total', { outcome: 'failure' }), 1)
    assert.equal(valueOf(all, 'sorcha_health_ping_rtt_seconds_count'), 2)
    assert.equal(all.find(s => s.name === 'sorcha_health_ping_rtt_seconds_bucket' && s.labels.le === 0.025)?.value, 1)
    assert.equal(valueOf(all, 'sorcha_health_score'), 73)
    assert.equal(valueOf(all, 'sorcha_nat_info', { nat_type: 'port-restricted-cone', reachability: 'private' }), 1)
    assert.equal(valueOf(all, 'sorcha_gossip_delivered_total', { strategy: 'sorcha' }), 7)
    assert.equal(valueOf(all, 'sorcha_gossip_duplicates_total', { strategy: 'sorcha' }), 4)
    assert.equal(valueOf(all, 'sorcha_gossip_tree_grafts_total', { strategy: 'sorcha' }), 6)
    assert.equal(valueOf(all, 'sorcha_gossip_tree_prunes_total', { strategy: 'sorcha' }), 1)
    assert.equal(valueOf(all, 'sorcha_gossip_pushes_dropped_total', { strategy: 'sorcha' }), 5)
    assert.equal(valueOf(all, 'sorcha_gossip_requests_refused_total', { strategy: 'sorcha' }), 3)
    assert.equal(valueOf(all, 'sorcha_gossip_bytes_total', { direction: 'out', kind: 'chunk' }), 20)
    assert.equal(valueOf(all, 'sorcha_gossip_verdicts_total', { verdict: 'accept', code: 'tx-valid' }), 2)
    assert.equal(valueOf(all, 'sorcha_gossip_hops_count', { strategy: 'sorcha' }), 2)
    assert.equal(valueOf(all, 'sorcha_reconcile_sessions_total', { outcome: 'answered' }), 2)
    assert.equal(valueOf(all, 'sorcha_reconcile_recovered_total', { strategy: 'sorcha' }), 4)
    assert.equal(valueOf(all, 'sorcha_queue_transactions', { state: 'announced' }), 3)
    assert.equal(valueOf(all, 'sorcha_queue_oldest_age_seconds'), 1.5)
    assert.equal(valueOf(all, 'sorcha_gateway_rate_limited_total'), 6)
    assert.equal(valueOf(all, 'sorcha_gateway_open_streams', { api: 'rest' }), 2)
    assert.equal(valueOf(all, 'sorcha_gateway_requests_total', { api: 'rest', method: 'GET /v1/peers/:peerId', status: '404' }), 1)
    assert.equal(valueOf(all, 'sorcha_events_total', { type: 'tx_received' }), 30)
    assert.equal(valueOf(all, 'sorcha_events_total', { type: 'peer_banned' }), 0)
    assert.equal(valueOf(all, 'sorcha_events_stored'), 42)
  })

  it('gateway requests: the same text as prom-client\'s Counter and Histogram render for the same requests', async () => {
    const ours = new Registry()
    const gateway = createGatewayMetrics(ours)
    const theirs = new Registry()
    const requests = new Counter({ name: 'sorcha_gateway_requests_total', help: 'API requests by API, method (gRPC method or REST route) and status', labelNames: ['api', 'method', 'status'], registers: [theirs] })
    const duration = new Histogram({ name: 'sorcha_gateway_request_duration_seconds', help: 'API request latency (for a streaming call, its whole life)', labelNames: ['api', 'method'], buckets: [...LATENCY_BUCKETS_SECONDS], registers: [theirs] })
    const calls: Array<[Api, string, string, number]> = [
      ['grpc', '/sorcha.api.v1.PeerDiscovery/GetNodeInfo', 'OK', 0.002], ['rest', 'GET /v1/peers/:peerId', '404', 0.003],
      ['grpc', '/sorcha.api.v1.PeerDiscovery/GetNodeInfo', 'UNAVAILABLE', 0.4], ['grpc', '/sorcha.api.v1.PeerDiscovery/GetNodeInfo', 'OK', 12],
      ['rest', 'POST unmatched', '404', 0.001], ['rest', 'GET /v1/peers/:peerId', '200', 0.03]
    ]
    for (const [api, method, status, seconds] of calls) {
      gateway.request(api, method, status, seconds)
      requests.inc({ api, method, status })
      duration.observe({ api, method }, seconds)
    }
    const families = (text: string): string => text.split('\n\n').filter(f => /sorcha_gateway_request(s_total|_duration_seconds) /.test(f)).map(f => f.trim()).join('\n\n')
    assert.equal(families(await ours.metrics()), families(await theirs.metrics()))
    assert.match(await ours.metrics(), /^sorcha_gateway_requests_total\{api="grpc",method="\/sorcha\.api\.v1\.PeerDiscovery\/GetNodeInfo",status="OK"\} 2$/m)
  })

  it('exports no labelled series for a service the node lacks (no made-up zeros)', async () => {
    const all = await series(createNodeMetrics())
    for (const name of ['sorcha_node_connections', 'sorcha_peers_known', 'sorcha_nat_info', 'sorcha_gossip_store_transactions', 'sorcha_queue_transactions', 'sorcha_gateway_open_streams', 'sorcha_gossip_verdicts_total', 'sorcha_events_total']) {
      assert.equal(all.filter(s => s.name === name).length, 0, name)
    }
  })

  it('bounds the verdict series even if codes were unbounded', async () => {
    const m = createNodeMetrics()
    m.gossip.bind(() => undefined)
    for (let i = 0; i < 1000; i++) m.gossip.verdict('reject', `code-${i}`)
    const verdicts = (await series(m)).filter(s => s.name === 'sorcha_gossip_verdicts_total')
    assert.equal(verdicts.length, 256)
  })

  it('keeps each node\'s metrics in its own registry, libp2p\'s included', async () => {
    const a = createNodeMetrics()
    const b = createNodeMetrics()
    a.peers.banned()
    const libA = a.libp2p({ logger: defaultLogger() })
    const libB = b.libp2p({ logger: defaultLogger() })
    const counterA = libA.registerCounter('libp2p_test_events_total')
    const counterB = libB.registerCounter('libp2p_test_events_total')
    counterA.increment(3)
    counterB.increment(1)
    // A component registering the same name twice on one node gets the same metric back.
    assert.equal(libA.registerCounter('libp2p_test_events_total'), counterA)
    assert.equal(valueOf(await series(a), 'libp2p_test_events_total'), 3)
    assert.equal(valueOf(await series(b), 'libp2p_test_events_total'), 1)
    assert.equal(valueOf(await series(a), 'sorcha_peers_bans_total'), 1)
    assert.equal(valueOf(await series(b), 'sorcha_peers_bans_total'), 0)
    // The process's metrics are kept once and served by every node.
    assert.equal(a.process, b.process)
    for (const node of [a, b]) assert.match(await node.render(), /^process_cpu_user_seconds_total /m)
    assert.match(await b.render(), /^sorcha_peers_bans_total 0$/m)
  })

  it('renders the process\'s metrics once for the scrapes of one window, afresh after it, never reusing a failure', async () => {
    let clock = 1_000
    let renders = 0
    let fail = false
    const render = cachedRender(async () => {
      renders++
      if (fail) throw new Error('collect failed')
      return `text ${renders}`
    }, 1_000, () => clock)
    assert.deepEqual(await Promise.all([render(), render()]), ['text 1', 'text 1'], 'two scrapes at once: one rendering')
    clock += 999
    assert.equal(await render(), 'text 1')
    clock += 1
    assert.equal(await render(), 'text 2', 'the window passed')
    clock += 1_000
    fail = true
    await assert.rejects(render(), /collect failed/)
    fail = false
    assert.equal(await render(), 'text 4', 'a failed rendering is not kept')
  })
})

describe('libp2p\'s byte counts per protocol', () => {
  /** A stand-in for a libp2p stream: send(), dispatchEvent() and a close event. */
  class FakeStream extends EventTarget {
    status = 'open'
    protocol = '/sorcha/tx-gossip/1.0.0'
    sent = 0
    send (data: Uint8Array): boolean { this.sent += data.byteLength; return true }
  }

  it('counts what streams send and receive, hands it over at scrape time and on close, and lets closed streams go', async () => {
    const m = createNodeMetrics()
    const lib = m.libp2p({ logger: defaultLogger() })
    const stream = new FakeStream()
    const conn = new FakeStream()
    lib.trackProtocolStream(stream as never)
    lib.trackMultiaddrConnection(conn as never)
    assert.equal(stream.send(new Uint8Array(100)), true)
    assert.equal(stream.sent, 100, 'the stream still sends')
    let delivered = 0
    stream.addEventListener('message', () => { delivered++ })
    stream.dispatchEvent(Object.assign(new Event('message'), { data: new Uint8Array(40) }))
    assert.equal(delivered, 1, 'the stream still dispatches')
    conn.send(new Uint8Array(7))
    const line = (text: string, key: string): number | undefined => {
      const found = text.split('\n').find(l => l.startsWith('libp2p_data_transfer_bytes_total{') && l.includes(`"${key}"`))
      return found === undefined ? undefined : Number(found.split(' ').pop())
    }
    let text = await m.render()
    assert.equal(line(text, '/sorcha/tx-gossip/1.0.0 sent'), 100)
    assert.equal(line(text, '/sorcha/tx-gossip/1.0.0 received'), 40)
    assert.equal(line(text, 'global sent'), 7)
    stream.send(new Uint8Array(5))
    stream.dispatchEvent(new Event('close'))
    stream.send(new Uint8Array(1000))
    text = await m.render()
    // A counter: what was sent before the close is added; after the close the stream is not counted.
    assert.equal(line(text, '/sorcha/tx-gossip/1.0.0 sent'), 105)
  })

  it('libp2p\'s plain counters (noise counts every packet) add to a number that prom-client takes at scrape time', async () => {
    const incs = { n: 0 }
    // prom-client's Counter takes its inc from the prototype when it is made.
    const proto = Counter.prototype as unknown as { incWithoutExemplar: (...args: unknown[]) => unknown }
    const original = proto.incWithoutExemplar
    proto.incWithoutExemplar = function (this: unknown, ...args: unknown[]) { incs.n++; return original.apply(this, args) }
    try {
      const m = createNodeMetrics()
      const lib = m.libp2p({ logger: defaultLogger() })
      const packets = lib.registerCounter('libp2p_noise_encrypted_packets_total', { help: 'Total count of noise encrypted packets successfully' })
      let calculated = 0
      lib.registerCounter('libp2p_test_calculated_total', { calculate: () => ++calculated })
      const before = incs.n
      for (let i = 0; i < 1000; i++) packets.increment()
      packets.increment(5)
      for (const refused of [Number.NaN, -1, Infinity]) packets.increment(refused)
      assert.equal(incs.n, before, 'no prom-client call per increment')
      const value = (text: string, name: string): number | undefined => Number(text.split('\n').find(l => l.startsWith(`${name} `))?.split(' ')[1])
      let text = await m.render()
      assert.equal(value(text, 'libp2p_noise_encrypted_packets_total'), 1005)
      assert.match(text, /^# TYPE libp2p_noise_encrypted_packets_total counter$/m)
      assert.equal(value(text, 'libp2p_test_calculated_total'), 1, 'a calculated counter is still calculated at scrape time')
      packets.increment(2)
      assert.equal(valueOf(await series(m), 'libp2p_noise_encrypted_packets_total'), 1007, 'read straight from the registry too')
      packets.reset()
      packets.increment()
      text = await m.render()
      assert.equal(value(text, 'libp2p_noise_encrypted_packets_total'), 1)
    } finally {
      proto.incWithoutExemplar = original
    }
  })

  it('reads a TCP connection\'s bytes from its socket\'s own counts, with no wrapper per message', async () => {
    const m = createNodeMetrics()
    const lib = m.libp2p({ logger: defaultLogger() })
    const socket = { bytesRead: 10, bytesWritten: 20 }
    const conn = Object.assign(new FakeStream(), { socket })
    lib.trackMultiaddrConnection(conn as never)
    assert.equal(Object.hasOwn(conn, 'send'), false, 'send is not wrapped')
    assert.equal(Object.hasOwn(conn, 'dispatchEvent'), false, 'dispatchEvent is not wrapped')
    socket.bytesRead += 300
    socket.bytesWritten += 50
    const global = (text: string, direction: string): number | undefined => {
      const found = text.split('\n').find(l => l.startsWith('libp2p_data_transfer_bytes_total{') && l.includes(`"global ${direction}"`))
      return found === undefined ? undefined : Number(found.split(' ').pop())
    }
    let text = await m.render()
    assert.equal(global(text, 'received'), 300, 'what the socket read since it was tracked')
    assert.equal(global(text, 'sent'), 50)
    socket.bytesWritten += 7
    conn.dispatchEvent(new Event('close'))
    socket.bytesWritten += 1000
    text = await m.render()
    assert.equal(global(text, 'sent'), 57, 'added at close; nothing after it')
    assert.equal(global(text, 'received'), 300)
  })
})
