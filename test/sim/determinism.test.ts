import { test } from 'node:test'
import assert from 'node:assert/strict'
import { loadScenarioFile } from '../../simulations/scenario/load.ts'
import { runSimulated } from '../../simulations/run.ts'

const file = (name: string): string => new URL(`../../simulations/scenarios/${name}`, import.meta.url).pathname

test('determinism: the same scenario and seed give a byte-identical JSON summary (tx-gossip, churn, NAT, partition)', () => {
  // churn-1000 exercises joins, leaves, crashes, NAT and anti-entropy; 300 nodes keep the test quick.
  const run = (seed: number): string => {
    const scenario = loadScenarioFile(file('churn-1000.yaml'), { nodes: 300, seed })
    scenario.durationMs = 15_000
    scenario.workload.transactions = 60
    scenario.faults.partitions.push({ fromMs: 2000, toMs: 4000, fraction: 0.5 })
    return JSON.stringify(runSimulated(scenario, { sampleMemory: false }).summary)
  }
  const a = run(11)
  const b = run(11)
  assert.equal(a, b)
  const parsed = JSON.parse(a) as { transactions: number, events: number, drops: { partition: number }, nodesCreated: number }
  assert.equal(parsed.transactions, 60)
  assert.ok(parsed.drops.partition > 0 && parsed.nodesCreated > 300, 'the run exercised partitions and joins')
  assert.notEqual(run(12), a, 'another seed gives another run')
})

test('the shipped smoke scenario delivers every transaction to every node exactly once', () => {
  const { summary } = runSimulated(loadScenarioFile(file('smoke-10.yaml')))
  assert.equal(summary.deliveredFraction, 1)
  assert.equal(summary.duplicateDeliveries, 0)
  assert.equal(summary.transactions, 20)
  assert.ok(summary.copiesPerNode <= 1.5)
})

test('partition-heal: cut while the partition lasts, complete after it heals', () => {
  const scenario = loadScenarioFile(file('partition-heal.yaml'), { nodes: 200 })
  const { summary, result } = runSimulated(scenario, { sampleMemory: false })
  assert.ok(summary.drops.partition! > 0)
  const during = result.metrics.samples.filter(s => s.tMs > 3000 && s.tMs <= 8000)
  assert.ok(during.every(s => s.coverage < 0.9), 'the two halves cannot reach each other')
  assert.equal(summary.deliveredFraction, 1)
})
