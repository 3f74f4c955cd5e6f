/**
 * Scale benchmark of the simulator: `npm run bench -- sim [--json] [--nodes N] [--tx N] [--threads N|auto] [--scenario file]`.
 * Runs simulations/scenarios/huge-100000.yaml (100,000 nodes × 100 transactions of the real tx-gossip
 * core) and prints nodes, transactions, wallSeconds, eventsPerSecond, peakRssMb and deliveredFraction,
 * the summary object as the last line. Target on the 2-core test machine: under 2 minutes, under 8 GB.
 * The run uses every core by default (engine/parallel.ts); `--threads 1` measures one thread.
 */
import { parseArgs } from 'node:util'
import { cpus } from 'node:os'
import { loadScenarioFile } from '../../simulations/scenario/load.ts'
import { runSimulatedAsync } from '../../simulations/run.ts'
import { createProgressBar } from '../../simulations/report/progress.ts'

/** Runs the benchmark with the arguments after its name. */
export default async function main (args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      json: { type: 'boolean', default: false },
      nodes: { type: 'string' },
      tx: { type: 'string' },
      progress: { type: 'boolean', default: false },
      threads: { type: 'string', default: 'auto' },
      scenario: { type: 'string', default: new URL('../../simulations/scenarios/huge-100000.yaml', import.meta.url).pathname }
    },
    strict: true
  })

  const threads = values.threads === 'auto' ? 'auto' : Number(values.threads)
  if (threads !== 'auto' && !(Number.isSafeInteger(threads) && threads >= 1)) throw new Error('--threads must be a positive integer or auto')
  const scenario = loadScenarioFile(values.scenario, { nodes: values.nodes === undefined ? undefined : Number(values.nodes) })
  if (values.tx !== undefined) scenario.workload.transactions = Number(values.tx)
  const bar = values.progress || process.stderr.isTTY ? createProgressBar(process.stderr, scenario.name) : undefined
  const cpuBefore = process.cpuUsage()
  const started = performance.now()
  const { summary, result, threads: used } = await runSimulatedAsync(scenario, { onProgress: bar?.update, sampleMemory: true, threads })
  const wallSeconds = (performance.now() - started) / 1000
  bar?.done()
  const cpu = process.cpuUsage(cpuBefore)
  const heapPeak = Math.max(...result.metrics.samples.map(s => s.heapUsedMb))
  const out = {
    benchmark: 'sim',
    scenario: summary.scenario,
    nodes: summary.nodes,
    transactions: summary.transactions,
    threads: used,
    wallSeconds: Math.round(wallSeconds * 100) / 100,
    cpuSeconds: Math.round((cpu.user + cpu.system) / 1e4) / 100,
    events: result.events,
    eventsPerSecond: Math.round(result.events / wallSeconds),
    messages: summary.messages,
    // maxRSS is the process's peak resident set (kB on Linux).
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    peakHeapUsedMb: Math.round(heapPeak),
    alignedCollections: result.alignedCollections ?? 0,
    deliveredFraction: summary.deliveredFraction,
    latencyMsP50: summary.latencyMs.p50,
    latencyMsP99: summary.latencyMs.p99,
    copiesPerNode: summary.copiesPerNode,
    bytesPerTxPerNode: summary.bytesPerTxPerNode,
    machine: `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}`
  }
  if (!values.json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`)
  process.stdout.write(JSON.stringify(out) + '\n')
}
