/**
 * Real-node mode: the scenario's nodes as real Sorcha nodes (libp2p over TCP on 127.0.0.1, Noise,
 * Yamux, the tx-gossip service from src/gossip driving the same core) in this process, linked in the
 * simulator's topology for the same seed, publishing the simulator's transactions from the same
 * publishers at the same (wall-clock) times. Measurements go into the same RunMetrics, so the
 * reports and the summary have the same shape as a simulated run's.
 */
import { layoutOf } from '../engine/registers.ts'
import { startNetwork, dialAddrs, type TestNetwork } from '../../src/harness/index.ts'
import { gossipContribution, gossipOf, type ReceivedTransaction } from '../../src/gossip/index.ts'
import { multiaddr } from '@multiformats/multiaddr'
import type { Connection } from '@libp2p/interface'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { createRng } from '../../protocols/common/rng.ts'
import { pushFanoutMean, type TxGossipConfig } from '../../protocols/tx-gossip/index.ts'
import type { RunOptions, RunResult } from '../engine/simulator.ts'
import { RunMetrics } from '../engine/metrics.ts'
import { initialTopology, natClasses } from '../engine/initial-topology.ts'
import { Workload } from '../engine/workload.ts'
import type { RunPlan } from '../engine/plan.ts'
import { getProtocol } from '../protocols/index.ts'
import type { TxGossipParams } from '../protocols/tx-gossip.ts'
import { toPlan } from '../scenario/load.ts'
import { ScenarioError } from '../scenario/errors.ts'
import type { Scenario } from '../scenario/schema.ts'
import { summarize } from '../report/summary.ts'
import { refuseTestbedFaults, type SimRun } from '../run.ts'
import { openClock, type ReceiptClock } from './receipt-clock.ts'
import { HOUR_MS } from '../../src/config/units.ts'

/** Most nodes real mode starts (about 10-16 MB of RSS each; see docs/benchmarks.md). */
export const MAX_REAL_NODES = 150
/** How long the real nodes may take to open every link of the topology. */
export const LINK_TIMEOUT_MS = 120_000
/** Longest wait for the nodes to settle (event loop quiet) after linking, before publishing. */
export const SETTLE_TIMEOUT_MS = 30_000
/** The event loop counts as quiet when its p99 delay over a 500 ms window is below this. */
const QUIET_LOOP_DELAY_MS = 20
/** Links dialled at once while building the topology. */
const DIAL_CONCURRENCY = 8

/** Options of a real run. */
export interface RealRunOptions extends RunOptions {
  /**
   * The clock that times receipts (simulations/real/receipt-clock.ts): 'wall', what a user sees on this
   * machine as it is, or 'uncontended', the wall clock less the time other processes held the CPU.
   * Publications follow the wall clock either way. @default 'wall'
   */
  clock?: ReceiptClock
}

/** Real-node mode cannot run this scenario (too many nodes, or a feature loopback cannot emulate). */
export class RealModeError extends Error {
  override name = 'RealModeError'
}

/** The parts of a scenario only the simulator can emulate on one machine. */
function checkSupported (s: Scenario): void {
  const refuse = (key: string, value: unknown, why: string): never => { throw new ScenarioError(s.name, key, value, `not available in real mode (${why})`) }
  if (s.nodes > MAX_REAL_NODES) refuse('nodes', s.nodes, `at most ${MAX_REAL_NODES} real nodes in one process`)
  if (s.protocol.name !== 'tx-gossip') refuse('protocol.name', s.protocol.name, 'real nodes run tx-gossip')
  if (s.network.lossRate > 0) refuse('network.lossRate', s.network.lossRate, 'loopback does not lose packets and this kernel has no netem')
  if (s.network.uplinkBytesPerSec !== undefined) refuse('network.uplinkBytesPerSec', s.network.uplinkBytesPerSec, 'no traffic shaping on loopback')
  if (s.network.natFraction > 0) refuse('network.natFraction', s.network.natFraction, 'use the NAT lab for real NATs')
  if (s.churn.events.length > 0 || s.churn.rate !== undefined || s.faults.crashes.length > 0) refuse('churn', s.churn, 'churn and crashes are simulated only')
  if (s.adversary !== undefined) refuse('adversary', 'set', 'attackers are simulated only; test/integration/attacks has real ones')
  if (s.faults.partitions.length > 0) refuse('faults.partitions', s.faults.partitions, 'partitions are simulated only')
  refuseTestbedFaults(s, 'real')
  if (s.faults.offline.length > 0) refuse('faults.offline', s.faults.offline, 'offline windows are simulated only (test/integration/gossip/long-partition.test.ts runs one on real nodes)')
}

