/**
 * The long-partition scenario on real nodes, shared by the integration test and the benchmark:
 * two halves (ring plus chords inside each), one cross link per pair (i, i + half); split them by
 * banning the other half in every node's peer list (the connection gater then refuses dials and
 * connections across) and closing the cross connections; publish on both sides; heal by lifting the
 * bans and redialling the cross links; measure until every node holds everything. The nodes are
 * driven through `NodeOps`, so they may run on this thread (`runPartition`) or each in a worker
 * thread of its own (test/support/worker-node.ts, `runPartitionOn`).
 */
import type { Rng } from '../../protocols/common/rng.ts'
import type { DistributorStats, PublishInput } from '../../src/gossip/distributor.ts'
import type { SorchaNode } from '../../src/node/sorcha-node.ts'
import { dialEdges, quiet, randomGraph, waitFor } from './gossip-net.ts'
import { LocalNode, wallMs, type Incidents, type NodeOps, type ReconcileCounters } from './node-ops.ts'

/** What a run measured. */
export interface PartitionResult {
  txsPerSide: number
  /** Store count of each node just before the heal. */
  heldBeforeHeal: number[]
  publishMs: number
  /** From lifting the bans to every node holding every transaction. */
  healMs: number
  /** From lifting the bans to each node holding every transaction. */
  nodeHealMs: number[]
  /** Process CPU during the heal (every thread of the process: all nodes, in one thread or many), seconds. */
  healCpuSeconds: number
  /** CPU of this (the driving) thread during the heal, seconds. */
  healMainThreadCpuSeconds: number
  /** Share of the heal this thread's event loop was busy (1 = CPU-bound; the nodes' own loop when they run on it). */
  healLoopBusy: number
  /** tx:received per node over the whole run: distinct transactions. */
  appDeliveries: number[]
  duplicateDeliveries: number
  /** Reconciliation counters summed over the nodes. */
  reconcile: ReconcileCounters
  /** During the heal, summed over the nodes: connections closed (each close counts at both ends) and rejected peer messages by code. */
  healIncidents: Incidents
}

/** Options of a run. */
export interface PartitionOptions {
  txsPerSide: number
  rng: Rng
  payloadBytes?: number
  healTimeoutMs?: number
  /** Called just before the heal starts (e.g. to mark the worker threads' CPU). */
  beforeHeal?: () => Promise<void>
  /** Called as soon as every node holds every transaction (e.g. to read the worker threads' CPU). */
  afterHeal?: () => Promise<void>
  /** Called every `progressEveryMs` during the heal with each node's gossip statistics. */
  onProgress?: (elapsedMs: number, stats: DistributorStats[]) => void
  progressEveryMs?: number
}

/** Transactions published per round (spread over the nodes of a side). */
const ROUND = 50

const others = (nodes: readonly NodeOps[], i: number, half: number): string[] =>
  nodes.filter((_, j) => (i < half) !== (j < half)).map(node => node.peerId)

async function split (nodes: readonly NodeOps[], half: number): Promise<void> {
  await Promise.all(nodes.map(async (node, i) => node.ban(others(nodes, i, half), 'test partition')))
  const crossConnections = async (): Promise<number> =>
    (await Promise.all(nodes.map(async (node, i) => node.connectedTo(others(nodes, i, half))))).reduce((a, b) => a + b, 0)
  await waitFor(async () => await crossConnections() === 0, 60_000, 'the halves disconnect')
}

/** Publishes `count` transactions round-robin over `nodes`, ROUND at a time; their ids. */
async function publishSide (nodes: readonly NodeOps[], count: number, rng: Rng, payloadBytes: number): Promise<string[]> {
  const ids: string[] = []
  for (let i = 0; i < count;) {
    const perNode: PublishInput[][] = nodes.map(() => [])
    for (let k = 0; k < ROUND && i < count; k++, i++) {
      perNode[i % nodes.length]!.push({ registerId: `register-${i % 4}`, payload: new Uint8Array(payloadBytes).map(() => rng.int(256)) })
    }
    for (const batch of await Promise.all(nodes.map(async (node, n) => node.publish(perNode[n]!)))) ids.push(...batch)
  }
  return ids
}

/** Runs the scenario on `nodes` of this thread (an even number, freshly started, with the peer list and gossip services). */
export async function runPartition (nodes: readonly SorchaNode[], options: PartitionOptions): Promise<PartitionResult> {
  await quiet(nodes)
  return runPartitionOn(nodes.map(node => new LocalNode(node)), options)
}

