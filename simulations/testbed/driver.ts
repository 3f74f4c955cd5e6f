/**
 * The testbed's driver: runs a scenario's workload and faults against running nodes, only through
 * their gateways (the real client, src/client) and a FaultInjector, and measures what the simulator
 * measures. The local mode runs it in the testbed process; the Kubernetes mode runs the same code in
 * a Job (simulations/testbed/kubernetes/job.ts). First receipts are timed on the driver's clock when a node's
 * subscription reports them; at the end every node still up is asked for everything it stores, so a
 * receipt missed while a subscription was down still counts (traced as `receipts-found-at-end`).
 */
import { SorchaClient, type Endpoint } from '../../src/client/index.ts'
import type { TransactionEvent } from '../../protos/gen/sorcha/api/v1/transaction_distribution.ts'
import { createRng } from '../../protocols/common/rng.ts'
import { RunMetrics } from '../engine/metrics.ts'
import type { RunResult } from '../engine/simulator.ts'
import { Workload } from '../engine/workload.ts'
import { summarize } from '../report/summary.ts'
import type { SimRun } from '../run.ts'
import type { FaultAction, TestbedPlan } from './plan.ts'
import { submitPatiently } from './submit.ts'

/** How long the nodes may take to reach their neighbours before the workload starts. */
export const MESH_TIMEOUT_MS = 20_000
/** Per-call deadline of the driver's gateway calls. */
const CALL_TIMEOUT_MS = 5_000

/** Applies fault actions to the nodes (signals and iptables locally; the Kubernetes API in a cluster). */
export interface FaultInjector {
  apply: (action: FaultAction) => Promise<void>
  /**
   * Whether node i takes submissions now, where the injector knows better than the plan (a restarted
   * node is up only once it runs again, however long that takes). Absent: the plan decides alone.
   */
  isUp?: (node: number) => boolean
}

/** The running nodes as the driver sees them. */
export interface DriverTarget {
  /** Gateway endpoint of node i. */
  endpoints: Endpoint[]
  /** The gateways' API token. */
  token: string
  faults: FaultInjector
  /** Memory of all nodes now (for the time series); zeros when unknown. */
  memory?: () => { heapUsedMb: number, rssMb: number }
}

/** The run could not be driven (nodes never meshed, a fault could not be applied). */
export class DriverError extends Error {
  override name = 'DriverError'
}

const sleep = async (ms: number): Promise<void> => new Promise(resolve => setTimeout(resolve, ms))

/** Plus this per node beyond MESH_TIMEOUT_MS: 50 node processes just started on 2 cores take longer to mesh. */
const MESH_TIMEOUT_PER_NODE_MS = 2_000
/** The mesh timeout of a run of `nodes` nodes: MESH_TIMEOUT_MS, or 2 s per node when more. */
export const meshTimeoutMs = (nodes: number): number => Math.max(MESH_TIMEOUT_MS, MESH_TIMEOUT_PER_NODE_MS * nodes)

/** Waits until every node's gossip layer has at least its topology degree of peers (1 at least). */
async function waitForMesh (clients: SorchaClient[], plan: TestbedPlan): Promise<void> {
  const timeoutMs = meshTimeoutMs(clients.length)
  const deadline = Date.now() + timeoutMs
  const want = plan.adjacency.map(nbrs => Math.max(1, nbrs.length))
  let peers: number[] = []
  while (Date.now() < deadline) {
    peers = await Promise.all(clients.map(async c => (await c.stats({ timeoutMs: CALL_TIMEOUT_MS }).catch(() => undefined))?.gossip?.peers ?? -1))
    if (peers.every((p, i) => p >= want[i]!)) return
    await sleep(250)
  }
  const short = peers.flatMap((p, i) => p >= want[i]! ? [] : [`node ${i}: ${p < 0 ? 'gateway not answering' : `${p} gossip peers of ${want[i]}`}`])
  throw new DriverError(`the nodes did not mesh within ${timeoutMs / 1000} s (${short.slice(0, 5).join('; ')})`)
}

