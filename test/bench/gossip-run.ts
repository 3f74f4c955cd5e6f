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
  /**
   * Transactions spread over this many registers (issue 20); 0: one register served by all. Node i
   * serves `serve` of them (registers i·serve .. i·serve+serve-1, mod `registers`), unless
   * `allRegisters` (every node serves every register: the baseline of the same run).
   */
  registers?: number
  serve?: number
  allRegisters?: boolean
}

const REGISTER = 'bench'
const GOSSIPSUB_PROTOCOLS = ['/meshsub/1.2.0', '/meshsub/1.1.0', '/meshsub/1.0.0', '/floodsub/1.0.0']
/** The library's own defaults (gossipsub v1.1 spec values, StrictSign, no IP exemption). */
const STOCK_GOSSIPSUB = { d: 6, dlo: 4, dhi: 12, heartbeatIntervalMs: 1000, floodPublish: true, sign: true, ipColocationWhitelist: [] }

/** The registers node `i` serves ([] = every register). */
export function servedBy (i: number, options: BenchOptions): string[] {
  const registers = options.registers ?? 0
  if (registers === 0) return [REGISTER]
  if (options.allRegisters === true) return []
  const serve = Math.min(options.serve ?? 2, registers)
  return Array.from({ length: serve }, (_, k) => `reg-${(i * serve + k) % registers}`)
}

function configFor (strategy: 'sorcha' | 'gossipsub', options: BenchOptions, i: number): ConfigInput {
  // All nodes share 127.0.0.1: exempt it from gossipsub's IP-colocation penalty, as the harness exempts
  // it from the connection limits (in a deployment every node has its own address).
  const gossipsub = options.gossipsubStock ? STOCK_GOSSIPSUB : { ipColocationWhitelist: ['127.0.0.1'] }
  return { ...options.config, gossip: { strategy, registers: servedBy(i, options), ...(strategy === 'gossipsub' ? { gossipsub } : {}), ...(options.fanout !== undefined ? { fanout: options.fanout } : {}) } }
}

/**
 * The benchmark's graph: the random graph of --degree, plus, with registers, a ring and chords
 * within each register's serving nodes (each register's sub-mesh connected, as the topology's
 * per-register degree keeps it), the same in the scoped run and its all-registers baseline.
 */
