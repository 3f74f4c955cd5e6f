/**
 * The offline scenario of simulations/scenarios/offline-10000.yaml on a small, seeded network: 30 %
 * of the nodes are cut off while more transactions are published than anti-entropy's recent window
 * holds; with reconciliation every returning node ends with every transaction, without it they do
 * not. The same run on one thread and on two gives the same summary.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { loadScenarioFile } from '../../simulations/scenario/load.ts'
import { runSimulated, runSimulatedAsync } from '../../simulations/run.ts'
import type { Scenario } from '../../simulations/scenario/schema.ts'

const file = new URL('../../simulations/scenarios/offline-10000.yaml', import.meta.url).pathname

/** The shipped scenario at `nodes` nodes (300 unless said), as many transactions, and a recent window of 64. */
function small (reconcile: boolean, nodes = 300): Scenario {
  const scenario = loadScenarioFile(file, { nodes, seed: 5 })
  scenario.workload.transactions = nodes
  scenario.workload.ratePerSec = 30
  scenario.faults.offline = [{ fromMs: 2000, toMs: 16_000, fraction: 0.3 }]
  scenario.durationMs = 30_000
  scenario.protocol.params = { recentMax: 64, seenExpectedItems: 1024, reconcile }
  return scenario
}

test('returning nodes get every transaction they missed through reconciliation, and only with it', () => {
  const withIt = runSimulated(small(true), { sampleMemory: false }).summary
  const without = runSimulated(small(false), { sampleMemory: false }).summary
  const [back] = withIt.offline!
  assert.equal(back!.nodes, 90)
  assert.ok(back!.windowTransactions > 64 * 4, `published while away: ${back!.windowTransactions}`)
  assert.equal(back!.windowDeliveredFraction, 1)
  assert.equal(withIt.deliveredFraction, 1)
  assert.equal(withIt.duplicateDeliveries, 0)
  assert.ok(withIt.protocolBytes!['tx-reconcile']! > 0)
  // Without reconciliation they get what the offline nodes published themselves (it spreads by push
  // once they are back: about a third here) and anti-entropy's recent window (64), no more.
  assert.ok(without.offline![0]!.windowDeliveredFraction < 0.75, JSON.stringify(without.offline))
  assert.equal(without.protocolBytes, undefined)
  console.log(JSON.stringify({ test: 'offline-reconcile', with: { offline: withIt.offline, bytes: withIt.bytes, reconcileBytes: withIt.protocolBytes }, without: { offline: without.offline, bytes: without.bytes } }))
})

// At half the size: still more transactions published while away than the recent window holds.
test('the offline scenario is deterministic, on one thread or two', async () => {
  const a = await runSimulatedAsync(small(true, 150), { threads: 1, sampleMemory: false })
  const b = await runSimulatedAsync(small(true, 150), { threads: 2, sampleMemory: false })
  assert.ok(a.summary.offline![0]!.windowTransactions > 64, `published while away: ${a.summary.offline![0]!.windowTransactions}`)
  assert.equal(a.summary.offline![0]!.windowDeliveredFraction, 1)
  assert.equal(JSON.stringify(a.summary), JSON.stringify(b.summary))
})
