/**
 * The JSON summary of a run. Built only from virtual-time measurements, so the same scenario and
 * seed give a byte-identical summary (wall time and memory go to the time series and to stderr).
 */
import { COVERAGE_STEPS, MAX_TRACKED_HOPS, percentile } from '../engine/metrics.ts'
import type { RunResult } from '../engine/simulator.ts'
import { layoutOf, summarizeRegisters, type RegisterSummary } from '../engine/registers.ts'

/** The summary object; field meanings are documented in simulations/README.md. */
export interface Summary {
  scenario: string
  protocol: string
  mode: 'sim' | 'real' | 'testbed'
  seed: number
  nodes: number
  nodesCreated: number
  liveNodesAtEnd: number
  durationMs: number
  transactions: number
  deliveredFraction: number
  allReachedFraction: number
  duplicateDeliveries: number
  latencyMs: { p50: number | null, p90: number | null, p95: number | null, p99: number | null, max: number | null, mean: number | null }
  hops: Record<string, number>
  meanHops: number | null
  coverageStepMs: Array<number | null>
  messages: number
  bytes: number
  bytesPerTxPerNode: number
  copiesPerNode: number
  drops: Record<string, number>
  verdicts: Record<string, number>
  traces: Record<string, number>
  events: number
  meanDegree: number
  missingLinks: number
  /** Bytes by protocol, where a binding accounts them (present when one does). */
  protocolBytes?: Record<string, number>
  /** Per offline window (present when the scenario has one): how the nodes that were cut off fared. */
  offline?: OfflineSummary[]
  /** With an adversary: how the honest nodes fared (latencyMs is theirs already: attackers deliver nothing). */
  adversary?: AdversarySummary
  /** A register scenario's delivery to serving nodes and bytes per node (engine/registers.ts). */
  registers?: RegisterSummary
}

/** Reputation actions taken, by kind. */
export interface ReputationActions { graylist: number, disconnect: number, ban: number }

/** The honest nodes under attack. */
export interface AdversarySummary {
  /** Attackers created in the run (initial, Sybil and eclipse). */
  attackers: number
  /** Honest nodes alive at the end. */
  honestNodes: number
  /** (transaction, honest node) pairs delivered, over transactions × honest nodes alive at the end. */
  honestDeliveredFraction: number
  /** Share of transactions that reached every honest node alive at the end. */
  honestAllReachedFraction: number
  /** Honest nodes alive at the end that received no transaction at all (isolated). */
  honestNodesWithNothing: number
  /** Reputation actions (graylist, disconnect, ban) taken by honest nodes against attackers and against honest peers. */
  reputation: { againstAttackers: ReputationActions, againstHonest: ReputationActions }
}

function adversarySummary (result: RunResult, roles: Uint8Array): AdversarySummary {
  const { metrics, liveAtEnd } = result
  const T = metrics.published
  let honest = 0
  let got = 0
  let empty = 0
  const reached = new Int32Array(T)
  for (const node of liveAtEnd) {
    if (roles[node] !== 0) continue
    honest++
    let mine = 0
    for (let t = 0; t < T; t++) if (metrics.has(node, t)) { mine++; reached[t]!++ }
    got += mine
    if (mine === 0 && T > 0) empty++
  }
  let attackers = 0
  for (let i = 0; i < result.nodesCreated; i++) if (roles[i] !== 0) attackers++
  let all = 0
  for (let t = 0; t < T; t++) if (reached[t] === honest) all++
  const count = (action: string, who: string): number => metrics.traces.get(`reputation:${action}:${who}`) ?? 0
  const against = (who: string): ReputationActions => ({ graylist: count('graylist', who), disconnect: count('disconnect', who), ban: count('ban', who) })
  return {
    attackers,
    honestNodes: honest,
    honestDeliveredFraction: round(T * honest === 0 ? 0 : got / (T * honest), 6) ?? 0,
    honestAllReachedFraction: round(T === 0 ? 0 : all / T) ?? 0,
    honestNodesWithNothing: empty,
    reputation: { againstAttackers: against('attacker'), againstHonest: against('honest') }
  }
}

/** How the nodes of one offline window fared, by the end of the run. */
export interface OfflineSummary {
  fromMs: number
  toMs: number
  /** Nodes cut off (they came back at toMs). */
  nodes: number
  /** Transactions published while they were away. */
  windowTransactions: number
  /** (transaction, returning node) pairs delivered, over all transactions × returning nodes. */
  deliveredFraction: number
  /** The same over the transactions published while they were away. */
  windowDeliveredFraction: number
}

function offlineSummaries (result: RunResult): OfflineSummary[] {
  const { metrics } = result
  return result.offline.map(w => {
    let pairs = 0
    let got = 0
    let windowPairs = 0
    let windowGot = 0
    let windowTransactions = 0
    for (let t = 0; t < metrics.published; t++) {
      if (metrics.publisherOf[t]! < 0) continue
      const during = metrics.publishedAt[t]! >= w.fromMs && metrics.publishedAt[t]! < w.toMs
      if (during) windowTransactions++
      for (const node of w.nodes) {
        const has = metrics.has(node, t) ? 1 : 0
        pairs++
        got += has
        if (during) { windowPairs++; windowGot += has }
      }
    }
    return {
      fromMs: w.fromMs,
      toMs: w.toMs,
      nodes: w.nodes.length,
      windowTransactions,
      deliveredFraction: round(pairs === 0 ? 0 : got / pairs, 6) ?? 0,
      windowDeliveredFraction: round(windowPairs === 0 ? 0 : windowGot / windowPairs, 6) ?? 0
    }
  })
}

