/**
 * Throughput benchmark (issue 21 item 3): a mesh of `sorcha-peer start` processes on 127.0.0.1 per
 * strategy (sorcha and gossipsub, both running, measured in alternate steps), transactions of random
 * bytes submitted round-robin through the nodes' gRPC gateways at an offered rate for a window, first
 * receipts timed on the driver's clock from each node's subscription. A step passes when every
 * transaction reaches every node with p99 first-receipt latency under the limit; the search over rates
 * (throughput-search.ts) finds the highest passing rate, `sustainedTxPerSec`. `cpuUsPerDeliveryPerNode`
 * is the CPU of all node processes (/proc, from the window's start until the last receipt) divided by
 * transactions x nodes, at that rate. The driver's own CPU is reported beside it: on a small machine
 * it shares the cores with the nodes.
 *
 *   npm run bench -- throughput [--json] [--nodes 5] [--size 512] [--strategy both|sorcha|gossipsub]
 *     [--start-rate 500] [--max-rate 16000] [--min-rate 25] [--window-s 5] [--drain-s 10] [--refine 2]
 *     [--budget-s 200] [--p99-limit-ms 1000] [--cpu-prof-dir DIR (node 1 of each mesh writes a CPU profile)]
 *     [--packets (nodes run with metrics; each step reports libp2p's Noise packets per transaction per
 *     node, sent and received: how many messages a delivery costs. The metrics cost CPU themselves)]
 *
 * Prints one JSON line per step, then the summary line with both strategies' figures.
 */
import { hash, randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SorchaClient } from '../../src/client/index.ts'
import { report, sleep } from './_util.ts'
import { startNodeProcess, stopProcesses, ticksOf, US_PER_TICK, type NodeProcess } from './proc.ts'
import { judgeStep, parseThroughputArgs, RateSearch, ThroughputUsageError, type StepResult, type ThroughputOptions } from './throughput-search.ts'

type Strategy = 'sorcha' | 'gossipsub'
const REGISTER = 'throughput'

/** One transaction of a step, as the driver follows it. */
interface Sent { sentAt: number, publisher: number, seen: number }

/** A strategy's running mesh and the driver's view of it. */
interface Mesh {
  strategy: Strategy
  nodes: NodeProcess[]
  clients: SorchaClient[]
  /** The transactions of the step under way, by id. */
  step: Map<string, Sent>
  latencies: number[]
  onReceipt: () => void
  stop: AbortController
}

/** The configuration of one benchmark node (every node serves every register). */
export function nodeConfig (dir: string, strategy: Strategy, bootstrap: string[], metrics = false): Record<string, unknown> {
  return {
    dataDir: dir,
    listen: ['/ip4/127.0.0.1/tcp/0'],
    bootstrap,
    // One IP stands for many hosts here (as in the harness): exempt loopback from the admission limits.
    connections: { allow: ['/ip4/127.0.0.0/ipcidr/8'] },
    gateway: { grpc: { port: 0 }, rest: { port: 0 }, rateLimit: { perSecond: 0 } },
    ops: { port: 0 },
    gossip: { strategy, registers: [], ...(strategy === 'gossipsub' ? { gossipsub: { ipColocationWhitelist: ['127.0.0.1'] } } : {}) },
    log: { level: 'info', format: 'json', statusIntervalMs: 0 },
    ...(metrics ? { metrics: { enabled: true, port: 0 } } : {})
  }
}

/** Noise packets sent and received so far, summed over the mesh's nodes (their /metrics). */
async function noisePackets (mesh: Mesh): Promise<{ sent: number, received: number }> {
  const total = { sent: 0, received: 0 }
  for (const node of mesh.nodes) {
    const url = node.process.running.metrics
    if (url === undefined) throw new Error('--packets: a node runs without metrics')
    const text = await (await fetch(url, { signal: AbortSignal.timeout(10_000) })).text()
    const value = (name: string): number => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? 0)
    total.sent += value('libp2p_noise_encrypted_packets_total')
    total.received += value('libp2p_noise_decrypted_packets_total')
  }
  return total
}

/** Starts a strategy's nodes (each bootstrapping from all before it) and follows their subscriptions. */
async function startMesh (root: string, strategy: Strategy, count: number, cpuProfDir: string | undefined, metrics: boolean): Promise<Mesh> {
  const mesh: Mesh = { strategy, nodes: [], clients: [], step: new Map(), latencies: [], onReceipt: () => {}, stop: new AbortController() }
  try {
    for (let i = 0; i < count; i++) {
      const profile = i === 1 && cpuProfDir !== undefined ? ['--cpu-prof', '--cpu-prof-dir', cpuProfDir, '--cpu-prof-name', `${strategy}-node-1.cpuprofile`] : []
      mesh.nodes.push(await startNodeProcess(root, `${strategy}-${i}`, nodeConfig(join(root, `${strategy}-${i}`), strategy, mesh.nodes.map(n => n.address), metrics), profile))
    }
  } catch (err) {
    await stopProcesses(mesh.nodes.map(n => n.child))
    throw err
  }
  mesh.clients = mesh.nodes.map(n => new SorchaClient({ endpoints: { grpc: n.grpc }, timeoutMs: 30_000, maxAttempts: 1 }))
  for (const [node, client] of mesh.clients.entries()) void follow(mesh, node, client)
  return mesh
}

