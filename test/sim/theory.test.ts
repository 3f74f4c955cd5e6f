/**
 * Plain push gossip against Kermarrec, Massoulié and Ganesh (2003): with N nodes, each forwarding on
 * first receipt to targets drawn uniformly at random, their number of mean ln(N) + c, the probability
 * that every node is reached tends to exp(-e^(-c)). The real tx-gossip core runs in its `push` mode
 * on the complete graph (every node a neighbour of every other) with N = 1,000.
 *
 * Each seeded run publishes many transactions, one after the other: each transaction is an
 * independent epidemic (its own seen-set entries, fresh random draws), so one run of T
 * transactions gives T trials while connecting the 1,000 cores (999,000 peer-up inputs) only once.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Simulator } from '../../simulations/engine/simulator.ts'
import type { RunPlan } from '../../simulations/engine/plan.ts'
import { txGossipBinding } from '../../simulations/protocols/tx-gossip.ts'

const N = 1000
const RUNS = 10
const TX_PER_RUN = 200
const TOLERANCE = 0.03

function plan (seed: number, c: number): RunPlan {
  const params = txGossipBinding.parseParams({
    mode: 'push',
    pushC: c,
    maxPeers: N,
    hopLimit: 255,
    antiEntropyIntervalMs: 0,
    antiEntropyOnConnect: false,
    verifyBodies: false,
    // Sized for the run's transactions, with a false-positive rate that cannot bias the count.
    recentMax: TX_PER_RUN,
    seenExpectedItems: TX_PER_RUN,
    seenFpRate: 1e-9
  }, 'protocol.params')
  return {
    name: `kmg-c${c}`,
    seed,
    nodes: N,
    // One transaction per virtual second; an epidemic over 1-10 ms links ends well within it.
    durationMs: TX_PER_RUN * 1000 + 1000,
    topology: { kind: 'full' },
    network: { latency: { kind: 'uniform', minMs: 1, maxMs: 10 }, latencyMode: 'per-message', jitterMs: 0, uplinkBytesPerSec: Infinity, lossRate: 0 },
    natFraction: 0,
    failureDetectionMs: 1000,
    joinDegree: 8,
    workload: { transactions: TX_PER_RUN, ratePerSec: 1, startMs: 0, sizeMinBytes: 64, sizeMaxBytes: 64, publishers: 'all', registerId: 'sim' },
    churn: [],
    partitions: [],
    protocol: 'tx-gossip',
    protocolParams: params,
    sampleIntervalMs: 1e9
  }
}

for (const [c, expected] of [[1, 0.692], [2, 0.873], [3, 0.951]] as const) {
  test(`plain push, N = 1,000, c = ${c}: P(all reached) within ±3 points of exp(-e^-c) = ${expected}`, () => {
    let reachedAll = 0
    let trials = 0
    let fanoutSum = 0
    for (let run = 0; run < RUNS; run++) {
      const result = new Simulator(plan(1000 * c + run, c), txGossipBinding).run({ sampleMemory: false })
      const m = result.metrics
      for (let t = 0; t < m.published; t++) {
        trials++
        if (m.deliveredCount[t] === N) reachedAll++
      }
      fanoutSum += m.messages / m.deliveries // bodies sent per node reached (publishers excluded from the divisor)
    }
    const p = reachedAll / trials
    const meanFanout = fanoutSum / RUNS
    process.stderr.write(`kmg c=${c}: P(all reached) = ${p.toFixed(4)} over ${trials} trials (theory ${expected}); mean fanout ${meanFanout.toFixed(3)} (ln N + c = ${(Math.log(N) + c).toFixed(3)})\n`)
    assert.equal(trials, RUNS * TX_PER_RUN)
    assert.ok(trials >= 2000)
    // The core really drew ln(N) + c targets on average (one body per target).
    assert.ok(Math.abs(meanFanout - (Math.log(N) + c)) < 0.05, `mean fanout ${meanFanout}`)
    assert.ok(Math.abs(p - expected) <= TOLERANCE, `P(all reached) ${p} vs ${expected}`)
  })
}
