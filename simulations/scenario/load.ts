/**
 * Reads a scenario file (YAML or JSON), applies command-line overrides, validates it, and resolves it
 * into a RunPlan. Every rejection is a ScenarioError naming the key path, the value and what is allowed.
 */
import { readFileSync } from 'node:fs'
import { basename } from 'node:path'
import { parse as parseYaml } from 'yaml'
import type { z } from 'zod'
import { createRng } from '../../protocols/common/rng.ts'
import { LATENCY_PRESETS, type NetworkLatency } from '../network/latency.ts'
import { regionModelProblem } from '../network/regions.ts'
import { MAX_FULL_TOPOLOGY_NODES, type TopologySpec } from '../network/topology.ts'
import type { ChurnEvent, RunPlan } from '../engine/plan.ts'
import { ScenarioError, ScenarioFileError } from './errors.ts'
import { ScenarioSchema, type Scenario } from './schema.ts'

/** Values given on the command line that replace the file's. */
export interface ScenarioOverrides {
  seed?: number
  nodes?: number
}

/** Largest number of churn events a rate may expand into. */
export const MAX_CHURN_EVENTS = 1_000_000

function valueAt (input: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let v: unknown = input
  for (const key of path) v = typeof v === 'object' && v !== null ? (v as Record<PropertyKey, unknown>)[key] : undefined
  return v
}

function toScenarioError (file: string, input: unknown, issue: z.core.$ZodIssue): ScenarioError {
  const base = issue.path.map(String).join('.')
  if (issue.code === 'unrecognized_keys') {
    const key = [base, issue.keys[0]].filter(s => s !== undefined && s !== '').join('.')
    return new ScenarioError(file, key, valueAt(input, [...issue.path, issue.keys[0]!]), 'no such key (check the spelling; see simulations/README.md)')
  }
  return new ScenarioError(file, base === '' ? '(root)' : base, valueAt(input, issue.path), issue.message)
}

/** Validates raw scenario data (already parsed from YAML/JSON). */
export function validateScenario (raw: unknown, file = '(inline)', overrides: ScenarioOverrides = {}): Scenario {
  const input = typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? { ...raw as Record<string, unknown> } : raw
  if (typeof input === 'object' && input !== null) {
    if (overrides.seed !== undefined) (input as Record<string, unknown>).seed = overrides.seed
    if (overrides.nodes !== undefined) (input as Record<string, unknown>).nodes = overrides.nodes
  }
  const parsed = ScenarioSchema.safeParse(input)
  if (!parsed.success) throw toScenarioError(file, input, parsed.error.issues[0]!)
  checkConsistency(parsed.data, file)
  return parsed.data
}

