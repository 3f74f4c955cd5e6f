/**
 * The region latency model (simulations/network/regions.ts): placement from the seed with exact
 * shares, half-RTT delays in the simulator's network model and in the testbed's links (the same
 * placement in both), and the scenario checks around it.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { createRng } from '../../protocols/common/rng.ts'
import { NetworkModel } from '../../simulations/network/network-model.ts'
import { RegionMap, regionCounts, type RegionLatencySpec } from '../../simulations/network/regions.ts'
import { loadScenarioFile, toPlan, validateScenario } from '../../simulations/scenario/load.ts'
import { runSimulated } from '../../simulations/run.ts'
import { testbedPlan } from '../../simulations/testbed/plan.ts'

const regions = [{ name: 'a', share: 0.5 }, { name: 'b', share: 0.3 }, { name: 'c', share: 0.2 }]
const rttMs = [[4, 60, 200], [60, 6, 120], [200, 120, 10]]
const scenario = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  name: 'regions',
  nodes: 20,
  durationMs: 5000,
  topology: { kind: 'k-regular', degree: 4 },
  latency: { kind: 'regions', regions, rttMs, jitterMs: 3 },
  workload: { transactions: 10, ratePerSec: 5 },
  ...over
})
const spec = (seed: number, initialNodes: number): RegionLatencySpec =>
  ({ kind: 'regions', names: ['a', 'b', 'c'], shares: [0.5, 0.3, 0.2], rttMs, seed, initialNodes })

test('region counts are exact by largest remainder, ties to the earlier region', () => {
  assert.deepEqual(regionCounts([0.3, 0.15, 0.3, 0.15, 0.1], 50), [15, 8, 15, 7, 5])
  assert.deepEqual(regionCounts([0.5, 0.5], 3), [2, 1])
  assert.deepEqual(regionCounts([1], 7), [7])
  assert.deepEqual(regionCounts([0.2, 0.8], 0), [0, 0])
})

test('placement comes from the seed: exact shares for the initial nodes, by share for later ones', () => {
  const m = new RegionMap(spec(7, 20), 5020)
  assert.deepEqual(m.census(20), { a: 10, b: 6, c: 4 })
  assert.deepEqual([...new RegionMap(spec(7, 20), 20).regionOfNode], [...m.regionOfNode.subarray(0, 20)], 'the same seed, the same placement')
  assert.notDeepEqual([...new RegionMap(spec(8, 20), 20).regionOfNode], [...m.regionOfNode.subarray(0, 20)], 'another seed, another order')
  // 5,000 joiners drawn by share: each region within 3 % of its share.
  const later = { a: 0, b: 0, c: 0 }
  for (let i = 20; i < 5020; i++) later[(['a', 'b', 'c'] as const)[m.regionOf(i)]!]++
  assert.ok(Math.abs(later.a / 5000 - 0.5) < 0.03 && Math.abs(later.b / 5000 - 0.3) < 0.03 && Math.abs(later.c / 5000 - 0.2) < 0.03, JSON.stringify(later))
  // A link's delay is half its regions' RTT, the same both ways.
  for (let i = 0; i < 20; i++) {
    for (let j = 0; j < 20; j++) {
      assert.equal(m.oneWayMs(i, j), rttMs[m.regionOf(i)]![m.regionOf(j)]! / 2)
      assert.equal(m.oneWayMs(i, j), m.oneWayMs(j, i))
    }
  }
})

test('the simulator and the testbed give every link the same region delay', () => {
  const s = validateScenario(scenario())
  const plan = toPlan(s, {})
  assert.equal(plan.network.latencyMode, 'per-link')
  const net = new NetworkModel(plan.network, createRng(1), 20)
  const tb = testbedPlan(s)
  const map = new RegionMap(spec(s.seed, 20), 20)
  for (let i = 0; i < 20; i++) {
    for (let j = 0; j < 20; j++) {
      if (i === j) continue
      const half = map.oneWayMs(i, j)
      const d = net.latency(i, j, i * 100 + j)
      assert.ok(d >= half && d < half + 3, `sim ${i}->${j}: ${d} against ${half} + [0, 3)`)
      assert.deepEqual(tb.link(i, j), { baseMs: half, jitterMs: 3, lossRate: 0 })
    }
  }
  assert.equal(net.minLatencyMs, 2)
})

test('a region run in the simulator is reproducible and no receipt beats its regions', () => {
  const a = runSimulated(validateScenario(scenario()))
  const b = runSimulated(validateScenario(scenario()))
  assert.deepEqual(a.summary, b.summary)
  assert.equal(a.summary.deliveredFraction, 1)
  assert.ok(a.summary.latencyMs.p50! >= 2, `p50 ${a.summary.latencyMs.p50}`)
  assert.ok(a.summary.latencyMs.max! >= 30, 'someone is across the 60 ms or 120 ms RTT')
})

test('the WAN campaign scenario loads and places 50 nodes over 5 regions', () => {
  const s = loadScenarioFile(join(import.meta.dirname, '../../simulations/testbed/scenarios/wan-50.yaml'))
  const latency = toPlan(s, {}).network.latency
  assert.equal(latency.kind, 'regions')
  if (latency.kind !== 'regions') return
  assert.deepEqual(Object.values(new RegionMap(latency, 50).census()), [15, 8, 15, 7, 5])
})

const bad: Array<[string, Record<string, unknown>, string]> = [
  ['asymmetric RTT', { rttMs: [[4, 60, 200], [61, 6, 120], [200, 120, 10]] }, 'latency.rttMs.0.1'],
  ['shares not summing to 1', { regions: [{ name: 'a', share: 0.5 }, { name: 'b', share: 0.3 }, { name: 'c', share: 0.3 }] }, 'latency.regions'],
  ['duplicate names', { regions: [{ name: 'a', share: 0.5 }, { name: 'a', share: 0.3 }, { name: 'c', share: 0.2 }] }, 'latency.regions'],
  ['missing row', { rttMs: [[4, 60, 200], [60, 6, 120]] }, 'latency.rttMs'],
  ['short row', { rttMs: [[4, 60, 200], [60, 6], [200, 120, 10]] }, 'latency.rttMs.1'],
  ['negative RTT', { rttMs: [[4, -1, 200], [-1, 6, 120], [200, 120, 10]] }, 'latency.rttMs.0.1'],
  ['a mode', { mode: 'per-message' }, 'latency.mode'],
  ['no regions', { regions: [] }, 'latency.regions']
]

for (const [what, change, key] of bad) {
  test(`rejects a bad region model (${what}) naming the key`, () => {
    const input = scenario({ latency: { kind: 'regions', regions, rttMs, jitterMs: 3, ...change } })
    assert.throws(() => validateScenario(input, 'bad.yaml'), (err: Error & { key?: string }) => {
      assert.equal(err.name, 'ScenarioError')
      assert.equal(err.key, key)
      assert.ok(!err.message.includes('\n'))
      return true
    })
  })
}
