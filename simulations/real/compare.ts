/**
 * Real against simulated, the comparison that test/sim/real-vs-sim.test.ts and the `real-vs-sim`
 * benchmark share: one real run of a scenario, the simulator's loopback model fitted to its
 * odd-numbered transactions, and the simulation judged on the even-numbered ones, which the fit never
 * saw (simulations/README.md, "Calibrating to loopback").
 */
import type { Scenario } from '../scenario/schema.ts'
import { runSimulated, type SimRun } from '../run.ts'
import { stepMedians } from '../report/summary.ts'
import { calibrateLoopback, hopDistance, withLoopbackModel, type LoopbackModel } from './calibrate.ts'
import { uncontendedClockAvailable, type ReceiptClock } from './receipt-clock.ts'
import { runReal } from './run-real.ts'

/** Hop shares may differ by this much at every hop. */
export const HOP_TOLERANCE = 0.05
/** A coverage step may differ by this share of the real time, or by STEP_TOLERANCE_MS if larger. */
export const STEP_TOLERANCE = 0.25
export const STEP_TOLERANCE_MS = 20

const calibrating = (tx: number): boolean => tx % 2 === 1
const judged = (tx: number): boolean => tx % 2 === 0

/** One 10 % step of coverage on the judged transactions. */
export interface StepComparison {
  /** 10, 20 ... 100 (% of nodes reached). */
  percent: number
  realMs: number | null
  simMs: number | null
  allowedMs: number
  ok: boolean
}

/** What the comparison found. */
export interface Comparison {
  clock: ReceiptClock
  real: SimRun
  sim: SimRun
  model: LoopbackModel
  calibrationSteps: Array<number | null>
  /** Largest difference of hop shares at any hop. */
  hopDistance: number
  hopsAgree: boolean
  steps: StepComparison[]
  timesAgree: boolean
}

/**
 * Runs `scenario` on real nodes and in the simulator and compares them. Receipts are timed on the
 * uncontended clock where Linux offers it (receipt-clock.ts), else on the wall clock.
 */
export async function compareRealToSim (scenario: Scenario): Promise<Comparison> {
  const clock: ReceiptClock = uncontendedClockAvailable() ? 'uncontended' : 'wall'
  const real = await runReal(scenario, { sampleMemory: false, clock })
  const calibrationSteps = stepMedians(real.result, calibrating)
  const model = calibrateLoopback(scenario, calibrationSteps, calibrating)
  const sim = runSimulated(withLoopbackModel(scenario, model), { sampleMemory: false })
  const realSteps = stepMedians(real.result, judged)
  const simSteps = stepMedians(sim.result, judged)
  const steps = realSteps.map((realMs, k): StepComparison => {
    const simMs = simSteps[k] ?? null
    const allowedMs = Math.max(STEP_TOLERANCE * (realMs ?? 0), STEP_TOLERANCE_MS)
    return { percent: (k + 1) * 10, realMs, simMs, allowedMs, ok: realMs !== null && simMs !== null && Math.abs(realMs - simMs) <= allowedMs }
  })
  const distance = hopDistance(real.summary.hops, sim.summary.hops)
  return { clock, real, sim, model, calibrationSteps, hopDistance: distance, hopsAgree: distance <= HOP_TOLERANCE, steps, timesAgree: steps.every(s => s.ok) }
}
