/**
 * Real against simulated: simulations/scenarios/compare-50.yaml runs as 50 real nodes (libp2p on
 * 127.0.0.1, the tx-gossip service of src/gossip) and as 50 simulated cores, in the same topology,
 * with the same parameters and the same transactions. The simulated latency is calibrated to
 * loopback from a separate real run of the scenario with another seed (simulations/real/calibrate.ts).
 * The two runs must agree on (a) the distribution of hop counts at first receipt, within 5
 * percentage points at every hop, and (b) the time to reach each 10 % step of coverage, within 25 %
 * (or 20 ms, whichever is larger).
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { loadScenarioFile } from '../../simulations/scenario/load.ts'
import { runSimulated } from '../../simulations/run.ts'
import { runReal } from '../../simulations/real/run-real.ts'
import { calibrateLoopback, hopDistance } from '../../simulations/real/calibrate.ts'

const file = new URL('../../simulations/scenarios/compare-50.yaml', import.meta.url).pathname
// 512-byte bodies are above the inline threshold: every hop is inv, getdata, chunk.
const MESSAGES_PER_HOP = 3

test('compare-50: real and simulated runs agree on hops and on coverage times', { timeout: 900_000 }, async () => {
  const calibrationScenario = loadScenarioFile(file, { seed: 2 })
  const calibrationRun = await runReal(calibrationScenario, { sampleMemory: false })
  const latency = calibrateLoopback(calibrationScenario, { receipts: calibrationRun.result.receipts, summary: calibrationRun.summary }, MESSAGES_PER_HOP)

  const scenario = loadScenarioFile(file)
  const real = (await runReal(scenario, { sampleMemory: false })).summary
  const sim = runSimulated({ ...scenario, latency: { ...latency, mode: 'per-message', jitterMs: 0 } }, { sampleMemory: false }).summary
  process.stderr.write(`calibrated loopback latency: ${JSON.stringify(latency)}\n`)
  process.stderr.write(`real: hops ${JSON.stringify(real.hops)} steps ${JSON.stringify(real.coverageStepMs)}\n`)
  process.stderr.write(`sim:  hops ${JSON.stringify(sim.hops)} steps ${JSON.stringify(sim.coverageStepMs)}\n`)

  assert.equal(real.deliveredFraction, 1, 'every real node received every transaction')
  assert.equal(sim.deliveredFraction, 1)
  assert.equal(real.duplicateDeliveries, 0)
  assert.ok(hopDistance(real.hops, sim.hops) <= 0.05, 'hop shares within 5 points at every hop')
  real.coverageStepMs.forEach((r, k) => {
    const s = sim.coverageStepMs[k]
    assert.ok(r !== null && s !== null && s !== undefined, `step ${(k + 1) * 10} % reached in both`)
    assert.ok(Math.abs(r - s) <= Math.max(0.25 * r, 20), `${(k + 1) * 10} %: real ${r} ms, sim ${s} ms`)
  })
})
