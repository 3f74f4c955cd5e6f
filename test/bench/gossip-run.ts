/** One strategy's run of the gossip benchmark (see gossip.ts). */
import type { GossipSub } from '@libp2p/gossipsub'
import { createRng } from '../../protocols/common/rng.ts'
import type { ConfigInput } from '../../src/config/index.ts'
import { eventLogContribution } from '../../src/events/index.ts'
import { gossipContribution, gossipOf, topicOf, TX_GOSSIP_PROTOCOL, type GossipsubDistributor } from '../../src/gossip/index.ts'
import { startNetwork } from '../../src/harness/index.ts'
import { connect, quiet, randomGraph, waitFor } from '../support/gossip-net.ts'
import { percentile } from './args.ts'
import { countStreamBytes } from './stream-bytes.ts'

/** Benchmark parameters. */
export interface BenchOptions {
  nodes: number
  tx: number
  size: number
  degree: number
  rate: number
  seed: number
  settleMs: number
  /** Run gossipsub with the library's defaults instead of the node's configured tuning. */
  gossipsubStock: boolean
  /** sorcha: override gossip.fanout (experiments). */
  fanout?: number
  /** Run each node with the event log (src/events), as a standard node does. @default false */
  events?: boolean
  /** More configuration for every node (the metrics benchmark turns metrics on). */
  config?: ConfigInput
  /** Started when publishing starts (within the measured window); the function it returns stops it. */
  during?: (nodes: Node[]) => () => Promise<void>
}

const REGISTER = 'bench'
const GOSSIPSUB_PROTOCOLS = ['/meshsub/1.2.0', '/meshsub/1.1.0', '/meshsub/1.0.0', '/floodsub/1.0.0']
/** The library's own defaults (gossipsub v1.1 spec values, StrictSign, no IP exemption). */
const STOCK_GOSSIPSUB = { d: 6, dlo: 4, dhi: 12, heartbeatIntervalMs: 1000, floodPublish: true, sign: true, ipColocationWhitelist: [] }

function configFor (strategy: 'sorcha' | 'gossipsub', options: BenchOptions): ConfigInput {
  // All nodes share 127.0.0.1: exempt it from gossipsub's IP-colocation penalty, as the harness exempts
  // it from the connection limits (in a deployment every node has its own address).
  const gossipsub = options.gossipsubStock ? STOCK_GOSSIPSUB : { ipColocationWhitelist: ['127.0.0.1'] }
  return { ...options.config, gossip: { strategy, registers: [REGISTER], ...(strategy === 'gossipsub' ? { gossipsub } : {}), ...(options.fanout !== undefined ? { fanout: options.fanout } : {}) } }
}

/** Counts full messages received by a gossipsub router (duplicates included): instrumentation for the benchmark only. */
function countGossipsubBodies (pubsub: GossipSub, counter: { bodies: number }): void {
  const router = pubsub as unknown as { handleReceivedRpc: (from: unknown, rpc: { messages?: unknown[] }) => Promise<void> }
  const original = router.handleReceivedRpc.bind(router)
  router.handleReceivedRpc = async (from, rpc) => {
    counter.bodies += rpc.messages?.length ?? 0
    return original(from, rpc)
  }
}

async function warmUp (strategy: 'sorcha' | 'gossipsub', nodes: Array<Parameters<typeof gossipOf>[0]>, degree: number[]): Promise<void> {
  await waitFor(() => nodes.every((node, i) => gossipOf(node).stats().peers === degree[i]), 120_000, 'neighbours')
  if (strategy === 'gossipsub') {
    // Publishing before the mesh forms is what the stock measurement did: let GRAFTs settle first.
    const topic = topicOf(REGISTER)
    const meshed = (): number => nodes.filter((node, i) => ((gossipOf(node) as GossipsubDistributor).pubsub as unknown as { getMeshPeers: (t: string) => string[] }).getMeshPeers(topic).length >= Math.min(4, degree[i] ?? 0)).length
    // Stock settings may never form a full mesh (IP-colocation penalty on one host): publish anyway after 30 s.
    await waitFor(() => meshed() === nodes.length, 30_000, 'gossipsub mesh').catch(() => {
      process.stderr.write(`gossipsub mesh incomplete: ${meshed()} of ${nodes.length} nodes have >= min(4, degree) mesh peers\n`)
    })
  }
  await new Promise(resolve => setTimeout(resolve, 3000))
}

type Node = Parameters<typeof gossipOf>[0]

