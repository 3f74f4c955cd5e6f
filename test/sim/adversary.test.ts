/**
 * Attackers in the simulator (scenario key `adversary`, simulations/protocols/tx-gossip-adversary.ts),
 * small versions of simulations/scenarios/attack-*-10000.yaml: 300 nodes, seconds each. Each attack
 * runs beside its control, the same nodes and links with the attackers behaving (`behaviour: honest`).
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { validateScenario } from '../../simulations/scenario/load.ts'
import { runSimulated, runSimulatedAsync } from '../../simulations/run.ts'
import type { Scenario } from '../../simulations/scenario/schema.ts'
import type { Summary } from '../../simulations/report/summary.ts'

/** 300 nodes (240 honest when 20 % attack), 40 transactions from 5 honest publishers over 4 s. */
function scenario (adversary: Record<string, unknown>, extra: Record<string, unknown> = {}): Scenario {
  return validateScenario({
    name: 'adversary-test',
    seed: 3,
    nodes: 300,
    durationMs: 40_000,
    topology: { kind: 'k-regular', degree: 8 },
    latency: { kind: 'preset', name: 'continental' },
    workload: { transactions: 40, ratePerSec: 10, sizeBytes: 512, publishers: 5 },
    protocol: { name: 'tx-gossip', params: { antiEntropyIntervalMs: 2000, recentMax: 256, seenExpectedItems: 1024 } },
    adversary,
    ...extra
  })
}

const run = (adversary: Record<string, unknown>, extra?: Record<string, unknown>): Summary =>
  runSimulated(scenario(adversary, extra), { sampleMemory: false }).summary

const noActions = { graylist: 0, disconnect: 0, ban: 0 }

test('20 % censors (relay nothing): every honest node gets every transaction; no rule is broken, so nobody is penalised', () => {
  const s = run({ fraction: 0.2, behaviour: 'censor' })
  const a = s.adversary!
  assert.equal(a.attackers, 60)
  assert.equal(a.honestNodes, 240)
  assert.equal(a.honestDeliveredFraction, 1)
  assert.equal(a.honestAllReachedFraction, 1)
  // Attackers' own receipts are not counted: over all 300 nodes, exactly the honest 240 got them.
  assert.equal(s.deliveredFraction, 0.8)
  assert.deepEqual(a.reputation.againstAttackers, noActions)
  assert.deepEqual(a.reputation.againstHonest, noActions)
})

test('20 % withholders (announce, never serve): honest nodes graylist them with the reputation core, never an honest peer, and every transaction arrives', () => {
  const attack = run({ fraction: 0.2, behaviour: 'withhold' })
  const control = run({ fraction: 0.2, behaviour: 'honest' })
  const a = attack.adversary!
  assert.equal(a.honestDeliveredFraction, 1)
  assert.equal(control.adversary!.honestDeliveredFraction, 1)
  assert.ok(a.reputation.againstAttackers.graylist > 0, JSON.stringify(a.reputation))
  assert.deepEqual(a.reputation.againstHonest, noActions)
  assert.deepEqual(control.adversary!.reputation.againstAttackers, noActions)
  assert.ok((attack.verdicts['ignore:graylisted'] ?? 0) > 0)
  assert.ok((attack.verdicts['ignore:unserved-fetch'] ?? 0) > 0)
  // The attack costs time (fetches wait for their timeout), which the control does not pay.
  assert.ok(attack.latencyMs.p99! > 2 * control.latencyMs.p99!, `${attack.latencyMs.p99} against ${control.latencyMs.p99}`)
  console.log(JSON.stringify({ test: 'adversary-withhold', attack: { latency: attack.latencyMs, adversary: a }, control: control.latencyMs }))
})

test('flooders of fake announcements are graylisted and the honest nodes still get everything', () => {
  const s = run({ fraction: 0.2, behaviour: 'flood', flood: { ids: 10, sizeBytes: 512, intervalMs: 1000 } })
  const a = s.adversary!
  assert.equal(a.honestDeliveredFraction, 1)
  assert.ok(a.reputation.againstAttackers.graylist > 0)
  assert.deepEqual(a.reputation.againstHonest, noActions)
})

test('an eclipse isolates its target when none of its links is protected, and not when two are', () => {
  const eclipse = { target: 7, attackers: 64, behaviour: 'censor' }
  const bare = run({ eclipse: { ...eclipse, keepLinks: 0 } }).adversary!
  const kept = run({ eclipse: { ...eclipse, keepLinks: 2 } }).adversary!
  assert.equal(bare.attackers, 64)
  assert.equal(bare.honestNodesWithNothing, 1)
  assert.equal(bare.honestNodes, 300)
  assert.equal(bare.honestDeliveredFraction, Number((1 - 1 / 300).toFixed(6)))
  assert.equal(kept.honestNodesWithNothing, 0)
  assert.equal(kept.honestDeliveredFraction, 1)
})

test('a Sybil flash of 10 × the honest nodes joins at once; it is counted apart and the honest nodes keep receiving', async () => {
  const s = scenario({ behaviour: 'censor', sybil: { atMs: 1000, count: 1000 } }, { nodes: 100, workload: { transactions: 30, ratePerSec: 10, sizeBytes: 512, publishers: 5 } })
  const one = runSimulated(s, { sampleMemory: false }).summary
  const a = one.adversary!
  assert.equal(a.attackers, 1000)
  assert.equal(one.nodesCreated, 1100)
  assert.equal(a.honestNodes, 100)
  assert.ok(a.honestDeliveredFraction > 0.95, String(a.honestDeliveredFraction))
  // Attackers and reputation are per node and per shard: two threads give the same summary.
  const two = await runSimulatedAsync(s, { sampleMemory: false, threads: 2 })
  assert.equal(two.threads, 2)
  assert.deepEqual(two.summary, one)
})

test('an adversary needs fixed honest publishers and an existing target (one line naming the key)', () => {
  const cases: Array<[Record<string, unknown>, Record<string, unknown>, string, string]> = [
    [{ fraction: 0.2 }, { workload: { transactions: 1, ratePerSec: 1, publishers: 'all' } }, 'workload.publishers', 'a number of publishers when adversary is set (attackers never publish)'],
    [{ eclipse: { target: 300, attackers: 4 } }, {}, 'adversary.eclipse.target', 'an initial node, below nodes (300)'],
    [{ fraction: 0.2 }, { protocol: { name: 'tx-gossip', params: { reconcile: true } } }, 'adversary', 'only with protocol tx-gossip without reconcile'],
    [{ fraction: 0.2, behaviour: 'sneaky' }, {}, 'adversary.behaviour', 'one of honest, silent, censor, withhold, flood']
  ]
  for (const [adversary, extra, key, allowed] of cases) {
    assert.throws(() => scenario(adversary, extra), (err: Error & { key?: string, allowed?: string }) => {
      assert.equal(err.name, 'ScenarioError')
      assert.equal(err.key, key)
      assert.equal(err.allowed, allowed)
      assert.ok(!err.message.includes('\n'))
      return true
    })
  }
})
