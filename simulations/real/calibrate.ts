/**
 * Calibrating the simulator's latency to loopback from a real run of the same scenario (another
 * seed than the one compared). Real nodes in one process share one CPU, so a loopback "link" is
 * mostly event-loop and crypto time. Two parameters of a lognormal one-way delay are fitted to the
 * calibration run:
 * - sigma must reproduce the real hop-count distribution (the spread of per-message delays decides
 *   which path wins a race; the distribution does not depend on the scale): every sigma whose hop
 *   shares are within HOP_SLACK of the best one's stays a candidate. In a small regular graph the
 *   hops often hardly depend on sigma at all, so the hops alone would pick it arbitrarily;
 * - among those, sigma and the median are fitted together to the times to each 10 % of coverage
 *   (sigma shapes the curve between hops, the median scales it): the median is a scale in
 *   0.5-2 × the median over first receipts of latency / (messages per hop × hops) (a hop of a pulled
 *   body is inv, getdata and chunk; an inline push is one message).
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

/** Scales of the first median estimate tried when fitting the coverage times. */
export const SCALE_GRID = Array.from({ length: 31 }, (_, i) => 0.5 + i * 0.05)

/** Hop-share distance (fraction points) within which a sigma is as good a fit to the hops as the best. */
export const HOP_SLACK = 0.01

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

/** Worst mismatch of coverage step times, in units of the allowed difference (25 % or 20 ms). */
export function stepDistance (real: Summary['coverageStepMs'], sim: Summary['coverageStepMs']): number {
  let worst = 0
  real.forEach((r, k) => {
    const s = sim[k]
    worst = r === null || s === null || s === undefined ? Infinity : Math.max(worst, Math.abs(r - s) / Math.max(0.25 * r, 20))
  })
  return worst
}

function argmin<T> (candidates: readonly T[], score: (c: T) => number): T {
  let best = candidates[0] as T
  let bestScore = Infinity
  for (const c of candidates) {
    const v = score(c)
    if (v < bestScore) { best = c; bestScore = v }
  }
  return best
}

/** Fits a lognormal one-way delay to a real run of `scenario` (its receipts and summary). */
export function calibrateLoopback (scenario: Scenario, real: { receipts: readonly Receipt[], summary: Summary }, messagesPerHop: number): LognormalSpec {
  const estimate = medianMessageDelay(real.receipts, messagesPerHop)
  const simulate = (medianMs: number, sigma: number): Summary =>
    runSimulated({ ...scenario, latency: { kind: 'lognormal', medianMs, sigma, mode: 'per-message', jitterMs: 0 } }, { sampleMemory: false }).summary
  const hopFit = SIGMA_GRID.map(sigma => ({ sigma, distance: hopDistance(simulate(estimate, sigma).hops, real.summary.hops) }))
  const bestHops = Math.min(...hopFit.map(f => f.distance))
  const sigmas = hopFit.filter(f => f.distance <= bestHops + HOP_SLACK).map(f => f.sigma)
  const pairs = sigmas.flatMap(sigma => SCALE_GRID.map(scale => ({ sigma, scale })))
  const best = argmin(pairs, p => stepDistance(real.summary.coverageStepMs, simulate(estimate * p.scale, p.sigma).coverageStepMs))
  return { kind: 'lognormal', medianMs: estimate * best.scale, sigma: best.sigma }
}
