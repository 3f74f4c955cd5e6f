/**
 * `npm run bench -- real-vs-sim [--scenario file] [--json]`: the real-against-simulated comparison of
 * simulations/real/compare.ts with its timing half: the simulator's loopback model is fitted to the
 * odd-numbered transactions of one real run, and the simulated time to each 10 % of coverage must be
 * within 25 % (or 20 ms) of the real one on the even-numbered transactions. The test
 * (test/sim/real-vs-sim.test.ts) asserts delivery and hops only; times depend on the machine's load.
 *
 * Summary: clock, model, hopDistance, hopsAgree, steps [{ percent, realMs, simMs, allowedMs, ok }],
 * timesAgree, loadAverage (1 min, at the end).
 */
import { loadavg } from 'node:os'
import { loadScenarioFile } from '../../simulations/scenario/load.ts'
import { compareRealToSim } from '../../simulations/real/compare.ts'
import { benchArgs, report } from './_util.ts'

/** Runs the benchmark. */
export default async function main (argv: string[]): Promise<void> {
  const args = benchArgs(argv, ['scenario'])
  const file = typeof args.scenario === 'string' ? args.scenario : new URL('../../simulations/scenarios/compare-50.yaml', import.meta.url).pathname
  const c = await compareRealToSim(loadScenarioFile(file))
  report({
    scenario: file.split('/').at(-1),
    clock: c.clock,
    model: c.model,
    hopDistance: c.hopDistance,
    hopsAgree: c.hopsAgree,
    steps: c.steps,
    timesAgree: c.timesAgree,
    loadAverage: loadavg()[0]
  }, args.json === true)
}
