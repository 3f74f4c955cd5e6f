import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createRng } from '../../protocols/common/rng.ts'
import { latencyMean, latencySampler, LATENCY_PRESETS, type LatencySpec } from '../../simulations/network/latency.ts'
import { NetworkModel, type NetworkSpec } from '../../simulations/network/network-model.ts'
import { buildTopology } from '../../simulations/network/topology.ts'

const specs: LatencySpec[] = [
  { kind: 'constant', ms: 5 },
  { kind: 'uniform', minMs: 2, maxMs: 10 },
  { kind: 'normal', meanMs: 20, sdMs: 3 },
  { kind: 'lognormal', medianMs: 10, sigma: 0.5 },
  LATENCY_PRESETS.loopback!
]

test('latency samplers match their mean and never go below their floor', () => {
  for (const spec of specs) {
    const sample = latencySampler(spec)
    const rng = createRng(1)
    let sum = 0
    let min = Infinity
    const n = 50_000
    for (let i = 0; i < n; i++) { const v = sample(rng); sum += v; min = Math.min(min, v) }
    // The clamp at minMs only nudges the mean up; the spreads here keep that well inside 5 %.
    assert.ok(Math.abs(sum / n - latencyMean(spec)) / latencyMean(spec) < 0.05, `${spec.kind}: mean ${sum / n}`)
    assert.ok(min >= ('minMs' in spec && spec.minMs !== undefined && spec.kind !== 'uniform' ? spec.minMs : 0), `${spec.kind}: min ${min}`)
  }
})

const base: NetworkSpec = { latency: { kind: 'uniform', minMs: 1, maxMs: 50 }, latencyMode: 'per-message', jitterMs: 0, uplinkBytesPerSec: Infinity, lossRate: 0 }

test('per-link latency is stable for a link (both directions) and differs between links', () => {
  const net = new NetworkModel({ ...base, latencyMode: 'per-link' }, createRng(3), 10)
  assert.equal(net.latency(1, 2, 7), net.latency(1, 2, 8))
  assert.equal(net.latency(1, 2, 7), net.latency(2, 1, 9))
  const values = new Set([net.latency(1, 2, 1), net.latency(1, 3, 1), net.latency(4, 5, 1), net.latency(6, 7, 1)])
  assert.ok(values.size > 1)
  const jittery = new NetworkModel({ ...base, latencyMode: 'per-link', jitterMs: 5 }, createRng(3), 10)
  const d = jittery.latency(1, 2, 7) - net.latency(1, 2, 7)
  assert.ok(d >= 0 && d < 5)
})

test('a message\'s draws depend on its key only, not on the messages drawn before it', () => {
  const a = new NetworkModel({ ...base, lossRate: 0.3 }, createRng(4), 4)
  const b = new NetworkModel({ ...base, lossRate: 0.3 }, createRng(4), 4)
  const keys = Array.from({ length: 200 }, (_, i) => i * 0x100000000 + 3)
  const forward = keys.map(k => a.transmit(0, 1, 10, 0, k))
  const backward = keys.slice().reverse().map(k => b.transmit(0, 1, 10, 0, k)).reverse()
  assert.deepEqual(forward, backward)
  assert.ok(new Set(forward).size > 100, 'different keys draw different latencies')
  assert.ok(forward.includes('loss') && forward.some(v => typeof v === 'number'))
  // Another seed draws differently for the same keys.
  const other = new NetworkModel({ ...base, lossRate: 0.3 }, createRng(5), 4)
  assert.notDeepEqual(keys.map(k => other.transmit(0, 1, 10, 0, k)), forward)
})

test('the lookahead is the latency model\'s floor', () => {
  assert.equal(new NetworkModel(base, createRng(1), 2).minLatencyMs, 1)
  assert.equal(new NetworkModel({ ...base, latency: LATENCY_PRESETS.continental! }, createRng(1), 2).minLatencyMs, 5)
  assert.equal(new NetworkModel({ ...base, latency: { kind: 'normal', meanMs: 20, sdMs: 3 } }, createRng(1), 2).minLatencyMs, 0)
})

test('bandwidth serializes a node\'s uplink: back-to-back messages depart one after another', () => {
  const net = new NetworkModel({ ...base, latency: { kind: 'constant', ms: 10 }, uplinkBytesPerSec: 1000 }, createRng(1), 4)
  assert.equal(net.transmit(0, 1, 100, 0, 1), 110) // 100 ms on the wire, then 10 ms latency
  assert.equal(net.transmit(0, 2, 100, 0, 2), 210) // queued behind the first
  assert.equal(net.transmit(3, 2, 100, 0, 3), 110) // another node's uplink is free
  assert.equal(net.transmit(0, 1, 100, 500, 4), 610) // the uplink was idle again
})

