/**
 * Long-partition benchmark (issue 16):
 *
 *   npm run bench -- partition [--json] [--txs 10000] [--nodes 10] [--payload 200] [--in-process] [--progress]
 *
 * Real nodes split in two halves (test/support/partition.ts: peer-list bans and the connection
 * gater, one cross link per pair), N transactions published on each side while split, then healed.
 * By default each node runs in a worker thread of its own (test/support/worker-node.ts: its own
 * event loop, libp2p node and temp data directory, TCP on 127.0.0.1), driven from this thread by
 * messages, as nodes on separate machines would run; --in-process runs all of them on this thread.
 * Prints healMs (from lifting the bans to every node holding every transaction), publishMs,
 * the CPU of the heal (the process's, i.e. every thread's, and each worker's own with its event-loop
 * use, longest loop delay and longest stall with the thread's CPU during it), connections closed
 * during the heal and how, reconciliation's sessions, needs and bytes, app deliveries and
 * duplicates, the load average;
 * the summary object is the last stdout line. --progress prints to stderr, every 2 s of the heal,
 * each node's store count, reconciliation needs pending and gossip neighbours.
 * Target: healMs within 10 s for 10 nodes × 10,000 transactions per side (the defaults).
 */
import { availableParallelism, loadavg } from 'node:os'
import { createRng } from '../../protocols/common/rng.ts'
import { peerHealthContribution } from '../../src/health/index.ts'
import { gossipContribution } from '../../src/gossip/index.ts'
import { startNetwork } from '../../src/harness/index.ts'
import { runPartition, runPartitionOn, type PartitionOptions, type PartitionResult } from '../support/partition.ts'
import { startWorkerNodes, type ThreadUsage } from '../support/worker-node.ts'
import { benchArgs, intArg } from './args.ts'

const load = (): number[] => loadavg().map(l => Math.round(l * 100) / 100)

async function inProcess (nodes: number, options: PartitionOptions): Promise<PartitionResult> {
  const net = await startNetwork({ nodes, bootstrap: 'none', contributions: [peerHealthContribution(), gossipContribution()] })
  try {
    return await runPartition(net.nodes, options)
  } finally {
    await net.stop()
  }
}

/** Each node in its own worker thread; adds each worker's CPU and event-loop use during the heal. */
async function workerThreads (nodes: number, options: PartitionOptions): Promise<PartitionResult & { workers: ThreadUsage[] }> {
  const workers = await startWorkerNodes(nodes, { config: {}, contributions: ['peerHealth', 'gossip'] })
  try {
    let usage: ThreadUsage[] = []
    const result = await runPartitionOn(workers, {
      ...options,
      beforeHeal: async () => { await Promise.all(workers.map(async w => w.markUsage())) },
      afterHeal: async () => { usage = await Promise.all(workers.map(async w => w.usage())) }
    })
    return { ...result, workers: usage }
  } finally {
    await Promise.allSettled(workers.map(async w => w.stop()))
  }
}

/** Runs the benchmark with the arguments after its name. */
export default async function main (args: string[]): Promise<void> {
  const flags = benchArgs(args, {
    json: { type: 'boolean', default: false },
    txs: { type: 'string', default: '10000' },
    nodes: { type: 'string', default: '10' },
    payload: { type: 'string', default: '200' },
    'in-process': { type: 'boolean', default: false },
    progress: { type: 'boolean', default: false }
  })
  const nodes = intArg('nodes', flags.nodes)
  if (nodes < 2 || nodes % 2 !== 0) {
    process.stderr.write('--nodes must be an even integer of at least 2\n')
    process.exit(2)
  }
  const mode = flags['in-process'] ? 'in-process' : 'worker-threads'
  const options: PartitionOptions = { txsPerSide: intArg('txs', flags.txs), rng: createRng(16), payloadBytes: intArg('payload', flags.payload), healTimeoutMs: 600_000 }
  if (flags.progress) {
    options.onProgress = (ms, stats) => {
      process.stderr.write(`${(ms / 1000).toFixed(1)} s: ${stats.map(s => `${s.store.count}/${s.reconcile?.pendingNeeds ?? '-'}/${s.peers}`).join(' ')}\n`)
    }
  }
  const loadAtStart = load()
  const cpuBefore = process.cpuUsage()
  const result: PartitionResult & { workers?: ThreadUsage[] } = mode === 'in-process' ? await inProcess(nodes, options) : await workerThreads(nodes, options)
  const cpu = process.cpuUsage(cpuBefore)
  const workerCpu = (result.workers ?? []).map(w => w.cpuSeconds)
  const summary = {
    mode,
    nodes,
    ...result,
    // With one core per node, the heal needs at least the busiest node's own CPU time (worker mode).
    workerHealCpuSeconds: workerCpu.length === 0 ? null : { sum: Math.round(workerCpu.reduce((a, b) => a + b, 0) * 100) / 100, max: Math.max(...workerCpu), min: Math.min(...workerCpu) },
    cpuSeconds: Math.round((cpu.user + cpu.system) / 1e4) / 100,
    cores: availableParallelism(),
    loadAverageAtStart: loadAtStart,
    loadAverageAtEnd: load(),
    node: process.version
  }
  if (!flags.json) {
    process.stdout.write(`${mode}: healed in ${result.healMs} ms (${nodes} nodes, ${result.txsPerSide} transactions per side; publishing took ${result.publishMs} ms; ` +
      `${result.healCpuSeconds} s of CPU during the heal, load ${loadAtStart.join(' ')})\n`)
  }
  process.stdout.write(`${JSON.stringify(summary)}\n`)
}