/** Records node `node`'s first receipts of the step's transactions until the mesh stops. */
async function follow (mesh: Mesh, node: number, client: SorchaClient): Promise<void> {
  while (!mesh.stop.signal.aborted) {
    try {
      for await (const item of client.subscribe({ registerIds: [REGISTER] }, { signal: mesh.stop.signal })) {
        const tx = item.transaction === undefined ? undefined : mesh.step.get(item.transaction.txId)
        if (tx === undefined || tx.publisher === node || (tx.seen & (1 << node)) !== 0) continue
        tx.seen |= 1 << node
        mesh.latencies.push(performance.now() - tx.sentAt)
        mesh.onReceipt()
      }
    } catch { /* the stream broke: follow again */ }
    if (!mesh.stop.signal.aborted) await sleep(100)
  }
}

/** Waits until every node's gossip layer has all the others as peers. */
async function waitForMesh (mesh: Mesh): Promise<void> {
  const want = mesh.nodes.length - 1
  for (let tries = 0; ; tries++) {
    const peers = await Promise.all(mesh.clients.map(async c => (await c.stats().catch(() => undefined))?.gossip?.peers ?? -1))
    if (peers.every(p => p >= want)) return
    if (tries >= 240) throw new Error(`the ${mesh.strategy} mesh did not form within 120 s (gossip peers per node: ${peers.join(', ')})`)
    await sleep(500)
  }
}

/** Submits `rate` tx/s for `windowS` round-robin over the gateways, then waits for every receipt (or the drain limit). */
async function runStep (mesh: Mesh, rate: number, windowS: number, options: ThroughputOptions): Promise<StepResult> {
  const n = mesh.nodes.length
  const planned = Math.max(1, Math.round(rate * windowS))
  const payloads = Array.from({ length: planned }, () => randomBytes(options.size))
  const ids = payloads.map(p => hash('sha256', p, 'hex'))
  mesh.step = new Map()
  mesh.latencies = []
  let acked = 0
  const failures: string[] = []
  const pids = mesh.nodes.map(node => node.pid)
  const packets0 = options.packets ? await noisePackets(mesh) : undefined
  const cpu0 = await ticksOf(pids)
  const driver0 = process.cpuUsage()
  const acks: Array<Promise<void>> = []
  const t0 = performance.now()
  let sent = 0
  let lastIssue = t0
  while (sent < planned) {
    const due = Math.min(planned, Math.floor(rate * (performance.now() - t0) / 1000) + 1)
    for (; sent < due; sent++) {
      const publisher = sent % n
      mesh.step.set(ids[sent]!, { sentAt: performance.now(), publisher, seen: 0 })
      acks.push(mesh.clients[publisher]!.submit({ registerId: REGISTER, payload: payloads[sent]! }).then(() => { acked++ }, err => { failures.push((err as Error).message) }))
    }
    lastIssue = performance.now()
    if (sent < planned) await sleep(Math.max(1, Math.min(10, (sent / rate * 1000) - (performance.now() - t0))))
  }
  const submitS = Math.max(windowS, (lastIssue - t0) / 1000)
  const expected = planned * (n - 1)
  const deadline = t0 + (windowS + options.drainS) * 1000
  await new Promise<void>(resolve => {
    const timer = setTimeout(resolve, Math.max(0, deadline - performance.now()))
    mesh.onReceipt = () => { if (mesh.latencies.length >= expected) { clearTimeout(timer); resolve() } }
    mesh.onReceipt()
  })
  const cpu1 = await ticksOf(pids)
  const packets1 = packets0 === undefined ? undefined : await noisePackets(mesh)
  const cpuUs = (cpu1.ticks - cpu0.ticks) * US_PER_TICK
  const driver = process.cpuUsage(driver0)
  const wallS = (performance.now() - t0) / 1000
  mesh.onReceipt = () => {}
  await Promise.all(acks)
  const result = judgeStep({ offered: rate, planned, acked, submitS, expectedReceipts: acked * (n - 1), latenciesMs: mesh.latencies, nodeCpuUs: cpuUs, nodes: n }, options.p99LimitMs)
  if (failures.length > 0) result.why.push(`first submit failure: ${failures[0]}`)
  if (packets0 !== undefined && packets1 !== undefined) {
    const per = (a: number, b: number): number => Math.round((b - a) / Math.max(1, acked * n) * 100) / 100
    Object.assign(result, { noisePacketsPerTxPerNode: { sent: per(packets0.sent, packets1.sent), received: per(packets0.received, packets1.received) } })
  }
  return Object.assign(result, { wallS: Math.round(wallS * 10) / 10, nodeCpuCores: Math.round(cpuUs / 1e6 / wallS * 100) / 100, driverCpuCores: Math.round((driver.user + driver.system) / 1e6 / wallS * 100) / 100, nodeSystemShare: Math.round((cpu1.systemTicks - cpu0.systemTicks) / Math.max(1, cpu1.ticks - cpu0.ticks) * 100) / 100, logLines: mesh.nodes.map(node => node.process.lines.length) })
}

