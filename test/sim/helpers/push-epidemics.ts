/**
 * Plain push epidemics on the real tx-gossip core (test/sim/theory.test.ts): RUNS seeded simulator
 * runs of N = 1,000 cores on the complete graph, each publishing TX_PER_RUN transactions one after
 * the other (each an independent epidemic, so one run gives TX_PER_RUN trials while connecting the
 * 1,000 cores, 999,000 peer-up inputs, only once).
 *
 * Run as a script (`node push-epidemics.ts <c>`) it prints the measurement as JSON: the test runs it
 * so when coverage is being collected (npm test runs the suite under c8), since V8's block coverage
 * makes these 6,000 epidemics four to five times slower and none of their code is left uncovered by
 * the other tests; the computation and the assertions are the same either way.
 */
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { Simulator } from '../../../simulations/engine/simulator.ts'
import type { RunPlan } from '../../../simulations/engine/plan.ts'
import { txGossipBinding } from '../../../simulations/protocols/tx-gossip.ts'
import { collectingCoverage, withoutCoverage } from '../../helpers/coverage.ts'

export const N = 1000
export const RUNS = 10
export const TX_PER_RUN = 200

/** What the epidemics of one `c` gave. */
export interface PushMeasurement {
  trials: number
  /** Trials in which every node was reached. */
  reachedAll: number
  /** Bodies sent per node reached, averaged over the runs. */
  meanFanout: number
}

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

/** Runs the RUNS × TX_PER_RUN epidemics with mean fanout ln(N) + c, in this process. */
export function measurePush (c: number): PushMeasurement {
  let reachedAll = 0
  let trials = 0
  let fanoutSum = 0
  for (let run = 0; run < RUNS; run++) {
    const m = new Simulator(plan(1000 * c + run, c), txGossipBinding).run({ sampleMemory: false }).metrics
    for (let t = 0; t < m.published; t++) {
      trials++
      if (m.deliveredCount[t] === N) reachedAll++
    }
    fanoutSum += m.messages / m.deliveries // bodies sent per node reached (publishers excluded from the divisor)
  }
  return { trials, reachedAll, meanFanout: fanoutSum / RUNS }
}

/** measurePush(c), in a child process that collects no coverage when this one does. */
export async function measurePushUninstrumented (c: number): Promise<PushMeasurement> {
  if (!collectingCoverage()) return measurePush(c)
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), String(c)], { env: withoutCoverage(), stdio: ['ignore', 'pipe', 'inherit'] })
  let out = ''
  child.stdout.setEncoding('utf8').on('data', (text: string) => { out += text })
  const code = await new Promise<number | null>(resolve => child.once('close', resolve))
  if (code !== 0) throw new Error(`the epidemics' child process exited with ${code}: ${out}`)
  return JSON.parse(out) as PushMeasurement
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  process.stdout.write(JSON.stringify(measurePush(Number(process.argv[2]))))
}
