/**
 * The register scenario of simulations/scenarios/registers-10000.yaml on a small, seeded network
 * (issue 20): every transaction reaches every node serving its register and the relays, no other
 * node delivers one, a node receives about its registers' share of the bytes of the same run where
 * every node serves every register, and a scenario naming a bad register setting is refused.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { loadScenarioFile } from '../../simulations/scenario/load.ts'
import { runSimulated } from '../../simulations/run.ts'
import type { Scenario } from '../../simulations/scenario/schema.ts'

const file = new URL('../../simulations/scenarios/registers-10000.yaml', import.meta.url).pathname

/** The shipped scenario at 300 nodes, 10 registers (each served by about 60 nodes), 100 transactions. */
function small (allServe: boolean, transactions = 100): Scenario {
  const scenario = loadScenarioFile(file, { nodes: 300, seed: 3 })
  scenario.workload.transactions = transactions
  scenario.workload.ratePerSec = 50
  scenario.durationMs = 15_000
  scenario.protocol.params = { antiEntropyIntervalMs: 2000, registers: { count: 10, serve: 2, relays: 3, degree: 4, allServe } }
  return scenario
}

test('register scenario: delivery to exactly the serving nodes and relays, at about their share of the bytes', () => {
  const scoped = runSimulated(small(false), { sampleMemory: false }).summary
  const all = runSimulated(small(true), { sampleMemory: false }).summary
  const idle = runSimulated(small(false, 0), { sampleMemory: false }).summary
  const r = scoped.registers!
  assert.equal(r.deliveredFraction, 1)
  assert.equal(r.relayDeliveredFraction, 1)
  assert.equal(r.deliveredElsewhere, 0)
  assert.equal(scoped.duplicateDeliveries, 0)
  assert.equal(all.registers!.deliveredFraction, 1)
  // Each node serves 2 of 10 registers: a fifth of the traffic, plus the fixed overlay (anti-entropy).
  const share = 2 / 10
  const overlay = idle.registers!.bytesPerNode
  assert.ok(r.bytesPerNode <= 1.2 * share * all.registers!.bytesPerNode + overlay, JSON.stringify({ scoped: r.bytesPerNode, all: all.registers!.bytesPerNode, overlay }))
  console.log(JSON.stringify({ test: 'registers', scoped: r, all: all.registers, overlayBytesPerNode: overlay }))
})

test('register scenario: a bad register setting is refused with the key, the value and what is allowed', () => {
  const refused = (registers: unknown, key: string, allowed: string): void => {
    const scenario = small(false)
    scenario.protocol.params = { registers }
    assert.throws(() => runSimulated(scenario, { sampleMemory: false }), (err: Error) => {
      assert.equal(err.name, 'ScenarioError')
      assert.ok(err.message.includes(`protocol.params.registers${key} = `) && err.message.endsWith(`allowed: ${allowed}`), err.message)
      return true
    })
  }
  refused({ count: 10, serve: 11 }, '.serve', 'an integer from 1 to 10')
  refused({ count: 0 }, '.count', 'an integer from 1 to 100000')
  refused({ relays: -1 }, '.relays', 'an integer from 0 to 1000000')
  refused({ degree: 1 }, '.degree', 'an integer from 2 to 64')
  refused({ allServe: 'yes' }, '.allServe', 'true or false')
  refused({ size: 3 }, '.size', 'one of count, serve, relays, degree, allServe')
  refused([1], '', 'a map { count, serve, relays, degree, allServe }')
})