/**
 * The core settings of the run, as the node's gossip service takes them (init.core overrides).
 * `reconcile` is not a core setting: real nodes reconcile as their configuration says.
 */
function coreOverrides (plan: RunPlan): Partial<TxGossipConfig> {
  const { pushC, reconcile: _reconcile, ...config } = plan.protocolParams as TxGossipParams
  return pushC === undefined ? config : { ...config, pushFanoutMean: pushFanoutMean(plan.nodes, pushC) }
}

async function mapLimit<T> (items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await fn(items[next++]!)
  }))
}

/** Opens every link of the topology (lower index dials higher) and waits until each gossip service sees its neighbours. */
async function link (net: TestNetwork, adjacency: number[][]): Promise<void> {
  const ids = net.nodes.map(n => n.libp2p.peerId.toString())
  const missing = (): Array<[number, number]> => {
    const out: Array<[number, number]> = []
    adjacency.forEach((nbrs, i) => {
      const open = new Set(net.nodes[i]!.libp2p.getConnections().filter(c => c.status === 'open').map(c => c.remotePeer.toString()))
      for (const j of nbrs) if (i < j && !open.has(ids[j]!)) out.push([i, j])
    })
    return out
  }
  const deadline = Date.now() + LINK_TIMEOUT_MS
  // Dial every missing link, again if a connection was lost while the others came up.
  for (let pairs = missing(); pairs.length > 0; pairs = missing()) {
    if (Date.now() > deadline) throw new RealModeError(`${pairs.length} topology links could not be opened`)
    await mapLimit(pairs, DIAL_CONCURRENCY, async ([i, j]) => {
      await net.nodes[i]!.libp2p.dial(multiaddr(dialAddrs(net.nodes[j]!)[0]!)).catch(() => {})
    })
  }
  const wrong = (): number[] => net.nodes.flatMap((n, i) => gossipOf(n).stats().peers === adjacency[i]!.length ? [] : [i])
  for (let bad = wrong(); bad.length > 0; bad = wrong()) {
    if (Date.now() > deadline) {
      const detail = bad.slice(0, 5).map(i => `node ${i}: ${gossipOf(net.nodes[i]!).stats().peers} gossip peers, ${adjacency[i]!.length} links`).join('; ')
      throw new RealModeError(`the gossip services did not see exactly the topology's links (${detail})`)
    }
    await new Promise(resolve => setTimeout(resolve, 50))
  }
}

/**
 * Waits until the new connections' housekeeping (identify, DHT table updates, autonat) is over, so the
 * measurement sees the steady state the simulator models rather than a start-up burst.
 */
async function settle (): Promise<void> {
  const deadline = Date.now() + SETTLE_TIMEOUT_MS
  const histogram = monitorEventLoopDelay({ resolution: 5 })
  histogram.enable()
  try {
    while (Date.now() < deadline) {
      histogram.reset()
      await new Promise(resolve => setTimeout(resolve, 500))
      if (histogram.percentile(99) / 1e6 < QUIET_LOOP_DELAY_MS) return
    }
  } finally {
    histogram.disable()
  }
}

