import { test } from 'node:test'
import assert from 'node:assert/strict'
import { loadScenarioFile } from '../../simulations/scenario/load.ts'
import { runSimulated, runSimulatedAsync } from '../../simulations/run.ts'
import { toCsv } from '../../simulations/report/csv.ts'
import type { Scenario } from '../../simulations/scenario/schema.ts'

const file = (name: string): string => new URL(`../../simulations/scenarios/${name}`, import.meta.url).pathname

/** Summary and time series of a run on `threads` threads, as the reports write them. */
async function outcome (scenario: Scenario, threads: number): Promise<{ summary: string, csv: string, threads: number, collections: number | undefined }> {
  const run = await runSimulatedAsync(structuredClone(scenario), { threads, sampleMemory: false })
  return { summary: JSON.stringify(run.summary), csv: toCsv(run.result.metrics.samples), threads: run.threads, collections: run.result.alignedCollections }
}

async function assertSameOnAnyThreadCount (scenario: Scenario): Promise<Record<string, unknown>> {
  const one = await outcome(scenario, 1)
  assert.equal(one.threads, 1)
  for (const threads of [2, 3]) {
    const many = await outcome(scenario, threads)
    assert.equal(many.threads, threads, 'the run was spread over worker threads')
    assert.equal(many.summary, one.summary, `summary on ${threads} threads`)
    assert.equal(many.csv, one.csv, `time series on ${threads} threads`)
    // The workers collected their young generations together at window boundaries (engine/worker.ts).
    assert.ok(many.collections !== undefined && many.collections > 0, `aligned collections on ${threads} threads`)
  }
  return JSON.parse(one.summary) as Record<string, unknown>
}

test('parallel: churn, NAT, a partition and anti-entropy summaries give the same summary and time series on 1, 2 and 3 threads', async () => {
  const scenario = loadScenarioFile(file('churn-1000.yaml'), { nodes: 300, seed: 5 })
  scenario.durationMs = 12_000
  scenario.workload.transactions = 40
  scenario.faults.partitions.push({ fromMs: 2000, toMs: 4000, fraction: 0.5 })
  const s = await assertSameOnAnyThreadCount(scenario) as { drops: { partition: number }, nodesCreated: number, liveNodesAtEnd: number, deliveredFraction: number }
  assert.ok(s.drops.partition > 0 && s.nodesCreated > 300 && s.liveNodesAtEnd < s.nodesCreated, 'the run had a partition, joins and departures')
  assert.ok(s.deliveredFraction > 0.9)
})

test('parallel: loss, a narrow uplink and per-link latency with jitter give the same summary on 1, 2 and 3 threads', async () => {
  const scenario = loadScenarioFile(file('baseline-100.yaml'), { seed: 8 })
  scenario.network = { ...scenario.network, lossRate: 0.05, uplinkBytesPerSec: 50_000 }
  scenario.latency = { kind: 'uniform', minMs: 2, maxMs: 30, mode: 'per-link', jitterMs: 3 }
  const s = await assertSameOnAnyThreadCount(scenario) as { drops: { loss: number } }
  assert.ok(s.drops.loss > 0, 'messages were lost')
})

test('parallel: a latency model that can draw 0 ms has no lookahead, so the run stays on one thread', async () => {
  const scenario = loadScenarioFile(file('smoke-10.yaml'))
  scenario.latency = { kind: 'uniform', minMs: 0, maxMs: 10, mode: 'per-message', jitterMs: 0 }
  const run = await runSimulatedAsync(scenario, { threads: 2, sampleMemory: false })
  assert.equal(run.threads, 1)
  assert.equal(run.summary.deliveredFraction, 1)
})

test('parallel: nodes that share one CPU are one global queue, so the run stays on one thread', async () => {
  const scenario = loadScenarioFile(file('compare-50.yaml'))
  const run = await runSimulatedAsync(scenario, { threads: 2, sampleMemory: false })
  assert.equal(run.threads, 1)
  assert.equal(JSON.stringify(run.summary), JSON.stringify(runSimulated(scenario, { sampleMemory: false }).summary))
})