function checkConsistency (s: Scenario, file: string): void {
  const t = s.topology
  if (t.kind === 'k-regular' && (t.degree >= s.nodes || (t.degree * s.nodes) % 2 !== 0)) {
    throw new ScenarioError(file, 'topology.degree', t.degree, `an integer below nodes (${s.nodes}) with nodes × degree even`)
  }
  if (t.kind === 'full' && s.nodes > MAX_FULL_TOPOLOGY_NODES) {
    throw new ScenarioError(file, 'nodes', s.nodes, `at most ${MAX_FULL_TOPOLOGY_NODES} with topology.kind full`)
  }
  if (t.kind === 'bootstrap' && t.bootstrapNodes > s.nodes) {
    throw new ScenarioError(file, 'topology.bootstrapNodes', t.bootstrapNodes, `at most nodes (${s.nodes})`)
  }
  if (typeof s.workload.sizeBytes === 'object' && s.workload.sizeBytes.min > s.workload.sizeBytes.max) {
    throw new ScenarioError(file, 'workload.sizeBytes.min', s.workload.sizeBytes.min, `at most sizeBytes.max (${s.workload.sizeBytes.max})`)
  }
  if (s.latency.kind === 'uniform' && s.latency.minMs > s.latency.maxMs) {
    throw new ScenarioError(file, 'latency.minMs', s.latency.minMs, `at most latency.maxMs (${s.latency.maxMs})`)
  }
  if (s.latency.kind === 'regions') {
    const problem = regionModelProblem(s.latency.regions.map(r => r.name), s.latency.regions.map(r => r.share), s.latency.rttMs)
    if (problem !== undefined) throw new ScenarioError(file, `latency.${problem[0]}`, problem[1], problem[2])
  }
  s.faults.partitions.forEach((p, i) => {
    if (p.toMs <= p.fromMs) throw new ScenarioError(file, `faults.partitions.${i}.toMs`, p.toMs, `greater than fromMs (${p.fromMs})`)
  })
  s.faults.offline.forEach((p, i) => {
    if (p.toMs <= p.fromMs) throw new ScenarioError(file, `faults.offline.${i}.toMs`, p.toMs, `greater than fromMs (${p.fromMs})`)
  })
  s.faults.freezes.forEach((p, i) => {
    if (p.toMs <= p.fromMs) throw new ScenarioError(file, `faults.freezes.${i}.toMs`, p.toMs, `greater than fromMs (${p.fromMs})`)
  })
  checkAdversary(s, file)
  const rate = s.churn.rate
  if (rate !== undefined && rate.toMs < rate.fromMs) throw new ScenarioError(file, 'churn.rate.toMs', rate.toMs, `at least fromMs (${rate.fromMs})`)
  if (rate !== undefined && (rate.toMs - rate.fromMs) / 1000 * (rate.joinsPerSec + rate.leavesPerSec + rate.crashesPerSec) > MAX_CHURN_EVENTS) {
    throw new ScenarioError(file, 'churn.rate', rate, `at most ${MAX_CHURN_EVENTS} churn events in all`)
  }
}

/** An adversary needs fixed, honest publishers, a target that exists, and plain tx-gossip. */
function checkAdversary (s: Scenario, file: string): void {
  const a = s.adversary
  if (a === undefined) return
  if (s.workload.publishers === 'all') {
    throw new ScenarioError(file, 'workload.publishers', 'all', 'a number of publishers when adversary is set (attackers never publish)')
  }
  if (a.eclipse !== undefined && a.eclipse.target >= s.nodes) {
    throw new ScenarioError(file, 'adversary.eclipse.target', a.eclipse.target, `an initial node, below nodes (${s.nodes})`)
  }
  const reconcile = s.protocol.params.reconcile
  if (s.protocol.name !== 'tx-gossip' || (reconcile !== undefined && reconcile !== false)) {
    throw new ScenarioError(file, 'adversary', 'set', 'only with protocol tx-gossip without reconcile')
  }
}

/** Reads and validates a scenario file. */
export function loadScenarioFile (path: string, overrides: ScenarioOverrides = {}): Scenario {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (err) {
    throw new ScenarioFileError(path, (err as NodeJS.ErrnoException).code ?? 'unreadable')
  }
  let raw: unknown
  try {
    raw = path.endsWith('.json') ? JSON.parse(text) : parseYaml(text)
  } catch (err) {
    throw new ScenarioFileError(path, `not valid ${path.endsWith('.json') ? 'JSON' : 'YAML'}: ${(err as Error).message.split('\n')[0]}`)
  }
  return validateScenario(raw, basename(path), overrides)
}

function latencyOf (s: Scenario): NetworkLatency {
  const l = s.latency
  switch (l.kind) {
    case 'regions': return { kind: 'regions', names: l.regions.map(r => r.name), shares: l.regions.map(r => r.share), rttMs: l.rttMs, seed: s.seed, initialNodes: s.nodes }
    case 'preset': return LATENCY_PRESETS[l.name]!
    case 'constant': return { kind: 'constant', ms: l.ms }
    case 'uniform': return { kind: 'uniform', minMs: l.minMs, maxMs: l.maxMs }
    case 'normal': return { kind: 'normal', meanMs: l.meanMs, sdMs: l.sdMs, minMs: l.minMs }
    case 'lognormal': return { kind: 'lognormal', medianMs: l.medianMs, sigma: l.sigma, minMs: l.minMs }
  }
}

