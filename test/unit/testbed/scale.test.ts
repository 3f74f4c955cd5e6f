/** A scenario shrunk for a validation run (`--seconds`): the workload and every fault time scaled alike. */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { validateScenario } from '../../../simulations/scenario/load.ts'
import { scaleScenario, workloadSeconds } from '../../../simulations/testbed/scale.ts'

const scenario = validateScenario({
  name: 'scale',
  nodes: 10,
  durationMs: 300000,
  topology: { kind: 'k-regular', degree: 4 },
  workload: { transactions: 500, ratePerSec: 5, startMs: 1000 },
  faults: {
    crashes: [{ atMs: 30000, fraction: 0.3 }],
    partitions: [{ fromMs: 20000, toMs: 80000, fraction: 0.5 }],
    freezes: [{ fromMs: 20000, toMs: 80000, fraction: 0.1 }],
    restarts: [{ atMs: 10000, fraction: 1, downMs: 2000, everyMs: 5000 }, { atMs: 50000, fraction: 0.1, downMs: 1000 }]
  }
})

describe('scaleScenario', () => {
  it('the workload lasts the given seconds at the same rate, and every fault time scales with it; the duration stays', () => {
    assert.equal(workloadSeconds(scenario), 100)
    const s = scaleScenario(scenario, 20)
    assert.equal(workloadSeconds(s), 20)
    assert.equal(s.workload.ratePerSec, 5)
    assert.equal(s.workload.startMs, 200)
    assert.equal(s.durationMs, 300000)
    assert.deepEqual(s.faults.crashes, [{ atMs: 6000, fraction: 0.3 }])
    assert.deepEqual(s.faults.partitions, [{ fromMs: 4000, toMs: 16000, fraction: 0.5 }])
    assert.deepEqual(s.faults.freezes, [{ fromMs: 4000, toMs: 16000, fraction: 0.1 }])
    assert.deepEqual(s.faults.restarts, [{ atMs: 2000, fraction: 1, downMs: 400, everyMs: 1000 }, { atMs: 10000, fraction: 0.1, downMs: 200 }])
    assert.equal(s.nodes, 10)
  })

  it('keeps at least one transaction, and what it builds is validated again', () => {
    assert.equal(scaleScenario(scenario, 0.01).workload.transactions, 1)
    assert.throws(() => scaleScenario(scenario, -1), { name: 'ScenarioError' })
  })
})