/** Runs the scenario on nodes driven through NodeOps (quiet, with the peer list and gossip services). */
export async function runPartitionOn (nodes: readonly NodeOps[], options: PartitionOptions): Promise<PartitionResult> {
  const half = nodes.length / 2
  const { rng, txsPerSide } = options
  const inside = randomGraph(half, 3, 7)
  const edges: Array<[number, number]> = [...inside, ...inside.map(([a, b]) => [a + half, b + half] as [number, number])]
  const cross = Array.from({ length: half }, (_, i) => [i, i + half] as [number, number])
  const dial = async (a: number, b: number): Promise<void> => { await nodes[a]!.dial(nodes[b]!.address) }
  await dialEdges([...edges, ...cross], dial)
  const degree = nodes.map((_, i) => [...edges, ...cross].filter(([a, b]) => a === i || b === i).length)
  await waitFor(async () => (await Promise.all(nodes.map(async node => node.gossipPeers()))).every((peers, i) => peers === degree[i]), 60_000, 'gossip neighbours')

  await split(nodes, half)
  const started = Date.now()
  const payloadBytes = options.payloadBytes ?? 200
  const sides = await Promise.all([0, 1].map(async side => publishSide(nodes.slice(side * half, (side + 1) * half), txsPerSide, rng, payloadBytes)))
  await Promise.all(nodes.map(async node => node.whenHolds(txsPerSide, 20, 600_000)))
  const publishMs = Date.now() - started
  const heldBeforeHeal = await Promise.all(nodes.map(async node => node.storeCount()))
  // Nothing crossed the split: a node of one half holds none of the other half's transactions.
  for (const [i, node] of nodes.entries()) {
    const foreign = sides[i < half ? 1 : 0]!
    const sample = foreign.filter((_, k) => k % Math.max(1, Math.floor(foreign.length / 50)) === 0)
    if (await node.holdsCount(sample) !== 0) throw new Error(`node ${i} holds a transaction of the other half before the heal`)
  }

  const incidentsBefore = await Promise.all(nodes.map(async node => node.incidents()))
  await options.beforeHeal?.()
  const healStart = wallMs()
  const cpuBefore = process.cpuUsage()
  const threadBefore = process.threadCpuUsage()
  const loopBefore = performance.eventLoopUtilization()
  const healed = Promise.all(nodes.map(async node => node.whenHolds(2 * txsPerSide, 5, options.healTimeoutMs ?? 240_000)))
  healed.catch(() => {}) // awaited below; a failure while unbanning must not leave it unhandled
  let progress: ReturnType<typeof setInterval> | undefined
  if (options.onProgress !== undefined) {
    const report = options.onProgress
    progress = setInterval(() => {
      void Promise.all(nodes.map(async node => node.gossipStats())).then(stats => { report(wallMs() - healStart, stats) }, () => {})
    }, options.progressEveryMs ?? 2000)
  }
  try {
    await Promise.all(nodes.map(async (node, i) => node.unban(others(nodes, i, half))))
    await dialEdges(cross, dial)
    await healed
  } finally {
    clearInterval(progress)
  }
  const healedAt = await healed
  const healMs = Math.round(Math.max(...healedAt) - healStart)
  const cpu = process.cpuUsage(cpuBefore)
  const thread = process.threadCpuUsage(threadBefore)
  const healLoopBusy = Math.round(performance.eventLoopUtilization(loopBefore).utilization * 100) / 100
  await options.afterHeal?.()
  await new Promise(resolve => setTimeout(resolve, 500)) // a late duplicate would show up now

  const reconcile: ReconcileCounters = { sessionsCompleted: 0, needs: 0, bytesSent: 0, messagesSent: 0 }
  for (const counters of await Promise.all(nodes.map(async node => node.reconcileCounters()))) {
    for (const key of Object.keys(reconcile) as Array<keyof ReconcileCounters>) reconcile[key] += counters[key]
  }
  const deliveries = await Promise.all(nodes.map(async node => node.deliveries()))
  const healIncidents: Incidents = { connectionsClosed: 0, closes: {}, rejects: {} }
  const addSince = (into: Record<string, number>, now: Record<string, number>, before: Record<string, number>): void => {
    for (const [key, n] of Object.entries(now)) {
      const added = n - (before[key] ?? 0)
      if (added > 0) into[key] = (into[key] ?? 0) + added
    }
  }
  for (const [i, now] of (await Promise.all(nodes.map(async node => node.incidents()))).entries()) {
    const before = incidentsBefore[i]!
    healIncidents.connectionsClosed += now.connectionsClosed - before.connectionsClosed
    addSince(healIncidents.closes, now.closes, before.closes)
    addSince(healIncidents.rejects, now.rejects, before.rejects)
  }
  const seconds = (usage: NodeJS.CpuUsage): number => Math.round((usage.user + usage.system) / 1e4) / 100
  return {
    txsPerSide,
    heldBeforeHeal,
    publishMs,
    healMs,
    nodeHealMs: healedAt.map(at => Math.round(at - healStart)),
    healCpuSeconds: seconds(cpu),
    healMainThreadCpuSeconds: seconds(thread),
    healLoopBusy,
    appDeliveries: deliveries.map(d => d.distinct),
    duplicateDeliveries: deliveries.reduce((sum, d) => sum + d.duplicates, 0),
    reconcile,
    healIncidents
  }
}