test('a shared CPU serializes every node\'s messages, before each node\'s own uplink', () => {
  const net = new NetworkModel({ ...base, latency: { kind: 'constant', ms: 10 }, sharedCpuMsPerMessage: 2 }, createRng(1), 4)
  assert.equal(net.transmit(0, 1, 100, 0, 1), 12) // 2 ms of CPU, then 10 ms latency
  assert.equal(net.transmit(3, 2, 100, 0, 2), 14) // another node's message waits for the same CPU
  assert.equal(net.transmit(1, 0, 100, 3, 3), 16) // still busy until 4 ms
  assert.equal(net.transmit(2, 3, 100, 50, 4), 62) // the CPU was idle again
  const both = new NetworkModel({ ...base, latency: { kind: 'constant', ms: 10 }, sharedCpuMsPerMessage: 2, uplinkBytesPerSec: 1000 }, createRng(1), 4)
  assert.equal(both.transmit(0, 1, 100, 0, 1), 112) // CPU until 2 ms, 100 ms on the wire, 10 ms latency
  assert.equal(both.transmit(3, 2, 100, 0, 2), 114) // CPU until 4 ms, its own uplink is free
  assert.equal(both.transmit(0, 2, 100, 0, 3), 212) // CPU until 6 ms, then queued behind node 0's first
})

test('loss drops about the configured share; partitions drop only across sides and only while active', () => {
  const lossy = new NetworkModel({ ...base, lossRate: 0.2 }, createRng(5), 2)
  let lost = 0
  for (let i = 0; i < 20_000; i++) if (lossy.transmit(0, 1, 10, i, i) === 'loss') lost++
  assert.ok(Math.abs(lost / 20_000 - 0.2) < 0.01, `lost ${lost}`)
  const net = new NetworkModel(base, createRng(5), 4)
  net.addPartition({ fromMs: 100, toMs: 200, side: Uint8Array.from([0, 0, 1, 1]) })
  assert.equal(net.transmit(0, 2, 10, 150, 1), 'partition')
  assert.equal(typeof net.transmit(0, 1, 10, 150, 2), 'number')
  assert.equal(typeof net.transmit(0, 2, 10, 50, 3), 'number')
  assert.equal(typeof net.transmit(0, 2, 10, 200, 4), 'number')
})

const allPublic = (): boolean => true

test('k-regular gives every node exactly k distinct neighbours, symmetric, no self-loops', () => {
  const { adjacency, missingLinks } = buildTopology(1000, { kind: 'k-regular', degree: 8 }, createRng(2), allPublic)
  assert.equal(missingLinks, 0)
  adjacency.forEach((nbrs, i) => {
    assert.equal(nbrs.length, 8)
    assert.equal(new Set(nbrs).size, 8)
    assert.ok(!nbrs.includes(i))
    for (const j of nbrs) assert.ok(adjacency[j]!.includes(i))
  })
  assert.throws(() => buildTopology(9, { kind: 'k-regular', degree: 3 }, createRng(1), allPublic), { name: 'TopologyError' })
})

test('NAT: no link joins two NATed nodes, in every topology', () => {
  const isPublic = (i: number): boolean => i % 3 === 0
  for (const spec of [{ kind: 'k-regular', degree: 6 }, { kind: 'random', degree: 6 }, { kind: 'bootstrap', degree: 6, bootstrapNodes: 1, maxConnections: 1000 }] as const) {
    const { adjacency } = buildTopology(300, spec, createRng(9), isPublic)
    let links = 0
    adjacency.forEach((nbrs, i) => { for (const j of nbrs) { links++; assert.ok(isPublic(i) || isPublic(j), `${spec.kind}: ${i}-${j}`) } })
    assert.ok(links > 300, spec.kind)
  }
  assert.throws(() => buildTopology(5, { kind: 'random', degree: 2 }, createRng(1), () => false), { name: 'TopologyError' })
})

test('random, bootstrap and full topologies have the promised degrees', () => {
  const random = buildTopology(500, { kind: 'random', degree: 8 }, createRng(4), allPublic).adjacency
  assert.ok(random.every(n => n.length >= 4))
  const mean = random.reduce((s, n) => s + n.length, 0) / 500
  assert.ok(mean > 7.5 && mean <= 8, `mean ${mean}`)
  const boot = buildTopology(200, { kind: 'bootstrap', degree: 5, bootstrapNodes: 2, maxConnections: 50 }, createRng(4), allPublic).adjacency
  assert.ok(boot[0]!.length <= 50 && boot[0]!.length >= 40)
  assert.ok(boot.slice(10).every(n => n.length >= 5))
  const full = buildTopology(50, { kind: 'full' }, createRng(4), allPublic).adjacency
  assert.ok(full.every((n, i) => n.length === 49 && !n.includes(i)))
  assert.throws(() => buildTopology(6000, { kind: 'full' }, createRng(4), allPublic), { name: 'TopologyError' })
})
