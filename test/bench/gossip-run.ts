/** One strategy's run of the gossip benchmark (see gossip.ts). */
import type { GossipSub } from '@libp2p/gossipsub'
import { createRng } from '../../protocols/common/rng.ts'
import type { ConfigInput } from '../../src/config/index.ts'
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
}

const REGISTER = 'bench'
const GOSSIPSUB_PROTOCOLS = ['/meshsub/1.2.0', '/meshsub/1.1.0', '/meshsub/1.0.0', '/floodsub/1.0.0']
/** The library's own defaults (gossipsub v1.1 spec values, StrictSign, no IP exemption). */
const STOCK_GOSSIPSUB = { d: 6, dlo: 4, dhi: 12, heartbeatIntervalMs: 1000, floodPublish: true, sign: true, ipColocationWhitelist: [] }

function configFor (strategy: 'sorcha' | 'gossipsub', options: BenchOptions): ConfigInput {
  // All nodes share 127.0.0.1: exempt it from gossipsub's IP-colocation penalty, as the harness exempts
  // it from the connection limits (in a deployment every node has its own address).
  const gossipsub = options.gossipsubStock ? STOCK_GOSSIPSUB : { ipColocationWhitelist: ['127.0.0.1'] }
  return { gossip: { strategy, registers: [REGISTER], ...(strategy === 'gossipsub' ? { gossipsub } : {}), ...(options.fanout !== undefined ? { fanout: options.fanout } : {}) } }
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

async function warmUp (strategy: 'sorcha' | 'gossipsub', nodes: Parameters<typeof gossipOf>[0][], degree: number[]): Promise<void> {
  await waitFor(() => nodes.every((node, i) => gossipOf(node).stats().peers === degree[i]), 120_000, 'neighbours')
  if (strategy === 'gossipsub') {
    // Publishing before the mesh forms is what the stock measurement did: let GRAFTs settle first.
    const topic = topicOf(REGISTER)
    await waitFor(() => nodes.every((node, i) => ((gossipOf(node) as GossipsubDistributor).pubsub as unknown as { getMeshPeers: (t: string) => string[] }).getMeshPeers(topic).length >= Math.min(4, degree[i] ?? 0)), 120_000, 'gossipsub mesh')
  }
  await new Promise(resolve => setTimeout(resolve, 3000))
}

/** Runs one strategy and returns its figures. */
export async function runStrategy (strategy: 'sorcha' | 'gossipsub', options: BenchOptions): Promise<Record<string, number>> {
  const net = await startNetwork({ nodes: options.nodes, bootstrap: 'none', config: configFor(strategy, options), contributions: [gossipContribution()], startConcurrency: 10 })
  try {
    const nodes = net.nodes
    const bytes = { bytes: 0 }
    const bodies = { bodies: 0 }
    for (const node of nodes) {
      countStreamBytes(node, strategy === 'sorcha' ? [TX_GOSSIP_PROTOCOL] : GOSSIPSUB_PROTOCOLS, bytes)
      if (strategy === 'gossipsub') countGossipsubBodies((gossipOf(node) as GossipsubDistributor).pubsub, bodies)
    }
    await quiet(nodes)
    const edges = randomGraph(options.nodes, options.degree, options.seed)
    await connect(nodes, edges)
    await warmUp(strategy, nodes, nodes.map((_, i) => edges.filter(([a, b]) => a === i || b === i).length))

    const publishedAt = new Map<string, number>()
    const latencies: number[] = []
    let deliveries = 0
    for (const node of nodes) {
      gossipOf(node).addEventListener('tx:received', e => {
        if (e.detail.local) return
        deliveries++
        latencies.push(performance.now() - (publishedAt.get(e.detail.txId) ?? NaN))
      })
    }
    const rng = createRng(options.seed)
    const work = Array.from({ length: options.tx }, () => ({ publisher: rng.int(options.nodes), payload: new Uint8Array(options.size).map(() => rng.int(256)) }))
    const sorchaBodies = (): number => nodes.reduce((sum, node) => sum + gossipOf(node).stats().bodiesReceived, 0)
    const bodiesBefore = sorchaBodies()
    bytes.bytes = 0
    bodies.bodies = 0
    const cpu = process.cpuUsage()
    const start = performance.now()
    for (let i = 0; i < work.length; i++) {
      const due = start + i * 1000 / options.rate
      const wait = due - performance.now()
      if (wait > 0) await new Promise(resolve => setTimeout(resolve, wait))
      const { publisher, payload } = work[i]!
      const node = nodes[publisher]!
      const txId = Buffer.from(await crypto.subtle.digest('SHA-256', payload)).toString('hex')
      publishedAt.set(txId, performance.now())
      await gossipOf(node).publish({ registerId: REGISTER, payload })
    }
    const expected = options.tx * (options.nodes - 1)
    await waitFor(() => deliveries >= expected, options.settleMs, 'deliveries').catch(() => {})
    const cpuUsed = process.cpuUsage(cpu)
    const elapsedMs = performance.now() - start
    latencies.sort((a, b) => a - b)
    const copies = strategy === 'sorcha' ? sorchaBodies() - bodiesBefore : bodies.bodies
    return {
      nodes: options.nodes,
      tx: options.tx,
      sizeBytes: options.size,
      deliveredFraction: deliveries / expected,
      latencyMsP50: Math.round(percentile(latencies, 50) * 10) / 10,
      latencyMsP95: Math.round(percentile(latencies, 95) * 10) / 10,
      latencyMsP99: Math.round(percentile(latencies, 99) * 10) / 10,
      bytesSentPerTxPerNode: Math.round(bytes.bytes / options.tx / options.nodes),
      copiesPerNode: Math.round(1000 * copies / expected) / 1000,
      cpuSeconds: Math.round((cpuUsed.user + cpuUsed.system) / 1e4) / 100,
      elapsedSeconds: Math.round(elapsedMs / 100) / 10
    }
  } finally {
    await net.stop()
  }
}
