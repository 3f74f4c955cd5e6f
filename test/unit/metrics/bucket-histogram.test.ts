import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { Counter, Histogram, Registry } from 'prom-client'
import { registrySource } from '../../../src/dashboard/series.ts'
import { BucketHistogram } from '../../../src/metrics/bucket-histogram.ts'
import { createNodeMetrics } from '../../../src/metrics/index.ts'
import { LATENCY_BUCKETS_SECONDS } from '../../../src/metrics/families.ts'

/** A seeded stream of numbers in [0, 1) (mulberry32), so a failure can be replayed. */
function random (seed: number): () => number {
  let a = seed
  return () => {
    a = (a + 0x6D2B79F5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

interface Case { name: string, help: string, buckets: number[], labelNames: string[], labelSets: Array<Record<string, string>> }

const CASES: Case[] = [
  { name: 'sorcha_test_rtt_seconds', help: 'Round-trip time', buckets: [...LATENCY_BUCKETS_SECONDS], labelNames: [], labelSets: [{}] },
  { name: 'sorcha_test_hops', help: 'Relays a new transaction took', buckets: [1, 2, 3, 4, 5, 6, 8, 10, 12, 16], labelNames: ['strategy'], labelSets: [{ strategy: 'sorcha' }, { strategy: 'gossipsub' }] },
  {
    name: 'sorcha_test_request_duration_seconds',
    help: 'A help text with a \\ backslash and\na new line',
    buckets: [...LATENCY_BUCKETS_SECONDS],
    labelNames: ['api', 'method'],
    labelSets: [{ api: 'grpc', method: '/sorcha.api.v1.PeerDiscovery/GetNodeInfo' }, { api: 'rest', method: 'GET /v1/peers/:peerId' }, { api: 'rest', method: 'POST "quoted" \\ path' }]
  }
]

/** The same family as prom-client's Histogram and as a BucketHistogram, each in its own registry. */
function pair (c: Case): { theirs: Histogram, ours: BucketHistogram, a: Registry, b: Registry } {
  const a = new Registry()
  const b = new Registry()
  const theirs = new Histogram({ name: c.name, help: c.help, labelNames: c.labelNames, buckets: c.buckets, registers: [a] })
  const ours = new BucketHistogram({ name: c.name, help: c.help, labelNames: c.labelNames, buckets: c.buckets, registers: [b] })
  return { theirs, ours, a, b }
}

/** Values that hit every bucket, each bound exactly, below the first bound and above the last. */
function values (c: Case, next: () => number, n: number): number[] {
  const top = c.buckets.at(-1)! * 1.5
  const edges = [...c.buckets, 0, c.buckets[0]! / 2, top, c.buckets[0]! + Number.EPSILON]
  return [...edges, ...Array.from({ length: n }, () => next() < 0.2 ? edges[Math.floor(next() * edges.length)]! : next() * top)]
}

describe('BucketHistogram: the same exposition as prom-client\'s Histogram', () => {
  for (const c of CASES) {
    it(`${c.name} (${c.labelNames.length} labels): the same text and JSON before and after observations`, async () => {
      const { theirs, ours, a, b } = pair(c)
      assert.equal(await b.metrics(), await a.metrics(), 'before any observation')
      const next = random(c.labelNames.length + 1)
      const series = c.labelSets.map(labels => ours.series(labels))
      // One label set only at first (a labelled series is exported from its first observation).
      for (const value of values(c, next, 200)) {
        theirs.observe(c.labelSets[0]!, value)
        series[0]!.observe(value)
      }
      assert.equal(await b.metrics(), await a.metrics(), 'one series observed')
      for (const value of values(c, next, 2_000)) {
        const i = Math.floor(next() * c.labelSets.length)
        theirs.observe(c.labelSets[i]!, value)
        series[i]!.observe(value)
      }
      const text = await b.metrics()
      assert.equal(text, await a.metrics())
      assert.match(text, new RegExp(`^# TYPE ${c.name} histogram$`, 'm'))
      assert.match(text, new RegExp(`^${c.name}_bucket\\{le="\\+Inf"`, 'm'))
      assert.deepEqual(await b.getMetricsAsJSON(), await a.getMetricsAsJSON())
      assert.deepEqual(await ours.get(), await theirs.get(), 'getSingleMetric(name).get(), as the dashboard reads it')
    })
  }

  it('renders in its place among prom-client\'s metrics and is found by name', async () => {
    const registry = new Registry()
    const before = new Counter({ name: 'sorcha_test_before_total', help: 'before', registers: [registry] })
    const ours = new BucketHistogram({ name: 'sorcha_test_middle_seconds', help: 'middle', buckets: [0.1, 1], registers: [registry] })
    new Counter({ name: 'sorcha_test_after_total', help: 'after', registers: [registry] }).inc()
    before.inc(2)
    ours.series().observe(0.5)
    assert.equal(registry.getSingleMetric('sorcha_test_middle_seconds'), ours as unknown)
    assert.equal(await registry.metrics(), [
      '# HELP sorcha_test_before_total before', '# TYPE sorcha_test_before_total counter', 'sorcha_test_before_total 2', '',
      '# HELP sorcha_test_middle_seconds middle', '# TYPE sorcha_test_middle_seconds histogram',
      'sorcha_test_middle_seconds_bucket{le="0.1"} 0', 'sorcha_test_middle_seconds_bucket{le="1"} 1', 'sorcha_test_middle_seconds_bucket{le="+Inf"} 1',
      'sorcha_test_middle_seconds_sum 0.5', 'sorcha_test_middle_seconds_count 1', '',
      '# HELP sorcha_test_after_total after', '# TYPE sorcha_test_after_total counter', 'sorcha_test_after_total 1', ''
    ].join('\n'))
    assert.throws(() => new BucketHistogram({ name: 'sorcha_test_middle_seconds', help: 'again', buckets: [1], registers: [registry] }), /already been registered/)
  })

  it('hands the same series back for the same labels, counts no value that is not finite, and keeps series valid across reset()', async () => {
    const ours = new BucketHistogram({ name: 'sorcha_test_hops', help: 'h', buckets: [1, 2], labelNames: ['strategy'] })
    const series = ours.series({ strategy: 'sorcha' })
    assert.equal(ours.series({ strategy: 'sorcha' }), series)
    for (const value of [Number.NaN, Infinity, -Infinity, 2]) series.observe(value)
    const count = async (): Promise<number | undefined> => (await ours.get()).values.find(v => v.metricName === 'sorcha_test_hops_count')?.value
    assert.equal(await count(), 1)
    ours.reset()
    assert.equal((await ours.get()).values.length, 0, 'a labelled series with no observation is not exported')
    series.observe(1)
    assert.equal(await count(), 1)
  })

  it('refuses bad definitions and label sets with named errors', () => {
    const bad = [
      { name: 'sorcha test', help: 'h', buckets: [1] },
      { name: 'sorcha_test', help: 'h', buckets: [] },
      { name: 'sorcha_test', help: 'h', buckets: [2, 1] },
      { name: 'sorcha_test', help: 'h', buckets: [1, 1] },
      { name: 'sorcha_test', help: 'h', buckets: [1, Infinity] },
      { name: 'sorcha_test', help: 'h', buckets: [1], labelNames: ['le'] },
      { name: 'sorcha_test', help: 'h', buckets: [1], labelNames: ['a', 'a'] },
      { name: 'sorcha_test', help: 'h', buckets: [1], labelNames: ['bad-label'] }
    ]
    for (const init of bad) assert.throws(() => new BucketHistogram(init), { name: 'InvalidHistogramError' }, JSON.stringify(init))
    const h = new BucketHistogram({ name: 'sorcha_test', help: 'h', buckets: [1], labelNames: ['api', 'method'] })
    const sets: Array<Record<string, string>> = [{}, { api: 'grpc' }, { api: 'grpc', method: 'm', status: 'OK' }, { api: 'grpc', method: 3 as unknown as string }]
    for (const labels of sets) {
      assert.throws(() => h.series(labels), { name: 'InvalidHistogramLabelsError' }, JSON.stringify(labels))
    }
  })

  it('a node\'s gossip histograms count once per transaction, and the dashboard reads the first-receipt one from the registry', async () => {
    const m = createNodeMetrics()
    m.gossip.bind(() => ({ strategy: 'gossipsub', published: 0, delivered: 0, bodiesReceived: 0, store: { bytes: 0, count: 0 } }))
    m.gossip.firstReceipt(2, 30); m.gossip.firstReceipt(5, 700); m.gossip.firstReceipt(1, -4); m.gossip.fetched(12)
    const text = await m.registry.metrics()
    assert.match(text, /^sorcha_gossip_hops_count\{strategy="gossipsub"\} 3$/m)
    assert.match(text, /^sorcha_gossip_hops_bucket\{le="2",strategy="gossipsub"\} 2$/m)
    assert.match(text, /^sorcha_gossip_fetch_duration_seconds_bucket\{le="0.01",strategy="gossipsub"\} 0$/m)
    assert.match(text, /^sorcha_gossip_fetch_duration_seconds_bucket\{le="0.025",strategy="gossipsub"\} 1$/m)
    assert.doesNotMatch(text, /strategy="sorcha"/, 'no series for the strategy assumed before bind()')
    const { receipt } = await registrySource(m.registry).read()
    assert.deepEqual(receipt?.filter(([le]) => le === 0.025 || le === 0.05 || le === 1 || le === Infinity), [[0.025, 1], [0.05, 2], [1, 3], [Infinity, 3]])
  })
})