/**
 * Keeps the real connections to the topology's links: kad-dht and autonat open connections of their
 * own (routing-table refresh, dial-backs), which the gossip service would take as extra neighbours.
 * Any connection between two nodes that are not neighbours is closed as soon as it opens. Returns
 * an undo function and a counter of connections closed.
 */
function enforceTopology (net: TestNetwork, adjacency: number[][]): { closed: () => number, undo: () => void } {
  const indexOf = new Map(net.nodes.map((node, i) => [node.libp2p.peerId.toString(), i]))
  const allowed = adjacency.map(nbrs => new Set(nbrs))
  let closed = 0
  const check = (i: number, remote: string, close: () => Promise<void>): void => {
    const j = indexOf.get(remote)
    if (j !== undefined && allowed[i]!.has(j)) return
    closed++
    close().catch(() => {})
  }
  const listeners = net.nodes.map((node, i) => {
    const listener = (evt: CustomEvent<Connection>): void => { check(i, evt.detail.remotePeer.toString(), async () => { await evt.detail.close() }) }
    node.libp2p.addEventListener('connection:open', listener)
    for (const conn of node.libp2p.getConnections()) check(i, conn.remotePeer.toString(), async () => { await conn.close() })
    return listener
  })
  return {
    closed: () => closed,
    undo: () => { net.nodes.forEach((node, i) => { node.libp2p.removeEventListener('connection:open', listeners[i]!) }) }
  }
}

/** Runs a scenario on real nodes. */
export async function runReal (scenario: Scenario, options: RealRunOptions = {}): Promise<SimRun> {
  checkSupported(scenario)
  const plan = toPlan(scenario, getProtocol('tx-gossip').parseParams(scenario.protocol.params, 'protocol.params'))
  const { adjacency } = initialTopology(plan, natClasses(plan, plan.nodes))
  const metrics = new RunMetrics(plan.nodes, plan.workload.transactions)
  const net = await startNetwork({
    nodes: plan.nodes,
    bootstrap: 'none',
    // Only the topology's links: no discovery dials (min 0), room for every link (max), and the
    // Kademlia walks (and kad-dht's first self-query, which every DHT query waits for) a day away.
    // Left at their defaults they start 15-30 s in and dial non-neighbours (real mode closes those
    // at once) at about 40 handshakes a second, which slowed the later transactions of a run by up to
    // a factor of 5 on the 2-core machine.
    config: {
      connections: { min: 0, max: Math.max(...adjacency.map(a => a.length)) * 2 + 8 },
      discovery: { intervalMs: 24 * HOUR_MS, refreshIntervalMs: 24 * HOUR_MS }
    },
    contributions: [gossipContribution({ core: coreOverrides(plan) })]
  })
  try {
    const guard = enforceTopology(net, adjacency)
    try {
      await link(net, adjacency)
      await settle()
      const result = await drive(net, plan, adjacency, metrics, options)
      if (guard.closed() > 0) metrics.traces.set('non-topology-connections-closed', guard.closed())
      return { result, summary: summarize(result, 'real') }
    } finally {
      guard.undo()
    }
  } finally {
    await net.stop()
  }
}

const sleep = async (ms: number): Promise<void> => new Promise(resolve => setTimeout(resolve, ms))

/** The measuring side of a real run: first receipts into the metrics, with their hop counts and times. */
class ReceiptRecorder {
  /** First receipts so far (publishers excluded). */
  count = 0
  readonly txIndex = new Map<string, number>()
  private readonly undo: Array<() => void> = []
  private readonly metrics: RunMetrics
  private readonly now: (tx: number) => number

  constructor (net: TestNetwork, metrics: RunMetrics, now: (tx: number) => number) {
    this.metrics = metrics
    this.now = now
    net.nodes.forEach((node, i) => {
      const handler = (evt: CustomEvent<ReceivedTransaction>): void => { this.record(i, evt.detail) }
      gossipOf(node).addEventListener('tx:received', handler)
      this.undo.push(() => { gossipOf(node).removeEventListener('tx:received', handler) })
    })
  }

