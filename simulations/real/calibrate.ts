/**
 * Calibrating the simulator's latency to loopback from a real run of the same scenario (another
 * seed). Real nodes in one process share one CPU, so a loopback "link" is mostly event-loop and
 * crypto time. Two parameters of a lognormal one-way delay are fitted:
 * - the median: the median over first receipts of latency / (messages per hop × hops), where a hop
 *   of a pulled body is three messages (inv, getdata, chunk) and an inline push one;
 * - sigma: the value whose simulated run of the calibration scenario best matches the real run's
 *   hop-count distribution (the spread of per-message delays decides which path wins a race).
 */
import type { LatencySpec } from '../network/latency.ts'
import { percentile } from '../engine/metrics.ts'
import { runSimulated } from '../run.ts'
import type { Scenario } from '../scenario/schema.ts'
import type { Summary } from '../report/summary.ts'
import type { Receipt } from './run-real.ts'

/** Not enough receipts to calibrate from. */
export class CalibrationError extends Error {
  override name = 'CalibrationError'
}

/** Sigmas tried when fitting the hop distribution. */
export const SIGMA_GRID = [0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.6, 0.8, 1.0]

/** A lognormal latency spec. */
export type LognormalSpec = Extract<LatencySpec, { kind: 'lognormal' }>

/** Largest difference between two hop-share maps. */
export function hopDistance (a: Summary['hops'], b: Summary['hops']): number {
  let worst = 0
  for (const h of new Set([...Object.keys(a), ...Object.keys(b)])) worst = Math.max(worst, Math.abs((a[h] ?? 0) - (b[h] ?? 0)))
  return worst
}

/** Median one-way message delay implied by real first receipts. */
export function medianMessageDelay (receipts: readonly Receipt[], messagesPerHop: number): number {
  const perMessage = receipts.filter(r => r.hops >= 1).map(r => r.latencyMs / (r.hops * messagesPerHop)).sort((x, y) => x - y)
  if (perMessage.length < 10) throw new CalibrationError(`only ${perMessage.length} first receipts`)
  return percentile(perMessage, 0.5)
}

/** Fits a lognormal one-way delay to a real run of `scenario` (its receipts and summary). */
export function calibrateLoopback (scenario: Scenario, real: { receipts: readonly Receipt[], summary: Summary }, messagesPerHop: number): LognormalSpec {
  const medianMs = medianMessageDelay(real.receipts, messagesPerHop)
  let best: { sigma: number, distance: number } | undefined
  for (const sigma of SIGMA_GRID) {
    const trial: Scenario = { ...scenario, latency: { kind: 'lognormal', medianMs, sigma, mode: 'per-message', jitterMs: 0 } }
    const distance = hopDistance(runSimulated(trial, { sampleMemory: false }).summary.hops, real.summary.hops)
    if (best === undefined || distance < best.distance) best = { sigma, distance }
  }
  return { kind: 'lognormal', medianMs, sigma: best!.sigma }
}
