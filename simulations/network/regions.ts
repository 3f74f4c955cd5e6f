/**
 * The region latency model, shared by the simulator and the testbed: a scenario declares regions
 * (each with a share of the nodes) and a round-trip-time matrix between them; every node is placed in
 * a region from the seed, and a link's one-way delay is half the RTT of its two regions, plus jitter
 * (the simulator draws it per message, the testbed's relay per chunk and netem per packet).
 *
 * Placement: the initial nodes get exact counts (largest remainder of share × nodes), assigned in a
 * seeded random order; nodes created later (joins) are placed by a draw of their own (a hash of the
 * seed and their index), so a node's region never depends on which others exist.
 */
import { createRng } from '../../protocols/common/rng.ts'

/** A region latency model as a scenario declares it (latency.kind regions), resolved for a run. */
export interface RegionLatencySpec {
  kind: 'regions'
  /** Region names, in the order of the matrix's rows and columns. */
  names: string[]
  /** Share of the nodes in each region (sums to 1). */
  shares: number[]
  /** Round-trip time between regions, ms: rttMs[a][b] (symmetric). */
  rttMs: number[][]
  /** The seed the placement is drawn from (the scenario's). */
  seed: number
  /** Nodes placed with exact counts (the scenario's initial nodes). */
  initialNodes: number
}

/** Fork label of the placement's random stream (apart from every other use of the seed). */
const PLACEMENT_FORK = 0x5e610

/** Exact counts of `n` nodes over `shares` by largest remainder (ties to the earlier region). */
export function regionCounts (shares: readonly number[], n: number): number[] {
  const total = shares.reduce((a, b) => a + b, 0)
  const exact = shares.map(s => total > 0 ? s / total * n : 0)
  const counts = exact.map(Math.floor)
  let left = n - counts.reduce((a, b) => a + b, 0)
  const order = exact.map((e, i) => ({ i, rest: e - Math.floor(e) })).sort((a, b) => b.rest - a.rest || a.i - b.i)
  for (let k = 0; left > 0; k = (k + 1) % order.length, left--) counts[order[k]!.i]!++
  return counts
}

/** A 32-bit mix of (seed, index) to [0, 1): the placement draw of a node created after the start. */
function hashUnit (seed: number, index: number): number {
  let z = (Math.imul(index + 1, 0x9e3779b1) ^ Math.imul((seed >>> 0) + 0x632be5ab, 0x85ebca6b) ^ Math.floor(seed / 0x100000000)) >>> 0
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b)
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35)
  return ((z ^ (z >>> 16)) >>> 0) / 0x100000000
}

/** Where every node is and how far apart regions are. */
export class RegionMap {
  readonly spec: RegionLatencySpec
  /** Region index of every node below the capacity. */
  readonly regionOfNode: Uint8Array
  private readonly r: number
  private readonly oneWay: Float64Array

  constructor (spec: RegionLatencySpec, capacity: number) {
    if (spec.names.length > 255) throw new RangeError('at most 255 regions')
    this.spec = spec
    this.r = spec.names.length
    this.oneWay = new Float64Array(this.r * this.r)
    for (let a = 0; a < this.r; a++) for (let b = 0; b < this.r; b++) this.oneWay[a * this.r + b] = spec.rttMs[a]![b]! / 2
    this.regionOfNode = new Uint8Array(Math.max(capacity, spec.initialNodes))
    const initial = Math.min(spec.initialNodes, this.regionOfNode.length)
    const slots: number[] = []
    regionCounts(spec.shares, initial).forEach((count, region) => { for (let k = 0; k < count; k++) slots.push(region) })
    createRng(spec.seed).fork(PLACEMENT_FORK).shuffle(slots)
    this.regionOfNode.set(slots)
    const cumulative: number[] = []
    const total = spec.shares.reduce((a, b) => a + b, 0)
    spec.shares.reduce((acc, s, i) => { cumulative[i] = acc + s / total; return cumulative[i]! }, 0)
    for (let i = initial; i < this.regionOfNode.length; i++) {
      const u = hashUnit(spec.seed, i)
      const region = cumulative.findIndex(c => u < c)
      this.regionOfNode[i] = region < 0 ? this.r - 1 : region
    }
  }

  /** The region index of node i. */
  regionOf (i: number): number { return this.regionOfNode[i]! }

  /** The one-way delay from node a to node b before jitter, ms: half their regions' RTT. */
  oneWayMs (a: number, b: number): number {
    return this.oneWay[this.regionOfNode[a]! * this.r + this.regionOfNode[b]!]!
  }

  /** Nodes per region among the first `n` nodes, by region name. */
  census (n = this.spec.initialNodes): Record<string, number> {
    const out: Record<string, number> = Object.fromEntries(this.spec.names.map(name => [name, 0]))
    for (let i = 0; i < n; i++) out[this.spec.names[this.regionOfNode[i]!]!]!++
    return out
  }
}

/** The smallest one-way delay of the model, ms (half the smallest RTT). */
export function regionFloorMs (spec: RegionLatencySpec): number {
  let min = Infinity
  for (const row of spec.rttMs) for (const rtt of row) min = Math.min(min, rtt / 2)
  return Number.isFinite(min) ? min : 0
}

/**
 * What is wrong with a declared region model, as [key, value, allowed] (keys under `latency.`), or
 * undefined: names unique, shares summing to 1, a square symmetric RTT matrix of the regions' size.
 */
export function regionModelProblem (names: readonly string[], shares: readonly number[], rttMs: readonly number[][]): [string, unknown, string] | undefined {
  const r = names.length
  const dup = names.find((name, i) => names.indexOf(name) !== i)
  if (dup !== undefined) return ['regions', dup, 'unique region names']
  const sum = shares.reduce((a, b) => a + b, 0)
  if (Math.abs(sum - 1) > 1e-6) return ['regions', `shares summing to ${Math.round(sum * 1e6) / 1e6}`, 'shares summing to 1']
  if (rttMs.length !== r) return ['rttMs', `${rttMs.length} rows`, `${r} rows (one per region)`]
  for (let a = 0; a < r; a++) {
    if (rttMs[a]!.length !== r) return [`rttMs.${a}`, `${rttMs[a]!.length} columns`, `${r} columns (one per region)`]
  }
  for (let a = 0; a < r; a++) {
    for (let b = a + 1; b < r; b++) {
      if (rttMs[a]![b] !== rttMs[b]![a]) return [`rttMs.${a}.${b}`, rttMs[a]![b], `equal to rttMs.${b}.${a} (${rttMs[b]![a]}): a round trip is symmetric`]
    }
  }
  return undefined
}