function graphFor (options: BenchOptions): Array<[number, number]> {
  const edges = randomGraph(options.nodes, options.degree, options.seed)
  const registers = options.registers ?? 0
  if (registers === 0) return edges
  const seen = new Set(edges.map(([a, b]) => `${Math.min(a, b)}-${Math.max(a, b)}`))
  const add = (a: number, b: number): void => {
    const key = `${Math.min(a, b)}-${Math.max(a, b)}`
    if (a === b || seen.has(key)) return
    seen.add(key)
    edges.push([a, b])
  }
  const scoped = { ...options, allRegisters: false }
  const rng = createRng(options.seed + 1)
  for (let r = 0; r < registers; r++) {
    const members = Array.from({ length: options.nodes }, (_, i) => i).filter(i => servedBy(i, scoped).includes(`reg-${r}`))
    for (let k = 0; k < members.length; k++) {
      add(members[k]!, members[(k + 1) % members.length]!)
      add(members[k]!, members[rng.int(members.length)]!)
    }
  }
  return edges
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

async function warmUp (strategy: 'sorcha' | 'gossipsub', nodes: Array<Parameters<typeof gossipOf>[0]>, degree: number[], registers: boolean): Promise<void> {
  await waitFor(() => nodes.every((node, i) => gossipOf(node).stats().peers === degree[i]), 120_000, 'neighbours')
  if (strategy === 'gossipsub') {
    // Publishing before the mesh forms is what the stock measurement did: let GRAFTs settle first.
    // With registers, every topic a node subscribes to has at least one mesh peer.
    const pubsubOf = (node: Node): { getMeshPeers: (t: string) => string[], getTopics: () => string[] } => (gossipOf(node) as GossipsubDistributor).pubsub as unknown as { getMeshPeers: (t: string) => string[], getTopics: () => string[] }
    const meshedNode = (node: Node, i: number): boolean => registers
      ? pubsubOf(node).getTopics().every(t => pubsubOf(node).getMeshPeers(t).length >= 1)
      : pubsubOf(node).getMeshPeers(topicOf(REGISTER)).length >= Math.min(4, degree[i] ?? 0)
    const meshed = (): number => nodes.filter(meshedNode).length
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

/**
 * The work list: publisher, register and payload of each transaction, from the seed. With registers,
 * transaction i is of register i mod registers, published by a node serving it (in the scoped run).
 */
function workFor (options: BenchOptions): Array<{ publisher: number, register: string, payload: Uint8Array }> {
  const rng = createRng(options.seed)
  const registers = options.registers ?? 0
  const scoped = { ...options, allRegisters: false }
  return Array.from({ length: options.tx }, (_, i) => {
    const register = registers === 0 ? REGISTER : `reg-${i % registers}`
    const candidates = registers === 0 ? [] : Array.from({ length: options.nodes }, (_, n) => n).filter(n => servedBy(n, scoped).includes(register))
    const publisher = registers === 0 ? rng.int(options.nodes) : candidates[rng.int(candidates.length)]!
    return { publisher, register, payload: new Uint8Array(options.size).map(() => rng.int(256)) }
  })
}

/** Remote deliveries expected: with registers, every other node serving the transaction's register. */
function expectedDeliveries (options: BenchOptions): number {
  if ((options.registers ?? 0) === 0) return options.tx * (options.nodes - 1)
  return workFor(options).reduce((sum, { publisher, register }) => sum + Array.from({ length: options.nodes }, (_, n) => n)
    .filter(n => n !== publisher && (servedBy(n, options).length === 0 || servedBy(n, options).includes(register))).length, 0)
}

/** Publishes the work list at `rate` per second from its publishers. */
async function publishAll (nodes: Node[], options: BenchOptions, publishedAt: Map<string, number>): Promise<void> {
  const work = workFor(options)
  const start = performance.now()
  for (let i = 0; i < work.length; i++) {
    const wait = start + i * 1000 / options.rate - performance.now()
    if (wait > 0) await new Promise(resolve => setTimeout(resolve, wait))
    const { publisher, register, payload } = work[i]!
    publishedAt.set(Buffer.from(await crypto.subtle.digest('SHA-256', payload)).toString('hex'), performance.now())
    await gossipOf(nodes[publisher]!).publish({ registerId: register, payload })
  }
}

const round = (n: number, digits: number): number => Math.round(n * 10 ** digits) / 10 ** digits

/** Runs one strategy and returns its figures. */
export async function runStrategy (strategy: 'sorcha' | 'gossipsub', options: BenchOptions): Promise<Record<string, number>> {
  const net = await startNetwork({ nodes: options.nodes, bootstrap: 'none', configFor: i => configFor(strategy, options, i), contributions: options.events === true ? [eventLogContribution, gossipContribution()] : [gossipContribution()], startConcurrency: 10 })
  try {
    const nodes = net.nodes
    const counters = instrument(strategy, nodes)
    await quiet(nodes)
    const edges = graphFor(options)
    await connect(nodes, edges)
    await warmUp(strategy, nodes, nodes.map((_, i) => edges.filter(([a, b]) => a === i || b === i).length), (options.registers ?? 0) > 0)
    const publishedAt = new Map<string, number>()
    const latencies = recordDeliveries(nodes, publishedAt)
    counters.reset()
    const cpu = process.cpuUsage()
    const loop = performance.eventLoopUtilization()
    const start = performance.now()
    const stopDuring = options.during?.(nodes)
    await publishAll(nodes, options, publishedAt)
    const expected = expectedDeliveries(options)
    await waitFor(() => latencies.length >= expected, options.settleMs, 'deliveries').catch(() => {})
    await stopDuring?.()
    const cpuUsed = process.cpuUsage(cpu)
    const loopUsed = performance.eventLoopUtilization(loop)
    const elapsedMs = performance.now() - start
    latencies.sort((a, b) => a - b)
    // The sorcha cores' counters summed over the nodes (announcements skipped as unserved, stalls).
    const core = (key: 'notServed' | 'requestTimeouts' | 'fetchesAbandoned' | 'invReceived'): number => nodes.reduce((sum, node) => sum + (gossipOf(node).stats().core?.[key] ?? 0), 0)
    const coreFigures: Record<string, number> = strategy === 'sorcha' ? { invReceived: core('invReceived'), notServed: core('notServed'), requestTimeouts: core('requestTimeouts'), fetchesAbandoned: core('fetchesAbandoned') } : {}
    return {
      ...coreFigures,
      nodes: options.nodes,
      tx: options.tx,
      sizeBytes: options.size,
      deliveredFraction: latencies.length / expected,
      latencyMsP50: round(percentile(latencies, 50), 1),
      latencyMsP95: round(percentile(latencies, 95), 1),
      latencyMsP99: round(percentile(latencies, 99), 1),
      bytesSentPerTxPerNode: Math.round(counters.bytes.bytes / options.tx / options.nodes),
      // Every byte sent is received by one node: the mean bytes a node received.
      bytesPerNode: Math.round(counters.bytes.bytes / options.nodes),
      meanDegree: round(2 * edges.length / options.nodes, 2),
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
