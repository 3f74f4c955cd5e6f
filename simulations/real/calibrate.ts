/**
 * Calibrating the simulator to loopback from real runs. Real nodes in one process share one CPU, so
 * a loopback "link" is mostly event-loop and crypto time, and a hop slows down as more nodes forward
 * at once: the first hop (one sender) is quick, the hops that fan out are slow, and each stage of a
 * pull (all the invs, then the getdatas, then the chunks) lands in a burst. The model that
 * reproduces that shape is a CPU all nodes share (network.sharedCpuMsPerMessage: every message
 * occupies it in turn) plus a small lognormal one-way delay. A latency alone (median and sigma)
 * cannot: fitted to the middle of the curve it is too slow on the first hop and too fast on the last,
 * and the misfit grows with the machine's load.
 *
 * The three parameters are fitted on a grid to the times to each 10 % of coverage of a set of
 * calibration transactions, by the criterion the comparison uses (each step within 25 % or 20 ms).
 * The machine's speed drifts from one real run to the next by up to a third, so the calibration
 * transactions are best taken from the same run as the ones compared (every other one): they see
 * the same machine.
 */
import type { LatencySpec } from '../network/latency.ts'
import { runSimulated } from '../run.ts'
import type { Scenario } from '../scenario/schema.ts'
import { stepMedians, type Summary } from '../report/summary.ts'

/** A lognormal latency spec. */
export type LognormalSpec = Extract<LatencySpec, { kind: 'lognormal' }>

/** The simulator's model of real nodes on loopback in one process. */
export interface LoopbackModel {
  readonly latency: LognormalSpec
  readonly sharedCpuMsPerMessage: number
}

/** Median times to each 10 % step of coverage, as in Summary.coverageStepMs. */
export type CoverageSteps = Summary['coverageStepMs']

/** The real run reached too little to calibrate from. */
export class CalibrationError extends Error {
  override name = 'CalibrationError'
}

/** CPU time per message tried, ms: ×1.25 apart from 30 µs to about 0.85 ms. */
export const CPU_GRID = Array.from({ length: 16 }, (_, i) => Math.round(30 * 1.25 ** i) / 1000)
/** Medians of the one-way delay tried, ms. */
export const MEDIAN_GRID = [0.25, 0.5, 1, 2, 4]
/** Sigmas of the one-way delay tried. */
export const SIGMA_GRID = [0.1, 0.3, 0.6]

/** Largest difference between two hop-share maps. */
export function hopDistance (a: Summary['hops'], b: Summary['hops']): number {
  let worst = 0
  for (const h of new Set([...Object.keys(a), ...Object.keys(b)])) worst = Math.max(worst, Math.abs((a[h] ?? 0) - (b[h] ?? 0)))
  return worst
}

/** Worst mismatch of coverage step times, in units of the allowed difference (25 % or 20 ms): ≤ 1 passes. */
export function stepDistance (real: CoverageSteps, sim: CoverageSteps): number {
  let worst = 0
  real.forEach((r, k) => {
    const s = sim[k]
    worst = r === null || s === null || s === undefined ? Infinity : Math.max(worst, Math.abs(r - s) / Math.max(0.25 * r, 20))
  })
  return worst
}

/** `scenario` with the simulator's loopback model applied. */
export function withLoopbackModel (scenario: Scenario, model: LoopbackModel): Scenario {
  return {
    ...scenario,
    latency: { ...model.latency, mode: 'per-message', jitterMs: 0 },
    network: { ...scenario.network, sharedCpuMsPerMessage: model.sharedCpuMsPerMessage }
  }
}

/**
 * Fits the loopback model to `real`, the coverage steps of the transactions of `scenario` that
 * `include` accepts (by publication index), simulating the same scenario and comparing the same
 * transactions.
 */
export function calibrateLoopback (scenario: Scenario, real: CoverageSteps, include: (tx: number) => boolean = () => true): LoopbackModel {
  if (real.some(step => step === null)) throw new CalibrationError('the real run reached fewer than half the nodes in most calibration transactions')
  let best: LoopbackModel | undefined
  let bestScore = Infinity
  for (const sharedCpuMsPerMessage of CPU_GRID) {
    for (const medianMs of MEDIAN_GRID) {
      for (const sigma of SIGMA_GRID) {
        const model: LoopbackModel = { latency: { kind: 'lognormal', medianMs, sigma }, sharedCpuMsPerMessage }
        const sim = runSimulated(withLoopbackModel(scenario, model), { sampleMemory: false }).result
        const score = stepDistance(real, stepMedians(sim, include))
        if (score < bestScore) { best = model; bestScore = score }
      }
    }
  }
  return best as LoopbackModel
}
