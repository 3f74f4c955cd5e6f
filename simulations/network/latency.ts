/**
 * One-way link latency distributions. A sampler draws from the run's seeded Rng, so latencies are
 * reproducible from the seed. All values in milliseconds; samples are clamped at `minMs` (default 0)
 * because a message never arrives before it is sent.
 */
import type { Rng } from '../../protocols/common/rng.ts'
import { regionFloorMs, type RegionLatencySpec } from './regions.ts'

/** A latency distribution as a scenario declares it. */
export type LatencySpec =
  | { kind: 'constant', ms: number }
  | { kind: 'uniform', minMs: number, maxMs: number }
  | { kind: 'normal', meanMs: number, sdMs: number, minMs?: number }
  | { kind: 'lognormal', medianMs: number, sigma: number, minMs?: number }

/** A network's latency: a distribution, or the region model (regions.ts), whose delay depends on the two nodes. */
export type NetworkLatency = LatencySpec | RegionLatencySpec

/** The part of an Rng a sampler uses. */
export type RandomSource = Pick<Rng, 'next'>

/** Draws one latency in milliseconds. */
export type LatencySampler = (rng: RandomSource) => number

/**
 * One-way delay of a tx-gossip message between real nodes in one process on 127.0.0.1 (TCP, Noise,
 * Yamux, length-prefixed frames, Node 24), as a per-message delay alone fitted to a real run of
 * compare-50.yaml on the project's 2-core machine (2026-11-24): median 6.2 ms, sigma 0.05. Real
 * nodes in one process are better modelled by a CPU they share (network.sharedCpuMsPerMessage) plus
 * a small delay, as compare-50.yaml does (simulations/real/calibrate.ts); this preset is for
 * loopback-like delays without that global queue.
 */
export const LOOPBACK_PRESET: LatencySpec = Object.freeze({ kind: 'lognormal', medianMs: 6.2, sigma: 0.05, minMs: 0.3 })

/** Named presets a scenario may use instead of a distribution. */
export const LATENCY_PRESETS: Readonly<Record<string, LatencySpec>> = Object.freeze({
  loopback: LOOPBACK_PRESET,
  // Typical one-way delays: same data centre, same continent, across the world (order of magnitude).
  datacenter: { kind: 'lognormal', medianMs: 0.5, sigma: 0.3, minMs: 0.1 },
  continental: { kind: 'lognormal', medianMs: 20, sigma: 0.4, minMs: 5 },
  global: { kind: 'lognormal', medianMs: 80, sigma: 0.5, minMs: 20 }
})

/** A standard normal deviate by Box-Muller (one of the pair; the simulator is not bound by its cost). */
function gaussian (rng: RandomSource): number {
  let u = rng.next()
  while (u === 0) u = rng.next()
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next())
}

/** Builds a sampler for a distribution. */
export function latencySampler (spec: LatencySpec): LatencySampler {
  switch (spec.kind) {
    case 'constant': {
      const ms = spec.ms
      return () => ms
    }
    case 'uniform': {
      const { minMs, maxMs } = spec
      return rng => minMs + (maxMs - minMs) * rng.next()
    }
    case 'normal': {
      const { meanMs, sdMs } = spec
      const minMs = spec.minMs ?? 0
      return rng => Math.max(minMs, meanMs + sdMs * gaussian(rng))
    }
    case 'lognormal': {
      const mu = Math.log(spec.medianMs)
      const { sigma } = spec
      const minMs = spec.minMs ?? 0
      return rng => Math.max(minMs, Math.exp(mu + sigma * gaussian(rng)))
    }
  }
}

/** The smallest value a distribution's sampler returns (or the region model's smallest delay), ms (0 when it can return 0). */
export function latencyFloor (spec: NetworkLatency): number {
  switch (spec.kind) {
    case 'regions': return regionFloorMs(spec)
    case 'constant': return Math.max(0, spec.ms)
    case 'uniform': return Math.max(0, spec.minMs)
    case 'normal': return Math.max(0, spec.minMs ?? 0)
    case 'lognormal': return Math.max(0, spec.minMs ?? 0)
  }
}

/** The mean of a distribution (before clamping), for reports. */
export function latencyMean (spec: LatencySpec): number {
  switch (spec.kind) {
    case 'constant': return spec.ms
    case 'uniform': return (spec.minMs + spec.maxMs) / 2
    case 'normal': return spec.meanMs
    case 'lognormal': return spec.medianMs * Math.exp(spec.sigma * spec.sigma / 2)
  }
}
