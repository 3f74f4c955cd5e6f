import { test } from 'node:test'
import assert from 'node:assert/strict'
import { registerProtocol } from '../../simulations/protocols/index.ts'
import { validateScenario } from '../../simulations/scenario/load.ts'
import { runSimulated } from '../../simulations/run.ts'
import { pushBinding } from './helpers/push-core.ts'

registerProtocol(pushBinding('test-push', { fanoutMean: 4 }))
registerProtocol(pushBinding('test-flood', { fanoutMean: 8 }))
registerProtocol(pushBinding('test-push-repeat', { fanoutMean: 3, repeatEveryMs: 100 }))

const scenario = (extra: Record<string, unknown> = {}): ReturnType<typeof validateScenario> => validateScenario({
  name: 'engine-test',
  nodes: 200,
  durationMs: 5000,
  topology: { kind: 'k-regular', degree: 8 },
  latency: { kind: 'uniform', minMs: 5, maxMs: 15 },
  workload: { transactions: 20, ratePerSec: 20 },
  protocol: { name: 'test-push' },
  ...extra
})

test('determinism: the same scenario and seed give a byte-identical JSON summary', () => {
  const extra = { network: { lossRate: 0.05, natFraction: 0.2 }, churn: { rate: { fromMs: 0, toMs: 3000, joinsPerSec: 5, crashesPerSec: 5, leavesPerSec: 5 } } }
  const a = JSON.stringify(runSimulated(scenario(extra)).summary)
  const b = JSON.stringify(runSimulated(scenario(extra)).summary)
  assert.equal(a, b)
  const c = JSON.stringify(runSimulated(scenario({ ...extra, seed: 2 })).summary)
  assert.notEqual(a, c)
})

test('a flooding run reaches everyone with plausible latency, hops and traffic figures', () => {
  const { summary } = runSimulated(scenario({ protocol: { name: 'test-flood' } }))
  assert.equal(summary.transactions, 20)
  assert.equal(summary.deliveredFraction, 1)
  assert.equal(summary.duplicateDeliveries, 0)
  assert.ok(summary.latencyMs.p50! >= 5 && summary.latencyMs.p99! < 400)
  assert.equal(summary.hops['0'], round4(20 / (20 * 200)))
  // Each node forwards its first copy to all 8 neighbours: messages = transactions × nodes × 8.
  assert.equal(summary.messages, 20 * 200 * 8)
  assert.equal(summary.bytes, summary.messages * 100)
  assert.equal(summary.copiesPerNode, 8)
  assert.equal(summary.meanDegree, 8)
  const steps = summary.coverageStepMs
  assert.equal(steps.length, 10)
  for (let i = 1; i < steps.length; i++) assert.ok(steps[i]! >= steps[i - 1]!)
})

test('crashes and graceful leaves shrink the live set; joiners get transactions published after they join', () => {
  const { summary, result } = runSimulated(scenario({
    workload: { transactions: 20, ratePerSec: 10, startMs: 600 },
    churn: { events: [{ atMs: 100, kind: 'join', count: 10 }, { atMs: 200, kind: 'leave', count: 5 }] },
    faults: { crashes: [{ atMs: 300, fraction: 0.1 }] }
  }))
  assert.equal(summary.nodesCreated, 210)
  assert.equal(summary.liveNodesAtEnd, 210 - 5 - Math.round(0.1 * 205))
  assert.equal(result.liveAtEnd.length, summary.liveNodesAtEnd)
  assert.ok(summary.deliveredFraction > 0.95, `delivered ${summary.deliveredFraction}`)
  const joiners = [...result.liveAtEnd].filter(n => n >= 200)
  assert.ok(joiners.length > 0)
  let got = 0
  for (const n of joiners) for (let t = 0; t < 20; t++) if (result.metrics.has(n, t)) got++
  assert.ok(got / (joiners.length * 20) > 0.8)
})

test('a partition stops transactions crossing until it heals; periodic repeats then reach everyone', () => {
  const part = { faults: { partitions: [{ fromMs: 0, toMs: 3000, fraction: 0.5 }] }, protocol: { name: 'test-push-repeat' }, durationMs: 8000, workload: { transactions: 5, ratePerSec: 10, startMs: 100 } }
  const { summary, result } = runSimulated(scenario(part))
  assert.ok(summary.drops.partition! > 0)
  assert.equal(summary.deliveredFraction, 1)
  const during = result.metrics.samples.find(s => s.tMs === 2000)!
  assert.ok(during.coverage > 0.3 && during.coverage < 0.7, `coverage during split ${during.coverage}`)
  const cut = runSimulated(scenario({ ...part, durationMs: 2500 })).summary
  assert.ok(cut.deliveredFraction < 0.7)
})

test('loss drops messages and a bounded uplink delays them', () => {
  const lossy = runSimulated(scenario({ network: { lossRate: 0.3 } })).summary
  assert.ok(lossy.drops.loss! > 0.25 * lossy.messages && lossy.drops.loss! < 0.35 * lossy.messages)
  const slow = runSimulated(scenario({ network: { uplinkBytesPerSec: 10_000 } })).summary
  const fast = runSimulated(scenario()).summary
  assert.ok(slow.latencyMs.p50! > fast.latencyMs.p50! + 20, `${slow.latencyMs.p50} vs ${fast.latencyMs.p50}`)
})

test('time series has one row per sample interval, with coverage rising to 1', () => {
  const { result } = runSimulated(scenario({ report: { sampleIntervalMs: 250 }, protocol: { name: 'test-flood' } }))
  const s = result.metrics.samples
  assert.equal(s.length, 20)
  assert.equal(s[0]!.tMs, 250)
  assert.equal(s.at(-1)!.coverage, 1)
  assert.ok(s.every(r => r.rssMb > 0))
})

test('fixed publishers: every transaction comes from one of the chosen nodes', () => {
  const { result } = runSimulated(scenario({ workload: { transactions: 30, ratePerSec: 50, publishers: 3 } }))
  const publishers = new Set<number>()
  for (let t = 0; t < 30; t++) publishers.add(result.metrics.publisherOf[t]!)
  assert.ok(publishers.size <= 3 && publishers.size >= 2, `publishers ${[...publishers].join(',')}`)
})

test('an unknown protocol is refused by name', () => {
  assert.throws(() => runSimulated(scenario({ protocol: { name: 'nope' } })), { name: 'UnknownProtocolError' })
})

function round4 (x: number): number { return Math.round(x * 1e4) / 1e4 }