/** Expands churn rates into timed events (a Poisson process per kind, from the seed). */
function churnEvents (s: Scenario): ChurnEvent[] {
  const events: ChurnEvent[] = s.churn.events.map(e => ({ atMs: e.atMs, kind: e.kind, count: e.count }))
  const a = s.adversary
  if (a?.sybil !== undefined) events.push({ atMs: a.sybil.atMs, kind: 'join', count: a.sybil.count, attackers: a.sybil.behaviour ?? a.behaviour })
  if (a?.eclipse !== undefined) {
    const e = a.eclipse
    events.push({ atMs: e.atMs, kind: 'join', count: e.attackers, attackers: e.behaviour ?? a.behaviour, attachTo: e.target, keepLinks: e.keepLinks })
  }
  for (const c of s.faults.crashes) events.push({ atMs: c.atMs, kind: 'crash', fraction: c.fraction })
  const rate = s.churn.rate
  if (rate !== undefined) {
    const rng = createRng(s.seed).fork(7)
    const kinds: Array<[ChurnEvent['kind'], number]> = [['join', rate.joinsPerSec], ['leave', rate.leavesPerSec], ['crash', rate.crashesPerSec]]
    for (const [kind, perSec] of kinds) {
      if (perSec <= 0) continue
      for (let t = rate.fromMs - Math.log(1 - rng.next()) * 1000 / perSec; t < rate.toMs; t -= Math.log(1 - rng.next()) * 1000 / perSec) {
        events.push({ atMs: t, kind, count: 1 })
      }
    }
  }
  return events.sort((a, b) => a.atMs - b.atMs)
}

/** Resolves a validated scenario into a run plan; `params` are the protocol's parsed parameters. */
export function toPlan (s: Scenario, params: unknown): RunPlan {
  const t = s.topology
  const topology: TopologySpec = t.kind === 'full' ? { kind: 'full' } : t.kind === 'bootstrap' ? { ...t } : { kind: t.kind, degree: t.degree }
  const size = s.workload.sizeBytes
  return {
    name: s.name,
    seed: s.seed,
    nodes: s.nodes,
    durationMs: s.durationMs,
    topology,
    network: {
      latency: latencyOf(s),
      latencyMode: s.latency.kind === 'regions' ? 'per-link' : s.latency.mode,
      jitterMs: s.latency.jitterMs,
      uplinkBytesPerSec: s.network.uplinkBytesPerSec ?? Infinity,
      lossRate: s.network.lossRate,
      sharedCpuMsPerMessage: s.network.sharedCpuMsPerMessage
    },
    natFraction: s.network.natFraction,
    failureDetectionMs: s.network.failureDetectionMs,
    joinDegree: s.network.joinDegree,
    workload: {
      transactions: s.workload.transactions,
      ratePerSec: s.workload.ratePerSec,
      startMs: s.workload.startMs,
      sizeMinBytes: typeof size === 'number' ? size : size.min,
      sizeMaxBytes: typeof size === 'number' ? size : size.max,
      publishers: s.workload.publishers,
      registerId: s.workload.registerId
    },
    churn: churnEvents(s),
    partitions: s.faults.partitions,
    offline: s.faults.offline,
    ...(s.adversary === undefined
      ? {}
      : { adversary: { fraction: s.adversary.fraction, behaviour: s.adversary.behaviour, activeFromMs: s.adversary.activeFromMs, flood: s.adversary.flood, reputation: s.adversary.reputation } }),
    protocol: s.protocol.name,
    protocolParams: params,
    sampleIntervalMs: s.report.sampleIntervalMs ?? Math.max(1, s.durationMs / 100)
  }
}
