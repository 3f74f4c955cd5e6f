/**
 * Footprint benchmark: the CPU and resident memory of real `sorcha-peer start` processes on
 * 127.0.0.1, first idle in a connected mesh, then while transactions are submitted to the first node
 * and gossiped to all. The figures size the Kubernetes resource requests and limits
 * (docker/kubernetes/statefulset.yaml; docs/benchmarks.md).
 *
 *   npm run bench -- footprint [--nodes 3] [--idle-s 60] [--load-s 60] [--rate 50] [--size 1024]
 *
 * Prints one JSON line per phase and node, then a summary line. CPU is a share of one core.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SorchaClient } from '../../src/client/index.ts'
import { benchArgs, intArg } from './args.ts'
import { untilRunning } from '../helpers/node-process.ts'
import { CLK_TCK, procSample as sample } from './proc.ts'

const NODE = 'node_modules/.bin/node'

interface Node { child: ChildProcess, grpc: string, rest: string, address: string, client: SorchaClient }

/** Starts one node and resolves once it logs that it runs, with its p2p address and API endpoints. */
async function startNode (dataDir: string, bootstrap?: string): Promise<Node> {
  const args = ['src/cli/bin.js', 'start', '--data-dir', dataDir, '--listen', '/ip4/127.0.0.1/tcp/0', '--gateway-grpc-port', '0', '--gateway-rest-port', '0',
    '--log-format', 'json', '--gateway-rate-limit-per-second', '0', '--ops-port', '0', ...(bootstrap === undefined ? [] : ['--bootstrap', bootstrap])]
  const child = spawn(NODE, args, { stdio: ['ignore', 'ignore', 'pipe'] })
  const { running } = await untilRunning(child)
  const [grpc, rest, address] = [running.grpc ?? '', running.rest ?? '', running.addresses[0] ?? '']
  return { child, grpc, rest, address, client: new SorchaClient({ endpoints: { grpc, rest } }) }
}

/** Samples every node once a second for `seconds` while `during` runs; resolves with per-node figures. */
async function measure (nodes: Node[], seconds: number, during: (stop: AbortSignal) => Promise<number>): Promise<{ perNode: Array<{ cpuPct: number, anonMiBMean: number, anonMiBMax: number, rssMiBMax: number }>, work: number }> {
  const pids = nodes.map(n => n.child.pid!)
  const first = await Promise.all(pids.map(sample))
  const t0 = performance.now()
  const rss: number[][] = pids.map(() => [])
  const anon: number[][] = pids.map(() => [])
  const stop = new AbortController()
  const work = during(stop.signal)
  for (let s = 0; s < seconds; s++) {
    await new Promise(resolve => setTimeout(resolve, 1000))
    const now = await Promise.all(pids.map(sample))
    now.forEach((x, i) => { rss[i]!.push(x.rssKiB); anon[i]!.push(x.anonKiB) })
  }
  stop.abort()
  const done = await work
  const last = await Promise.all(pids.map(sample))
  const elapsedS = (performance.now() - t0) / 1000
  const mib = (kib: number): number => Math.round(kib / 1024 * 10) / 10
  return {
    work: done,
    perNode: pids.map((_, i) => ({
      cpuPct: Math.round((last[i]!.ticks - first[i]!.ticks) / CLK_TCK / elapsedS * 1000) / 10,
      anonMiBMean: mib(anon[i]!.reduce((a, b) => a + b, 0) / anon[i]!.length),
      anonMiBMax: mib(Math.max(...anon[i]!)),
      rssMiBMax: mib(Math.max(...rss[i]!))
    }))
  }
}

/** Runs the benchmark. */
export default async function footprint (argv: string[]): Promise<void> {
  const args = benchArgs(argv, { nodes: { type: 'string', default: '3' }, 'idle-s': { type: 'string', default: '60' }, 'load-s': { type: 'string', default: '60' }, rate: { type: 'string', default: '50' }, size: { type: 'string', default: '1024' }, json: { type: 'boolean', default: true } })
  const count = intArg('nodes', args.nodes)
  const rate = intArg('rate', args.rate)
  const size = intArg('size', args.size)
  const dir = await mkdtemp(join(tmpdir(), 'sorcha-footprint-'))
  const nodes: Node[] = []
  try {
    nodes.push(await startNode(join(dir, 'n0')))
    for (let i = 1; i < count; i++) nodes.push(await startNode(join(dir, `n${i}`), nodes[0]!.address))
    // Connected: every node sees at least one peer (the bootstrap node sees them all).
    for (let tries = 0; ; tries++) {
      const infos = await Promise.all(nodes.map(n => n.client.nodeInfo()))
      if (infos[0]!.connections >= count - 1 && infos.every(x => x.connections >= 1)) break
      if (tries > 120) throw new Error('the mesh did not connect within 60 s')
      await new Promise(resolve => setTimeout(resolve, 500))
    }
    const idle = await measure(nodes, intArg('idle-s', args['idle-s']), async () => 0)
    for (const [i, n] of idle.perNode.entries()) process.stdout.write(`${JSON.stringify({ phase: 'idle', node: i, ...n })}\n`)
    const load = await measure(nodes, intArg('load-s', args['load-s']), async (stop) => {
      let sent = 0
      const t0 = performance.now()
      while (!stop.aborted) {
        await nodes[0]!.client.submit({ registerId: 'footprint', payload: randomBytes(size) })
        sent++
        const ahead = sent / rate * 1000 - (performance.now() - t0)
        if (ahead > 0) await new Promise(resolve => setTimeout(resolve, ahead))
      }
      return sent
    })
    for (const [i, n] of load.perNode.entries()) process.stdout.write(`${JSON.stringify({ phase: 'load', node: i, ...n })}\n`)
    const loadS = intArg('load-s', args['load-s'])
    const max = (xs: number[]): number => Math.max(...xs)
    process.stdout.write(`${JSON.stringify({
      nodes: count, rate, size, submitted: load.work, achievedRate: Math.round(load.work / loadS * 10) / 10,
      idleCpuPctMax: max(idle.perNode.map(n => n.cpuPct)), idleAnonMiBMax: max(idle.perNode.map(n => n.anonMiBMax)), idleRssMiBMax: max(idle.perNode.map(n => n.rssMiBMax)),
      loadCpuPctMax: max(load.perNode.map(n => n.cpuPct)), loadAnonMiBMax: max(load.perNode.map(n => n.anonMiBMax)), loadRssMiBMax: max(load.perNode.map(n => n.rssMiBMax))
    })}\n`)
  } finally {
    for (const n of nodes) { n.client.close(); n.child.kill('SIGTERM') }
    await Promise.all(nodes.map(async n => await new Promise(resolve => { if (n.child.exitCode !== null) resolve(null); else n.child.once('exit', resolve) })))
    await rm(dir, { recursive: true, force: true })
  }
}