  /** Stops listening. */
  close (): void { for (const undo of this.undo) undo() }

  private record (node: number, received: ReceivedTransaction): void {
    const tx = this.txIndex.get(received.txId)
    if (received.local || tx === undefined) return
    if (this.metrics.deliver(node, tx, received.notification.hopCount, this.now(tx))) this.count++
  }
}

/** Publishes the workload on schedule, records first receipts, and stops when all arrived or time is up. */
async function drive (net: TestNetwork, plan: RunPlan, adjacency: number[][], metrics: RunMetrics, options: RealRunOptions): Promise<RunResult> {
  const n = plan.nodes
  const workload = new Workload(plan.workload, n, createRng(plan.seed).fork(5), layoutOf(plan))
  const t0 = performance.now()
  const now = (): number => performance.now() - t0
  // A receipt is timed at its publication's wall time plus the time since on the receipt clock.
  const clock = openClock(options.clock ?? 'wall')
  const publishedAt = new Float64Array(plan.workload.transactions)
  const publishedOnClock = new Float64Array(plan.workload.transactions)
  const recorder = new ReceiptRecorder(net, metrics, tx => publishedAt[tx]! + clock.now() - publishedOnClock[tx]!)
  const failures: unknown[] = []
  const publishing: Array<Promise<unknown>> = []
  const total = plan.workload.transactions
  let published = 0
  let nextSample = plan.sampleIntervalMs
  try {
    while (now() < plan.durationMs && (published < total || recorder.count < total * (n - 1))) {
      for (; published < total && workload.timeOf(published) <= now(); published++) {
        const tx = workload.make(published, now(), () => true, rng => rng.int(n))
        recorder.txIndex.set(tx.key, tx.index)
        publishedOnClock[tx.index] = clock.now()
        publishedAt[tx.index] = now()
        metrics.publish(tx.index, tx.publisher, publishedAt[tx.index]!, n)
        publishing.push(gossipOf(net.nodes[tx.publisher]!).publish({ registerId: tx.registerId, payload: tx.payload }).catch(err => failures.push(err)))
      }
      for (; nextSample <= now(); nextSample += plan.sampleIntervalMs) sample(metrics, nextSample, n, options.sampleMemory ?? true)
      options.onProgress?.(now(), plan.durationMs, recorder.count)
      await sleep(published < total ? Math.max(1, Math.min(10, workload.timeOf(published) - now())) : 10)
    }
    await Promise.all(publishing)
  } finally {
    recorder.close()
    clock.close()
  }
  if (failures.length > 0) throw new RealModeError(`${failures.length} publications failed: ${String(failures[0])}`)
  return finish(net, plan, adjacency, metrics, recorder.count, now())
}

function sample (metrics: RunMetrics, at: number, nodes: number, withMemory: boolean): void {
  const mem = withMemory ? process.memoryUsage() : undefined
  metrics.sample(at, nodes, { heapUsedMb: (mem?.heapUsed ?? 0) / 1048576, rssMb: (mem?.rss ?? 0) / 1048576 })
}

/** Adds the nodes' own traffic counters and assembles the result. */
function finish (net: TestNetwork, plan: RunPlan, adjacency: number[][], metrics: RunMetrics, receipts: number, endMs: number): RunResult {
  for (const node of net.nodes) {
    const stats = gossipOf(node).stats()
    metrics.bytes += stats.bytesSent
    metrics.bodies += stats.bodiesReceived
  }
  metrics.finish()
  let degreeSum = 0
  for (const nbrs of adjacency) degreeSum += nbrs.length
  return {
    plan,
    metrics,
    liveAtEnd: Int32Array.from({ length: plan.nodes }, (_, i) => i),
    nodesCreated: plan.nodes,
    events: receipts,
    endMs: Math.min(plan.durationMs, endMs),
    missingLinks: 0,
    meanDegree: degreeSum / plan.nodes,
    offline: []
  }
}
