/**
 * Real against simulated: simulations/scenarios/compare-50.yaml runs as 50 real nodes (libp2p on
 * 127.0.0.1, the tx-gossip service of src/gossip) and as 50 simulated cores, in the same topology,
 * with the same parameters and the same transactions. The simulator's loopback model (a CPU the
 * nodes share, plus a small one-way delay) is calibrated to the real run's odd-numbered
 * transactions (simulations/real/calibrate.ts) and judged on the even-numbered ones, which the fit
 * never saw. The two runs must agree on (a) the distribution of hop counts at first receipt, within
 * 5 percentage points at every hop, and (b) the time to reach each 10 % step of coverage, within 25 %
 * (or 20 ms, whichever is larger).
 *
 * The real run times receipts on the uncontended clock (simulations/real/receipt-clock.ts): the wall
 * clock less the time other processes held the CPU, which the simulator's model of the nodes cannot
 * know. On the wall clock the comparison failed on a busy machine (real 82.9 ms against simulated
 * 54.8 ms in the issue; with two busy processes beside it, 71.2 ms against 54.8 ms at 20 %): the
 * other processes' turns landed on some transactions and not others, so the odd transactions of
 * that run took 111.6 ms to 20 % and the even ones 71.2 ms, and no fit to the odd ones could predict
 * the even ones. On the uncontended clock the same load gave 11.4 and 11.8 ms. Where Linux's
 * per-thread scheduler statistics are missing the wall clock is used (right on an idle machine only).
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { loadScenarioFile } from '../../simulations/scenario/load.ts'
import { runSimulated } from '../../simulations/run.ts'
import { runReal } from '../../simulations/real/run-real.ts'
import { uncontendedClockAvailable } from '../../simulations/real/receipt-clock.ts'
import { calibrateLoopback, hopDistance, withLoopbackModel } from '../../simulations/real/calibrate.ts'
import { stepMedians } from '../../simulations/report/summary.ts'

const file = new URL('../../simulations/scenarios/compare-50.yaml', import.meta.url).pathname
const calibrating = (tx: number): boolean => tx % 2 === 1
const judged = (tx: number): boolean => tx % 2 === 0

test('compare-50: real and simulated runs agree on hops and on coverage times', { timeout: 900_000 }, async () => {
  const scenario = loadScenarioFile(file)
  const clock = uncontendedClockAvailable() ? 'uncontended' : 'wall'
  const real = await runReal(scenario, { sampleMemory: false, clock })
  const calibrationSteps = stepMedians(real.result, calibrating)
  const model = calibrateLoopback(scenario, calibrationSteps, calibrating)
  const sim = runSimulated(withLoopbackModel(scenario, model), { sampleMemory: false })
  const realSteps = stepMedians(real.result, judged)
  const simSteps = stepMedians(sim.result, judged)
  process.stderr.write(`receipts timed on the ${clock} clock\n`)
  process.stderr.write(`calibrated loopback model: ${JSON.stringify(model)} to steps ${JSON.stringify(calibrationSteps)}\n`)
  process.stderr.write(`real: hops ${JSON.stringify(real.summary.hops)} steps ${JSON.stringify(realSteps)}\n`)
  process.stderr.write(`sim:  hops ${JSON.stringify(sim.summary.hops)} steps ${JSON.stringify(simSteps)}\n`)

  assert.equal(real.summary.transactions, 60)
  assert.equal(real.summary.deliveredFraction, 1, 'every real node received every transaction')
  assert.equal(sim.summary.deliveredFraction, 1)
  assert.equal(real.summary.duplicateDeliveries, 0)
  assert.ok(hopDistance(real.summary.hops, sim.summary.hops) <= 0.05, 'hop shares within 5 points at every hop')
  realSteps.forEach((r, k) => {
    const s = simSteps[k]
    assert.ok(r !== null && s !== null && s !== undefined, `step ${(k + 1) * 10} % reached in both`)
    assert.ok(Math.abs(r - s) <= Math.max(0.25 * r, 20), `${(k + 1) * 10} %: real ${r} ms, sim ${s} ms`)
  })
})
