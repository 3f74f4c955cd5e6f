/**
 * The worker-thread side of test/support/worker-node.ts: starts one real node (its own event loop,
 * libp2p node and temp data directory, TCP on 127.0.0.1), posts `ready` with its peer id and
 * address, then answers `{ id, method, args }` requests with the `LocalNode` operations (plus this
 * thread's CPU since a mark, alone or with whenHolds, and stop) as `{ id, result }` or `{ id, error }`.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { parentPort, workerData } from 'node:worker_threads'
import type { ServiceContribution } from '../../src/node/sorcha-node.ts'
import { topologyContribution } from '../../src/discovery/index.ts'
import { gossipContribution } from '../../src/gossip/index.ts'
import { peerHealthContribution } from '../../src/health/index.ts'
import { startNetwork } from '../../src/harness/index.ts'
import { quiet } from './gossip-net.ts'
import { LocalNode } from './node-ops.ts'
import { NODE_OPS, type WorkerNodeSetup, type ThreadUsage, type WorkerRequest } from './worker-node.ts'

const CONTRIBUTIONS: Record<WorkerNodeSetup['contributions'][number], () => ServiceContribution> = {
  gossip: () => gossipContribution(),
  peerHealth: () => peerHealthContribution(),
  topology: () => topologyContribution
}

const setup = workerData as WorkerNodeSetup
const net = await startNetwork({ nodes: 1, bootstrap: 'none', config: setup.config, contributions: setup.contributions.map(name => CONTRIBUTIONS[name]()) })
const local = new LocalNode(net.nodes[0]!)
await quiet([local.node])

const threadCpuUs = (): number => { const u = process.threadCpuUsage(); return u.user + u.system }
const delay = monitorEventLoopDelay({ resolution: 10 })
delay.enable()
// The longest stall of the event loop and this thread's CPU during it: CPU close to the stall's
// length means one long task; far less, that the thread waited (for a core, or blocked in a call).
const TICK_MS = 20
let stall = { wallMs: 0, cpuMs: 0 }
let last = { at: performance.now(), cpuUs: threadCpuUs() }
const ticker = setInterval(() => {
  const now = { at: performance.now(), cpuUs: threadCpuUs() }
  const wallMs = now.at - last.at - TICK_MS
  if (wallMs > stall.wallMs) stall = { wallMs: Math.round(wallMs), cpuMs: Math.round((now.cpuUs - last.cpuUs) / 1e3) }
  last = now
}, TICK_MS)
let mark = { cpuUs: threadCpuUs(), loop: performance.eventLoopUtilization() }
const usage = (): ThreadUsage => ({
  cpuSeconds: Math.round((threadCpuUs() - mark.cpuUs) / 1e3) / 1e3,
  loopBusy: Math.round(performance.eventLoopUtilization(mark.loop).utilization * 100) / 100,
  loopDelayMaxMs: Math.round(delay.max / 1e6),
  longestStall: stall
})
const own: Record<string, (...args: never[]) => Promise<unknown>> = {
  markUsage: async () => {
    mark = { cpuUs: threadCpuUs(), loop: performance.eventLoopUtilization() }
    delay.reset()
    stall = { wallMs: 0, cpuMs: 0 }
  },
  usage: async () => usage(),
  whenHoldsWithUsage: async (count: number, everyMs?: number, timeoutMs?: number) => ({ atMs: await local.whenHolds(count, everyMs, timeoutMs), ...usage() }),
  stop: async () => {
    delay.disable()
    clearInterval(ticker)
    await net.stop()
  }
}

parentPort!.on('message', (request: WorkerRequest) => {
  const method = (NODE_OPS as readonly string[]).includes(request.method)
    ? (local[request.method as typeof NODE_OPS[number]] as (...args: unknown[]) => Promise<unknown>).bind(local)
    : own[request.method]
  if (method === undefined) {
    parentPort!.postMessage({ id: request.id, error: `no such operation: ${request.method}` })
    return
  }
  method(...(request.args as never[])).then(
    result => { parentPort!.postMessage({ id: request.id, result }) },
    (err: unknown) => { parentPort!.postMessage({ id: request.id, error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) }) }
  )
})
parentPort!.postMessage({ type: 'ready', peerId: local.peerId, address: local.address })
