/**
 * A real node in a worker thread of its own (test/support/worker-node-thread.ts): its own event
 * loop, libp2p node and temp data directory, TCP on 127.0.0.1, as a node on another machine would
 * have. This thread drives it by messages through the `NodeOps` operations, and can ask the
 * worker's own CPU time and event-loop use since a mark. Used by the partition and queue benchmarks.
 */
import { Worker } from 'node:worker_threads'
import type { ConfigInput } from '../../src/config/index.ts'
import type { DistributorStats, PublishInput } from '../../src/gossip/distributor.ts'
import type { Deliveries, Incidents, NodeOps, ReconcileCounters } from './node-ops.ts'

/** The NodeOps methods a worker answers. */
export const NODE_OPS = ['dial', 'ban', 'unban', 'connectedTo', 'gossipPeers', 'storeCount', 'publish', 'holdsCount', 'whenHolds', 'deliveries', 'reconcileCounters', 'gossipStats', 'incidents'] as const

/** What the worker starts its node with: the configuration (over the harness defaults) and the feature services. */
export interface WorkerNodeSetup { config: ConfigInput, contributions: Array<'gossip' | 'peerHealth' | 'topology'> }

/** A request to the worker. */
export interface WorkerRequest { id: number, method: string, args: unknown[] }

/**
 * Since the last mark: the worker thread's own CPU time (s), the share of wall time its event loop
 * was busy, its longest event-loop delay (ms), and its longest stall with the thread's CPU during it
 * (CPU close to the stall: one long task; far less: the thread was waiting for a core or blocked).
 */
export interface ThreadUsage { cpuSeconds: number, loopBusy: number, loopDelayMaxMs: number, longestStall: { wallMs: number, cpuMs: number } }

type Reply = { id: number, result?: unknown, error?: string } | { type: 'ready', peerId: string, address: string }

/** A node running in a worker thread. */
export class WorkerNode implements NodeOps {
  readonly peerId: string
  readonly address: string
  private readonly worker: Worker
  private readonly pending = new Map<number, PromiseWithResolvers<unknown>>()
  private next = 0

  private constructor (worker: Worker, peerId: string, address: string) {
    this.worker = worker
    this.peerId = peerId
    this.address = address
    worker.on('message', (reply: Reply) => {
      if (!('id' in reply)) return
      const waiter = this.pending.get(reply.id)
      this.pending.delete(reply.id)
      if (reply.error !== undefined) waiter?.reject(new Error(`worker node ${this.peerId}: ${reply.error}`))
      else waiter?.resolve(reply.result)
    })
    const fail = (err: Error): void => {
      for (const waiter of this.pending.values()) waiter.reject(err)
      this.pending.clear()
    }
    worker.on('error', fail)
    worker.on('exit', code => { fail(new Error(`worker node ${peerId} exited (code ${code})`)) })
  }

  /** Starts a worker and its node; resolves once the node listens. */
  static async start (setup: WorkerNodeSetup): Promise<WorkerNode> {
    const worker = new Worker(new URL('./worker-node-thread.ts', import.meta.url), { workerData: setup })
    const ready = Promise.withResolvers<WorkerNode>()
    const onReady = (m: Reply): void => {
      if ('type' in m) ready.resolve(new WorkerNode(worker, m.peerId, m.address))
    }
    worker.on('message', onReady)
    worker.once('error', ready.reject)
    worker.once('exit', code => { ready.reject(new Error(`worker node exited before it was ready (code ${code})`)) })
    try {
      return await ready.promise
    } finally {
      worker.off('message', onReady)
      worker.off('error', ready.reject)
    }
  }

  private async call<T> (method: string, ...args: unknown[]): Promise<T> {
    const id = this.next++
    const waiter = Promise.withResolvers<unknown>()
    this.pending.set(id, waiter)
    this.worker.postMessage({ id, method, args } satisfies WorkerRequest)
    return await (waiter.promise as Promise<T>)
  }

  async dial (address: string): Promise<void> { await this.call('dial', address) }
  async ban (peerIds: string[], reason: string): Promise<void> { await this.call('ban', peerIds, reason) }
  async unban (peerIds: string[]): Promise<void> { await this.call('unban', peerIds) }
  async connectedTo (peerIds: string[]): Promise<number> { return this.call('connectedTo', peerIds) }
  async gossipPeers (): Promise<number> { return this.call('gossipPeers') }
  async storeCount (): Promise<number> { return this.call('storeCount') }
  async publish (items: PublishInput[]): Promise<string[]> { return this.call('publish', items) }
  async holdsCount (txIds: string[]): Promise<number> { return this.call('holdsCount', txIds) }
  async whenHolds (count: number, everyMs?: number, timeoutMs?: number): Promise<number> { return this.call('whenHolds', count, everyMs, timeoutMs) }
  async deliveries (): Promise<Deliveries> { return this.call('deliveries') }
  async reconcileCounters (): Promise<ReconcileCounters> { return this.call('reconcileCounters') }
  async gossipStats (): Promise<DistributorStats> { return this.call('gossipStats') }
  async incidents (): Promise<Incidents> { return this.call('incidents') }

  /** Starts the worker's CPU and event-loop measurement anew (it starts when the node is ready). */
  async markUsage (): Promise<void> { await this.call('markUsage') }
  /** The worker's CPU and event-loop use since the mark. */
  async usage (): Promise<ThreadUsage> { return this.call('usage') }
  /** whenHolds, with the worker's CPU and event-loop use since the mark read at that moment. */
  async whenHoldsWithUsage (count: number, everyMs?: number, timeoutMs?: number): Promise<ThreadUsage & { atMs: number }> {
    return this.call('whenHoldsWithUsage', count, everyMs, timeoutMs)
  }

  /** Stops the node (deleting its directory) and ends the worker. */
  async stop (): Promise<void> {
    try {
      await this.call('stop')
    } finally {
      await this.worker.terminate()
    }
  }
}

/** Starts `count` worker nodes, `concurrency` at a time; on a failure stops those started. */
export async function startWorkerNodes (count: number, setup: WorkerNodeSetup, concurrency = 5): Promise<WorkerNode[]> {
  const nodes: WorkerNode[] = new Array(count)
  let next = 0
  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) {
        const i = next++
        nodes[i] = await WorkerNode.start(setup)
      }
    }))
  } catch (err) {
    await Promise.allSettled(nodes.filter(n => n !== undefined).map(async n => n.stop()))
    throw err
  }
  return nodes
}