/** Runs the plan's workload and faults against the target; returns the report in the simulator's format. */
export async function drive (plan: TestbedPlan, target: DriverTarget, onProgress?: (nowMs: number, totalMs: number, receipts: number) => void): Promise<RunResult> {
  const run = plan.run
  const n = run.nodes
  const total = run.workload.transactions
  // One endpoint per client: no breaker (there is no other endpoint to fail over to, and a breaker
  // opened by the follow loop while a node was down refused submissions for 10 s after it was back).
  const clients = target.endpoints.map(endpoint => new SorchaClient({ endpoints: endpoint, token: target.token, timeoutMs: CALL_TIMEOUT_MS, maxAttempts: 2, breakerThreshold: Number.MAX_SAFE_INTEGER }))
  const metrics = new RunMetrics(n, total)
  const txIndex = new Map<string, number>()
  const liveAtEnd = Array.from({ length: n }, (_, i) => i).filter(i => !plan.deadAtEnd.has(i))
  const stop = new AbortController()
  let receipts = 0
  try {
    await waitForMesh(clients, plan)
    const t0 = performance.now()
    const now = (): number => performance.now() - t0
    const record = (node: number, ev: TransactionEvent, at: number): boolean => {
      const tx = txIndex.get(ev.txId)
      if (tx === undefined || metrics.publisherOf[tx] === node || metrics.has(node, tx)) return false
      metrics.deliver(node, tx, ev.hopCount, at)
      receipts++
      return true
    }
    const follows = clients.map(async (client, node) => {
      let cursor = ''
      while (!stop.signal.aborted) {
        try {
          for await (const item of client.subscribe({ cursor }, { signal: stop.signal })) {
            if (item.transaction === undefined) continue
            cursor = item.transaction.cursor
            record(node, item.transaction, now())
          }
        } catch { /* the node is down or frozen: follow again */ }
        if (!stop.signal.aborted) await sleep(200)
      }
    })
    // Let the subscriptions establish before the first publication.
    await sleep(300)
    // Done early once every node that will be up at the end holds every transaction.
    const complete = (): boolean => liveAtEnd.every(node => { for (let t = 0; t < total; t++) if (!metrics.has(node, t)) return false; return true })
    const workload = new Workload(run.workload, n, createRng(run.seed).fork(5))
    const faults = [...plan.faults]
    const failures: string[] = []
    const publishing: Array<Promise<unknown>> = []
    let faultChain = Promise.resolve()
    let published = 0
    let nextSample = run.sampleIntervalMs
    while (now() < run.durationMs && (published < total || faults.length > 0 || !complete())) {
      const t = now()
      while (faults.length > 0 && faults[0]!.atMs <= t) {
        const action = faults.shift()!
        faultChain = faultChain.then(async () => target.faults.apply(action)).catch(err => { failures.push(`fault ${action.kind} (${action.why}): ${(err as Error).message}`) })
      }
      for (; published < total && workload.timeOf(published) <= t; published++) {
        const up = (i: number): boolean => plan.canPublish(i, t) && (target.faults.isUp?.(i) ?? true)
        const live = Array.from({ length: n }, (_, i) => i).filter(up)
        if (live.length === 0) throw new DriverError(`no node can take transaction ${published} at ${Math.round(t)} ms`)
        const tx = workload.make(published, t, up, rng => live[rng.int(live.length)]!)
        txIndex.set(tx.key, tx.index)
        metrics.publish(tx.index, tx.publisher, now(), live.length)
        const upNow = (i: number): boolean => up(i) && plan.canPublish(i, now())
        publishing.push(submitPatiently({
          submit: async node => clients[node]!.submit({ registerId: tx.registerId, payload: tx.payload }),
          publisher: tx.publisher,
          isUp: upNow,
          willReturn: i => !plan.deadAtEnd.has(i),
          pickOther: not => Array.from({ length: n }, (_, i) => i).find(i => i !== not && upNow(i)),
          signal: stop.signal
        }).then(r => { if (r.attempts > 1) metrics.count(metrics.traces, 'submit-retried') }, err => {
          metrics.count(metrics.traces, 'submit-failed')
          failures.push(`submit of transaction ${tx.index} to node ${tx.publisher}: ${(err as Error).message}`)
        }))
      }
      for (; nextSample <= now(); nextSample += run.sampleIntervalMs) metrics.sample(nextSample, n, target.memory?.() ?? { heapUsedMb: 0, rssMb: 0 })
      onProgress?.(now(), run.durationMs, receipts)
      await sleep(published < total ? Math.max(1, Math.min(10, workload.timeOf(published) - now())) : 10)
    }
    await Promise.all(publishing)
    await faultChain
    if (failures.some(f => f.startsWith('fault '))) throw new DriverError(failures.find(f => f.startsWith('fault '))!)
    const endMs = now()
    stop.abort()
    await Promise.all(follows)
    await collect(clients, liveAtEnd, metrics, (node, ev) => {
      if (record(node, ev, now())) metrics.count(metrics.traces, 'receipts-found-at-end')
    })
    return await finish(clients, plan, metrics, liveAtEnd, receipts, endMs)
  } finally {
    stop.abort()
    for (const c of clients) c.close()
  }
}

/** Asks every node up at the end for everything it stores. */
async function collect (clients: SorchaClient[], liveAtEnd: number[], metrics: RunMetrics, found: (node: number, ev: TransactionEvent) => void): Promise<void> {
  await Promise.all(liveAtEnd.map(async node => {
    try {
      let since = ''
      for (let more = true; more;) {
        const page = await clients[node]!.listTransactions({ since, limit: 1000 })
        for (const ev of page.transactions) found(node, ev)
        since = page.nextCursor
        more = page.more || page.transactions.length === 1000
      }
    } catch {
      metrics.count(metrics.traces, 'nodes-unreachable-at-end')
    }
  }))
}

/** Adds the nodes' traffic counters and assembles the result. */
async function finish (clients: SorchaClient[], plan: TestbedPlan, metrics: RunMetrics, liveAtEnd: number[], receipts: number, endMs: number): Promise<RunResult> {
  for (const node of liveAtEnd) {
    const stats = await clients[node]!.stats().catch(() => undefined)
    const gossip = stats?.gossip
    // Reconciliation's bytes too (sorcha's repair path): what the node sends to spread transactions.
    metrics.bytes += (gossip?.bytesSent ?? 0) + (stats?.reconcile?.bytesSent ?? 0)
    metrics.bodies += gossip?.bodiesReceived ?? 0
  }
  metrics.finish()
  let degreeSum = 0
  for (const nbrs of plan.adjacency) degreeSum += nbrs.length
  return {
    plan: plan.run,
    metrics,
    liveAtEnd: Int32Array.from(liveAtEnd),
    nodesCreated: plan.run.nodes,
    events: receipts,
    endMs: Math.min(plan.run.durationMs, endMs),
    missingLinks: 0,
    meanDegree: degreeSum / plan.run.nodes,
    offline: []
  }
}

/** drive() with the summary filled in (mode 'testbed'). */
export async function driveAndSummarize (plan: TestbedPlan, target: DriverTarget, onProgress?: (nowMs: number, totalMs: number, receipts: number) => void): Promise<SimRun> {
  const result = await drive(plan, target, onProgress)
  return { result, summary: summarize(result, 'testbed') }
}
