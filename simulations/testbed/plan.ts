/**
 * A scenario resolved for the testbed (real node processes): the topology the nodes bootstrap
 * through, the delay and loss of every directed link, and the faults as a timeline of actions on
 * nodes. Everything comes from the scenario's seed, so two runs of a scenario inject the same faults
 * on the same nodes at the same times; the local and the Kubernetes mode share this plan.
 */
import { createRng, type Rng } from '../../protocols/common/rng.ts'
import { initialTopology, natClasses } from '../engine/initial-topology.ts'
import type { RunPlan } from '../engine/plan.ts'
import { latencySampler, type LatencySpec } from '../network/latency.ts'
import { RegionMap } from '../network/regions.ts'
import { getProtocol } from '../protocols/index.ts'
import { ScenarioError } from '../scenario/errors.ts'
import { toPlan } from '../scenario/load.ts'
import type { Scenario } from '../scenario/schema.ts'

/** Most nodes the testbed starts (one OS process each, ~60-100 MB of RSS). */
export const MAX_TESTBED_NODES = 1000

/** The delay and loss of one directed link (what node `from` sends to node `to`). */
export interface LinkSpec {
  /** Fixed one-way delay, ms (drawn once per link from the scenario's latency model). */
  baseMs: number
  /** Plus uniform [0, jitterMs) per packet (netem) or per segment (relay). */
  jitterMs: number
  /** Probability that a packet (netem) or a segment (relay) is lost. */
  lossRate: number
  /** latency.mode per-message: the relay draws every segment's delay from this instead of baseMs. */
  perMessage?: LatencySpec
}

/** Something done to nodes at a time of the run. */
export type FaultAction =
  | { atMs: number, kind: 'kill' | 'stop' | 'cont' | 'start', nodes: number[], why: string }
  /** Set the peers each listed node cannot reach (in both directions): the union of the active cuts. */
  | { atMs: number, kind: 'cut', blocked: Map<number, Set<number>>, why: string }

/** A scenario resolved for the testbed. */
export interface TestbedPlan {
  readonly run: RunPlan
  /** Each node's neighbours in the scenario's topology: whom it bootstraps through. */
  readonly adjacency: number[][]
  /** link(i, j): what i sends to j. */
  readonly link: (from: number, to: number) => LinkSpec
  /** Fault actions in time order. */
  readonly faults: FaultAction[]
  /** Nodes crashed for good before the end (SIGKILL without restart). */
  readonly deadAtEnd: Set<number>
  /** When node i can take a submission at time t (not killed, not frozen, not down for a restart). */
  readonly canPublish: (node: number, atMs: number) => boolean
}

/** Features of a scenario the testbed cannot run, refused with the key that asks for them. */
function checkSupported (s: Scenario): void {
  const refuse = (key: string, value: unknown, why: string): never => { throw new ScenarioError(s.name, key, value, `not available on the testbed (${why})`) }
  if (s.nodes > MAX_TESTBED_NODES) refuse('nodes', s.nodes, `at most ${MAX_TESTBED_NODES} node processes`)
  if (s.protocol.name !== 'tx-gossip') refuse('protocol.name', s.protocol.name, 'real nodes run tx-gossip')
  if (Object.keys(s.protocol.params).length > 0) refuse('protocol.params', s.protocol.params, 'set node configuration in testbed.nodeConfig, e.g. { gossip: { antiEntropyIntervalMs: 2000 } }')
  if (s.network.uplinkBytesPerSec !== undefined) refuse('network.uplinkBytesPerSec', s.network.uplinkBytesPerSec, 'no bandwidth emulation yet')
  if (s.network.natFraction > 0) refuse('network.natFraction', s.network.natFraction, 'use the NAT lab (test/nat-lab) for real NATs')
  if (s.churn.events.length > 0 || s.churn.rate !== undefined) refuse('churn', s.churn, 'use faults.crashes and faults.restarts')
  if (s.adversary !== undefined) refuse('adversary', 'set', 'attackers are simulated only; test/integration/attacks has real ones')
}

/** Victims: `fraction` of `candidates` (rounded, at least one when fraction > 0), from the rng. */
function pick (rng: Rng, candidates: number[], fraction: number): number[] {
  const count = Math.min(candidates.length, fraction > 0 ? Math.max(1, Math.round(fraction * candidates.length)) : 0)
  return rng.sample(candidates, count).sort((a, b) => a - b)
}