/** Byte and body counters for a strategy's traffic. */
function instrument (strategy: 'sorcha' | 'gossipsub', nodes: Node[]): { bytes: { bytes: number }, bodies: () => number, reset: () => void } {
  const bytes = { bytes: 0 }
  const gossipsubBodies = { bodies: 0 }
  for (const node of nodes) {
    countStreamBytes(node as Parameters<typeof countStreamBytes>[0], strategy === 'sorcha' ? [TX_GOSSIP_PROTOCOL] : GOSSIPSUB_PROTOCOLS, bytes)
    if (strategy === 'gossipsub') countGossipsubBodies((gossipOf(node) as GossipsubDistributor).pubsub, gossipsubBodies)
  }
  const sorchaBodies = (): number => nodes.reduce((sum, node) => sum + gossipOf(node).stats().bodiesReceived, 0)
  let base = 0
  return {
    bytes,
    bodies: () => strategy === 'sorcha' ? sorchaBodies() - base : gossipsubBodies.bodies,
    reset: () => { bytes.bytes = 0; gossipsubBodies.bodies = 0; base = sorchaBodies() }
  }
}

/** Latency of every remote delivery: publish call to the receiving node's 'tx:received'. */
function recordDeliveries (nodes: Node[], publishedAt: Map<string, number>): number[] {
  const latencies: number[] = []
  for (const node of nodes) {
    gossipOf(node).addEventListener('tx:received', e => {
      if (!e.detail.local) latencies.push(performance.now() - (publishedAt.get(e.detail.txId) ?? NaN))
    })
  }
  return latencies
}

/** Publishes the work list at `rate` per second from its publishers. */
async function publishAll (nodes: Node[], options: BenchOptions, publishedAt: Map<string, number>): Promise<void> {
  const rng = createRng(options.seed)
  const work = Array.from({ length: options.tx }, () => ({ publisher: rng.int(options.nodes), payload: new Uint8Array(options.size).map(() => rng.int(256)) }))
  const start = performance.now()
  for (let i = 0; i < work.length; i++) {
    const wait = start + i * 1000 / options.rate - performance.now()
    if (wait > 0) await new Promise(resolve => setTimeout(resolve, wait))
    const { publisher, payload } = work[i]!
    publishedAt.set(Buffer.from(await crypto.subtle.digest('SHA-256', payload)).toString('hex'), performance.now())
    await gossipOf(nodes[publisher]!).publish({ registerId: REGISTER, payload })
  }
}

const round = (n: number, digits: number): number => Math.round(n * 10 ** digits) / 10 ** digits

/** Runs one strategy and returns its figures. */
export async function runStrategy (strategy: 'sorcha' | 'gossipsub', options: BenchOptions): Promise<Record<string, number>> {
  const net = await startNetwork({ nodes: options.nodes, bootstrap: 'none', config: configFor(strategy, options), contributions: options.events === true ? [eventLogContribution, gossipContribution()] : [gossipContribution()], startConcurrency: 10 })
  try {
    const nodes = net.nodes
    const counters = instrument(strategy, nodes)
    await quiet(nodes)
    const edges = randomGraph(options.nodes, options.degree, options.seed)
    await connect(nodes, edges)
    await warmUp(strategy, nodes, nodes.map((_, i) => edges.filter(([a, b]) => a === i || b === i).length))
    const publishedAt = new Map<string, number>()
    const latencies = recordDeliveries(nodes, publishedAt)
    counters.reset()
    const cpu = process.cpuUsage()
    const loop = performance.eventLoopUtilization()
    const start = performance.now()
    const stopDuring = options.during?.(nodes)
    await publishAll(nodes, options, publishedAt)
    const expected = options.tx * (options.nodes - 1)
    await waitFor(() => latencies.length >= expected, options.settleMs, 'deliveries').catch(() => {})
    await stopDuring?.()
    const cpuUsed = process.cpuUsage(cpu)
    const loopUsed = performance.eventLoopUtilization(loop)
    const elapsedMs = performance.now() - start
    latencies.sort((a, b) => a - b)
    return {
      nodes: options.nodes,
      tx: options.tx,
      sizeBytes: options.size,
      deliveredFraction: latencies.length / expected,
      latencyMsP50: round(percentile(latencies, 50), 1),
      latencyMsP95: round(percentile(latencies, 95), 1),
      latencyMsP99: round(percentile(latencies, 99), 1),
      bytesSentPerTxPerNode: Math.round(counters.bytes.bytes / options.tx / options.nodes),
      copiesPerNode: round(counters.bodies() / expected, 3),
      cpuSeconds: round((cpuUsed.user + cpuUsed.system) / 1e6, 2),
      // Share of the window the one event loop of all the nodes was busy: near 1, latency is queueing.
      loopUtilization: round(loopUsed.utilization, 3),
      elapsedSeconds: round(elapsedMs / 1000, 1)
    }
  } finally {
    await net.stop()
  }
}
