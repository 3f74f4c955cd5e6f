/**
 * Plain push gossip against Kermarrec, Massoulié and Ganesh (2003): with N nodes, each forwarding on
 * first receipt to targets drawn uniformly at random, their number of mean ln(N) + c, the probability
 * that every node is reached tends to exp(-e^(-c)). The real tx-gossip core runs in its `push` mode
 * on the complete graph (every node a neighbour of every other) with N = 1,000; 2,000 trials per c
 * (test/sim/helpers/push-epidemics.ts, which says why it runs in a child process under coverage).
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { measurePushUninstrumented, N, RUNS, TX_PER_RUN } from './helpers/push-epidemics.ts'

const TOLERANCE = 0.03

for (const [c, expected] of [[1, 0.692], [2, 0.873], [3, 0.951]] as const) {
  test(`plain push, N = 1,000, c = ${c}: P(all reached) within ±3 points of exp(-e^-c) = ${expected}`, async () => {
    const { trials, reachedAll, meanFanout } = await measurePushUninstrumented(c)
    const p = reachedAll / trials
    process.stderr.write(`kmg c=${c}: P(all reached) = ${p.toFixed(4)} over ${trials} trials (theory ${expected}); mean fanout ${meanFanout.toFixed(3)} (ln N + c = ${(Math.log(N) + c).toFixed(3)})\n`)
    assert.equal(trials, RUNS * TX_PER_RUN)
    assert.ok(trials >= 2000)
    // The core really drew ln(N) + c targets on average (one body per target).
    assert.ok(Math.abs(meanFanout - (Math.log(N) + c)) < 0.05, `mean fanout ${meanFanout}`)
    assert.ok(Math.abs(p - expected) <= TOLERANCE, `P(all reached) ${p} vs ${expected}`)
  })
}