/** The faults of a scenario as a timeline: victims chosen among the nodes up at the time, from the seed. */
function timeline (s: Scenario, n: number): { faults: FaultAction[], deadAtEnd: Set<number>, down: Array<Array<[number, number]>> } {
  const rng = createRng(s.seed).fork(11)
  const raw: FaultAction[] = []
  const dead = new Set<number>()
  /** Per node, the [from, to) windows in which it cannot take a submission. */
  const down: Array<Array<[number, number]>> = Array.from({ length: n }, () => [])
  const all = Array.from({ length: n }, (_, i) => i)
  // Crashes and restarts in time order, so a node crashed earlier is not chosen again, nor one whose
  // restart is still to come (a later crash would otherwise be undone by that restart's start).
  const kills = [
    ...s.faults.crashes.map(c => ({ atMs: c.atMs, fraction: c.fraction, downMs: Infinity, everyMs: 0 })),
    ...s.faults.restarts.map(r => ({ atMs: r.atMs, fraction: r.fraction, downMs: r.downMs, everyMs: r.everyMs ?? 0 }))
  ].sort((a, b) => a.atMs - b.atMs)
  /** Per node, when its last scheduled restart starts it again. */
  const busyUntil = new Map<number, number>()
  for (const k of kills) {
    const victims = pick(rng, all.filter(i => !dead.has(i) && (busyUntil.get(i) ?? -1) < k.atMs), k.fraction)
    const why = k.downMs === Infinity ? 'crash' : 'restart'
    // All at once, or (everyMs > 0, a rolling restart) one victim at a time, everyMs apart.
    const groups = k.everyMs > 0 ? victims.map(v => [v]) : [victims]
    groups.forEach((nodes, g) => {
      const at = k.atMs + g * k.everyMs
      raw.push({ atMs: at, kind: 'kill', nodes, why })
      for (const v of nodes) down[v]!.push([at, at + k.downMs])
      if (k.downMs === Infinity) for (const v of nodes) dead.add(v)
      else {
        raw.push({ atMs: at + k.downMs, kind: 'start', nodes, why })
        for (const v of nodes) busyUntil.set(v, at + k.downMs)
      }
    })
  }
  for (const f of s.faults.freezes) {
    const victims = pick(rng, all.filter(i => !dead.has(i)), f.fraction)
    raw.push({ atMs: f.fromMs, kind: 'stop', nodes: victims, why: 'freeze' }, { atMs: f.toMs, kind: 'cont', nodes: victims, why: 'freeze' })
    for (const v of victims) down[v]!.push([f.fromMs, f.toMs])
  }
  // Cuts: a partition blocks side A from side B; an offline window blocks its nodes from everyone.
  const cuts: Array<{ fromMs: number, toMs: number, pairs: Array<[number, number]>, why: string }> = []
  for (const p of s.faults.partitions) {
    const a = new Set(pick(rng, all, p.fraction))
    const pairs: Array<[number, number]> = []
    for (const i of a) for (let j = 0; j < n; j++) if (!a.has(j)) pairs.push([i, j])
    cuts.push({ fromMs: p.fromMs, toMs: p.toMs, pairs, why: 'partition' })
  }
  for (const o of s.faults.offline) {
    const off = pick(rng, all, o.fraction)
    cuts.push({ fromMs: o.fromMs, toMs: o.toMs, pairs: off.flatMap(i => all.filter(j => j !== i).map(j => [i, j] as [number, number])), why: 'offline' })
  }
  const changes = [...new Set(cuts.flatMap(c => [c.fromMs, c.toMs]))].sort((x, y) => x - y)
  for (const t of changes) {
    const blocked = new Map<number, Set<number>>(all.map(i => [i, new Set<number>()]))
    for (const c of cuts) {
      if (c.fromMs > t || c.toMs <= t) continue
      for (const [i, j] of c.pairs) { blocked.get(i)!.add(j); blocked.get(j)!.add(i) }
    }
    const why = cuts.filter(c => c.fromMs === t).map(c => c.why).concat(cuts.filter(c => c.toMs === t).map(c => `${c.why} heals`)).join(', ')
    raw.push({ atMs: t, kind: 'cut', blocked, why })
  }
  return { faults: raw.sort((x, y) => x.atMs - y.atMs), deadAtEnd: dead, down }
}

/** Resolves a validated scenario for the testbed (throws ScenarioError for what it cannot run). */
export function testbedPlan (s: Scenario): TestbedPlan {
  checkSupported(s)
  const run = toPlan(s, getProtocol('tx-gossip').parseParams({}, 'protocol.params'))
  const { adjacency } = initialTopology(run, natClasses(run, run.nodes))
  const n = run.nodes
  const latency = run.network.latency
  const base = new Float64Array(n * n)
  let perMessage: LatencySpec | undefined
  if (latency.kind === 'regions') {
    // The region model: half the regions' RTT, the same placement as the simulator's (regions.ts).
    const regions = new RegionMap(latency, n)
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) base[i * n + j] = regions.oneWayMs(i, j)
  } else {
    const sampler = latencySampler(latency)
    const rng = createRng(s.seed).fork(13)
    for (let i = 0; i < n * n; i++) base[i] = Math.round(sampler(rng) * 10) / 10
    if (run.network.latencyMode === 'per-message') perMessage = latency
  }
  const link = (from: number, to: number): LinkSpec => ({
    baseMs: base[from * n + to]!,
    jitterMs: s.latency.jitterMs,
    lossRate: s.network.lossRate,
    ...(perMessage === undefined ? {} : { perMessage })
  })
  const { faults, deadAtEnd, down } = timeline(s, n)
  const canPublish = (node: number, atMs: number): boolean => !down[node]!.some(([a, b]) => atMs >= a && atMs < b)
  return { run, adjacency, link, faults, deadAtEnd, canPublish }
}