/** CPU of the mesh's node processes (cores) over `seconds` without traffic. */
async function idleCores (mesh: Mesh, seconds: number): Promise<number> {
  const pids = mesh.nodes.map(node => node.pid)
  const t0 = performance.now()
  const cpu0 = await ticksOf(pids)
  await sleep(seconds * 1000)
  return Math.round(((await ticksOf(pids)).ticks - cpu0.ticks) * US_PER_TICK / ((performance.now() - t0) * 1000) * 1000) / 1000
}

/** Runs the benchmark. */
export default async function throughput (argv: string[]): Promise<void> {
  let options: ThroughputOptions
  try { options = parseThroughputArgs(argv) } catch (err) {
    if (!(err instanceof ThroughputUsageError)) throw err
    process.stderr.write(`${err.message}\n`)
    process.exit(2)
  }
  const root = await mkdtemp(join(tmpdir(), 'sorcha-throughput-'))
  const meshes: Mesh[] = []
  const idle = new Map<Strategy, number>()
  const started = performance.now()
  try {
    for (const strategy of options.strategies) meshes.push(await startMesh(root, strategy, options.nodes, options.cpuProfDir, options.packets))
    for (const mesh of meshes) {
      await waitForMesh(mesh)
      // Warm-up (not counted): JIT, streams and, for gossipsub, a mesh that carries traffic.
      const warm = await runStep(mesh, Math.min(options.startRate, 100), 2, { ...options, drainS: 30 })
      process.stdout.write(`${JSON.stringify({ strategy: mesh.strategy, warmUp: true, ...warm })}\n`)
      idle.set(mesh.strategy, await idleCores(mesh, 5))
    }
    const searches = new Map(meshes.map(m => [m.strategy, new RateSearch(options)]))
    const best = new Map<Strategy, StepResult & Record<string, unknown>>()
    const steps = new Map<Strategy, number>(meshes.map(m => [m.strategy, 0]))
    const searchStart = performance.now()
    // Alternate the strategies step by step (A B A B), so that both see the same machine.
    for (let progress = true; progress && (performance.now() - searchStart) / 1000 < options.budgetS;) {
      progress = false
      for (const mesh of meshes) {
        const search = searches.get(mesh.strategy)!
        const rate = search.rate
        if (rate === undefined || (performance.now() - searchStart) / 1000 >= options.budgetS) continue
        const step = await runStep(mesh, rate, options.windowS, options) as StepResult & Record<string, unknown>
        steps.set(mesh.strategy, steps.get(mesh.strategy)! + 1)
        process.stdout.write(`${JSON.stringify({ strategy: mesh.strategy, ...step })}\n`)
        search.record(rate, step.pass)
        if (step.pass && rate === search.sustained) best.set(mesh.strategy, step)
        await sleep(1000)
        progress = true
      }
    }
    const perStrategy = Object.fromEntries(meshes.map(m => {
      const b = best.get(m.strategy)
      const search = searches.get(m.strategy)!
      return [m.strategy, {
        sustainedTxPerSec: search.sustained,
        nodeCpuCoresIdle: idle.get(m.strategy),
        cpuUsPerDeliveryPerNode: b?.cpuUsPerDeliveryPerNode ?? null,
        p99MsAtSustained: b?.p99Ms ?? null,
        nodeCpuCoresAtSustained: b?.nodeCpuCores ?? null,
        driverCpuCoresAtSustained: b?.driverCpuCores ?? null,
        steps: steps.get(m.strategy),
        searchComplete: search.rate === undefined
      }]
    }))
    report({ nodes: options.nodes, size: options.size, windowS: options.windowS, p99LimitMs: options.p99LimitMs, ...perStrategy, runS: Math.round((performance.now() - started) / 1000) }, options.json)
  } finally {
    for (const mesh of meshes) { mesh.stop.abort(); for (const c of mesh.clients) c.close() }
    await stopProcesses(meshes.flatMap(m => m.nodes.map(n => n.child)))
    await rm(root, { recursive: true, force: true })
  }
}
