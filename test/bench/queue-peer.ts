/**
 * The receiving peer of the queue benchmark (test/bench/queue.ts), run in a worker thread so that it
 * has its own event loop, as a peer on another machine would: one node that follows the register,
 * reports its dialable address, and reports (on the shared wall clock, timeOrigin + now) when its
 * store has written the expected number of transactions.
 */
import { parentPort, workerData } from 'node:worker_threads'
import type { ConfigInput } from '../../src/config/index.ts'
import { gossipContribution, gossipOf } from '../../src/gossip/index.ts'
import { dialAddrs, startNetwork } from '../../src/harness/index.ts'
import { quiet } from '../support/gossip-net.ts'

/** What the benchmark starts the worker with. */
export interface PeerSetup { config: ConfigInput, expect: number }

const setup = workerData as PeerSetup
/**
 * How often the peer looks at its store count. Its own CPU counts as the receiver's: polling every
 * millisecond cost more than the store writes on a loaded machine (a slow flush polls thousands of
 * times), so the measured CPU per transaction grew with the wall-clock time. 10 ms adds at most 10 ms
 * to a flush of a second or more.
 */
const POLL_MS = 10
const net = await startNetwork({ nodes: 1, bootstrap: 'none', config: setup.config, contributions: [gossipContribution()] })
const node = net.nodes[0]!
await quiet([node])
const gossip = gossipOf(node)
const cpu = (): number => { const u = process.threadCpuUsage(); return u.user + u.system }
const cpuAtReady = cpu()
parentPort!.postMessage({ type: 'ready', address: dialAddrs(node)[0] })
const timer = setInterval(() => {
  if (gossip.stats().store.count < setup.expect) return
  clearInterval(timer)
  // This thread's CPU from before the dial until everything was written (µs).
  parentPort!.postMessage({ type: 'stored', atMs: performance.timeOrigin + performance.now(), cpuUs: cpu() - cpuAtReady })
}, POLL_MS)
parentPort!.on('message', (message: { type: string }) => {
  if (message.type !== 'stop') return
  clearInterval(timer)
  void net.stop().then(() => { parentPort!.postMessage({ type: 'stopped' }) })
})