/** Rounds for a stable, readable JSON (4 decimals; NaN and infinities become null). */
export function round (x: number, digits = 4): number | null {
  if (!Number.isFinite(x)) return null
  const f = 10 ** digits
  return Math.round(x * f) / f
}

const sortedRecord = (m: Map<string, number>): Record<string, number> =>
  Object.fromEntries([...m.entries()].sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0))

function hopShares (hops: Float64Array): { shares: Record<string, number>, mean: number | null } {
  let total = 0
  let weighted = 0
  let known = 0
  for (let h = 0; h < hops.length; h++) total += hops[h]!
  const shares: Record<string, number> = {}
  for (let h = 0; h < hops.length; h++) {
    if (hops[h] === 0) continue
    const label = h === MAX_TRACKED_HOPS + 1 ? 'unknown' : h === MAX_TRACKED_HOPS ? `${h}+` : String(h)
    shares[label] = round(hops[h]! / total) ?? 0
    if (h <= MAX_TRACKED_HOPS) { weighted += h * hops[h]!; known += hops[h]! }
  }
  return { shares, mean: known === 0 ? null : round(weighted / known) }
}

/**
 * Median over transactions (those `include` accepts, by publication index) of the time to reach each
 * 10 % step; null where half never got there.
 */
export function stepMedians (result: RunResult, include: (tx: number) => boolean = () => true): Array<number | null> {
  const { metrics } = result
  const out: Array<number | null> = []
  for (let s = 0; s < COVERAGE_STEPS; s++) {
    const values: number[] = []
    for (let t = 0; t < metrics.published; t++) if (include(t)) values.push(metrics.stepMs[t * COVERAGE_STEPS + s]!)
    // NaN (never reached) sorts last, so a median of NaN means fewer than half reached the step.
    values.sort((a, b) => (Number.isNaN(a) ? 1 : 0) - (Number.isNaN(b) ? 1 : 0) || a - b)
    out.push(values.length === 0 ? null : round(percentile(values, 0.5)))
  }
  return out
}

/** Builds the summary of a finished run. */
export function summarize (result: RunResult, mode: Summary['mode'] = 'sim'): Summary {
  const { metrics, plan, liveAtEnd } = result
  const T = metrics.published
  let delivered = 0
  let allReached = 0
  for (let t = 0; t < T; t++) {
    let got = 0
    for (const node of liveAtEnd) if (metrics.has(node, t)) got++
    delivered += got
    if (got === liveAtEnd.length) allReached++
  }
  const pairs = T * liveAtEnd.length
  const lat = Float32Array.from(metrics.latencyValues()).sort()
  let sum = 0
  for (const v of lat) sum += v
  const { shares, mean } = hopShares(metrics.hops)
  const extra: Pick<Summary, 'protocolBytes' | 'offline' | 'adversary' | 'registers'> = {}
  if (metrics.bytesBy.size > 0) extra.protocolBytes = sortedRecord(metrics.bytesBy)
  if (result.offline.length > 0) extra.offline = offlineSummaries(result)
  if (result.attackers !== undefined) extra.adversary = adversarySummary(result, result.attackers)
  const layout = layoutOf(plan)
  if (layout !== undefined) {
    extra.registers = summarizeRegisters(layout, { nodes: plan.nodes, published: T, publisherOf: metrics.publisherOf, has: (node, tx) => metrics.has(node, tx), liveAtEnd, bytes: metrics.bytes })
  }
  return {
    scenario: plan.name,
    protocol: plan.protocol,
    mode,
    seed: plan.seed,
    nodes: plan.nodes,
    nodesCreated: result.nodesCreated,
    liveNodesAtEnd: liveAtEnd.length,
    durationMs: plan.durationMs,
    transactions: T,
    deliveredFraction: round(pairs === 0 ? 0 : delivered / pairs, 6) ?? 0,
    allReachedFraction: round(T === 0 ? 0 : allReached / T) ?? 0,
    duplicateDeliveries: metrics.duplicates,
    latencyMs: {
      p50: round(percentile(lat, 0.5), 3),
      p90: round(percentile(lat, 0.9), 3),
      p95: round(percentile(lat, 0.95), 3),
      p99: round(percentile(lat, 0.99), 3),
      max: round(percentile(lat, 1), 3),
      mean: round(lat.length === 0 ? NaN : sum / lat.length, 3)
    },
    hops: shares,
    meanHops: mean,
    coverageStepMs: stepMedians(result),
    messages: metrics.messages,
    bytes: metrics.bytes,
    bytesPerTxPerNode: round(pairs === 0 ? 0 : metrics.bytes / pairs, 2) ?? 0,
    copiesPerNode: round(pairs === 0 ? 0 : metrics.bodies / pairs) ?? 0,
    drops: { ...metrics.drops },
    verdicts: sortedRecord(metrics.verdicts),
    traces: sortedRecord(metrics.traces),
    events: result.events,
    meanDegree: round(result.meanDegree) ?? 0,
    missingLinks: result.missingLinks,
    ...extra
  }
}
