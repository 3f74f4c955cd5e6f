/**
 * `npm run bench -- testbed-wan [--json] [--nodes 50] [--seconds 300] [--rate 20] [--seed N]
 * [--strategies sorcha,gossipsub] [--drain-seconds 30] [--scenario file] [--csv file] [--no-sim]
 * [--sim-only [--sim-params JSON]]`
 *
 * The WAN campaign of issue 21 on the local testbed (root): the scenario
 * simulations/testbed/scenarios/wan-50.yaml (50 node processes in 5 regions, half-RTT link delays from
 * 5 to 200 ms RTT, 512-byte transactions) at `rate` per second for `seconds`, run once per strategy
 * in this one invocation with the same seed, topology, placement and link delays. During each run
 * the bench asks every node for its connected peers (admin API through the gateway) every few
 * seconds; their union is the overlay of the flood-optimal latency (simulations/testbed/wan-figures.ts
 * defines the ratio). Then the same scenario runs in the simulator (the fidelity check), with the
 * nodes' tx-gossip settings and an overlay as dense as the real one (overlayLike): the
 * Kolmogorov-Smirnov distance between sorcha's real and simulated first-receipt latencies.
 *
 * Prints one JSON line per strategy, then the summary: per strategy deliveredFraction,
 * latencyMs {p50,p95,p99}, floodOptimalMs, p50OverFloodOptimal, p99OverFloodOptimal,
 * bytesPerTxPerNode, copiesPerTxPerNode, overlay; bytesRatioSorchaOverGossipsub; fidelity
 * { ksDistance, simLatencyMs, realLatencyMs }; load averages. `--csv` appends one row per strategy.
 * Needs root: without, one line and exit 2. `--sim-only` (no root) runs the simulator alone and
 * reports the same figures with the simulator's topology as the overlay (a simulated run cannot beat
 * flood-optimal there), with `--sim-params` as the tx-gossip settings, e.g. '{"inlineThresholdBytes":1024}'
 * (default: the nodes' own, see nodeGossipParams; '{}' runs the core's defaults, push trees off).
 */
import { execFileSync } from 'node:child_process'
import { appendFileSync, existsSync, readFileSync } from 'node:fs'
import { loadavg } from 'node:os'
import { SorchaClient, type Endpoint } from '../../src/client/index.ts'
import { gossipSection } from '../../src/config/sections/gossip.ts'
import { coreConfigOf } from '../../src/gossip/sorcha-distributor.ts'
import { ksDistance } from '../../simulations/report/ks.ts'
import { runSimulated, type SimRun } from '../../simulations/run.ts'
import { ScenarioError, ScenarioFileError } from '../../simulations/scenario/errors.ts'
import { loadScenarioFile, validateScenario } from '../../simulations/scenario/load.ts'
import type { Scenario } from '../../simulations/scenario/schema.ts'
import { overlayFromSnapshots } from '../../simulations/testbed/flood-optimal.ts'
import { deepMerge } from '../../simulations/testbed/local/nodes.ts'
import { localUnavailable, runLocal } from '../../simulations/testbed/local/run-local.ts'
import { testbedPlan } from '../../simulations/testbed/plan.ts'
import { quantile, wanFigures, type WanFigures } from '../../simulations/testbed/wan-figures.ts'
import { benchArgs, report, sleep } from './_util.ts'

type Strategy = 'sorcha' | 'gossipsub'
const STRATEGIES: readonly Strategy[] = ['sorcha', 'gossipsub']
/** How often the bench asks every node for its connected peers. */
const OVERLAY_SAMPLE_MS = 5_000

/** Exit 2 with one line. */
function fail (line: string): never {
  process.stderr.write(`testbed-wan: ${line}\n`)
  process.exit(2)
}

function numberFlag (name: string, value: unknown, fallback: number, min: number, integer: boolean): number {
  if (value === undefined) return fallback
  const v = Number(value)
  if (!Number.isFinite(v) || v < min || (integer && !Number.isInteger(v))) fail(`--${name} must be ${integer ? 'an integer' : 'a number'} of at least ${min}`)
  return v
}

/** The campaign's scenario resized by the flags (a k-regular degree that fits the node count). */
export function wanScenario (base: Scenario, nodes: number, seconds: number, rate: number, drainSeconds: number, seed?: number): Scenario {
  const t = base.topology
  let topology = t
  if (t.kind === 'k-regular') {
    let degree = Math.min(t.degree, nodes - 1)
    if ((degree * nodes) % 2 !== 0) degree--
    topology = { kind: 'k-regular', degree }
  }
  return validateScenario({
    ...base,
    nodes,
    seed: seed ?? base.seed,
    topology,
    durationMs: (seconds + drainSeconds) * 1000,
    workload: { ...base.workload, transactions: Math.round(seconds * rate), ratePerSec: rate }
  }, base.name)
}

/**
 * How to reach node processes, from their command lines: each runs `sorcha-peer start --config <file>`
 * (the testbed's generated configuration: its announced address, gateway port and token).
 */
export function gatewaysOf (pids: number[]): { endpoints: Endpoint[], token: string } {
  let token = ''
  const endpoints = pids.map(pid => {
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')
    const config = JSON.parse(readFileSync(argv[argv.indexOf('--config') + 1]!, 'utf8')) as { announce: string[], gateway: { token: string, grpc: { port: number } } }
    token = config.gateway.token
    return { grpc: `${config.announce[0]!.split('/')[2]!}:${config.gateway.grpc.port}` }
  })
  return { endpoints, token }
}

/** Asks every node for its connected peers every OVERLAY_SAMPLE_MS until stopped; snapshot[i] = node indices. */
function sampleOverlay (pids: number[], stop: AbortSignal): { snapshots: Array<Array<number[] | undefined>>, done: Promise<void> } {
  const { endpoints, token } = gatewaysOf(pids)
  const clients = endpoints.map(endpoint => new SorchaClient({ endpoints: endpoint, token, timeoutMs: 5_000, maxAttempts: 2 }))
  const snapshots: Array<Array<number[] | undefined>> = []
  // Peer id -> node index, asked once per node (again next round while a node does not answer).
  const index = new Map<string, number>()
  const known = new Set<number>()
  const stopped = new Promise(resolve => { stop.addEventListener('abort', resolve, { once: true }) })
  const done = (async () => {
    try {
      while (!stop.aborted) {
        await Promise.all(clients.map(async (c, i) => {
          if (known.has(i)) return
          const id = (await c.adminNodeInfo().catch(() => undefined))?.peerId
          if (id !== undefined) { index.set(id, i); known.add(i) }
        }))
        snapshots.push(await Promise.all(clients.map(async c => {
          const r = await c.listConnectedPeers().catch(() => undefined)
          return r?.peers.flatMap(p => { const i = index.get(p.peerId); return i === undefined ? [] : [i] })
        })))
        await Promise.race([sleep(OVERLAY_SAMPLE_MS), stopped])
      }
    } finally {
      for (const c of clients) c.close()
    }
  })()
  return { snapshots, done }
}

/**
 * One strategy's run on the testbed, with the overlay sampled while it ran. Metrics on for both
 * strategies: gossipsub counts its bytes and messages only with its metrics register.
 */
async function runStrategy (scenario: Scenario, strategy: Strategy): Promise<{ run: SimRun, figures: WanFigures, loadBefore: number, loadAfter: number }> {
  const s: Scenario = { ...scenario, testbed: { ...scenario.testbed, nodeConfig: deepMerge(scenario.testbed.nodeConfig, { gossip: { strategy }, metrics: { enabled: true } }) } }
  const loadBefore = loadavg()[0]!
  const stop = new AbortController()
  let sampler: ReturnType<typeof sampleOverlay> | undefined
  let nodePids: number[] = []
  process.stderr.write(`testbed-wan: ${strategy}: starting ${s.nodes} nodes\n`)
  const run = await runLocal(s, {
    onStarted: ({ pids, links }) => {
      process.stderr.write(`testbed-wan: ${strategy}: ${s.nodes} nodes running, links by ${links}\n`)
      nodePids = pids
    },
    // Sample from the workload's start (the driver reports progress only once the nodes meshed: no
    // load of ours while they connect) until the last transaction is due (the run may end early, and
    // the nodes go with it).
    onProgress: nowMs => {
      if (sampler === undefined && !stop.signal.aborted) sampler = sampleOverlay(nodePids, stop.signal)
      if (nowMs >= s.workload.transactions / s.workload.ratePerSec * 1000) stop.abort()
    }
  }).finally(() => stop.abort())
  await sampler?.done
  const snapshots = sampler?.snapshots ?? []
  const figures = wanFigures(run, testbedPlan(s), overlayFromSnapshots(s.nodes, snapshots), snapshots.length)
  return { run, figures, loadBefore, loadAfter: loadavg()[0]! }
}

function commit (): string {
  try { return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim() } catch { return 'unknown' }
}

const CSV_HEADER = 'date,commit,nodes,seconds,rate,seed,strategy,load_before,load_after,delivered_fraction,latency_p50_ms,latency_p95_ms,latency_p99_ms,flood_p50_ms,flood_p99_ms,p50_over_flood_optimal,p99_over_flood_optimal,bytes_per_tx_per_node,copies_per_tx_per_node,overlay_mean_degree,ks_distance_to_sim'

/** --sim-only: the scenario in the simulator, its figures against flood-optimal on its own topology. */
/**
 * The tx-gossip settings the scenario's nodes run (the node's defaults under the scenario's
 * testbed.nodeConfig.gossip), as the simulator's protocol parameters: the simulated run of the
 * fidelity check runs the protocol as the real nodes do (push trees included).
 */
export function nodeGossipParams (scenario: Scenario): Record<string, unknown> {
  const gossip = gossipSection.parse((scenario.testbed.nodeConfig as { gossip?: unknown }).gossip ?? {})
  return Object.fromEntries(Object.entries(coreConfigOf(gossip)).filter(([, value]) => value !== undefined))
}

/**
 * The overlay of the fidelity check's simulated run: as dense as the real run's (its mean degree over
 * the snapshots): the full mesh where the real nodes connected every pair, else a k-regular graph of
 * that degree. The scenario's own topology is only what the nodes bootstrap from; they connect further.
 */
export function overlayLike (nodes: number, realMeanDegree: number): Scenario['topology'] {
  const degree = Math.max(1, Math.round(realMeanDegree))
  return degree >= nodes - 1 ? { kind: 'full' } : { kind: 'k-regular', degree: nodes * degree % 2 === 0 ? degree : degree - 1 }
}

/** The scenario with the given tx-gossip parameters (and topology, when given), for the simulator. */
function simScenario (base: Scenario, params: unknown, topology = base.topology): Scenario {
  try {
    return validateScenario({ ...base, topology, protocol: { name: 'tx-gossip', params } }, base.name)
  } catch (err) {
    if (err instanceof ScenarioError) fail(err.message)
    throw err
  }
}

function simOnly (base: Scenario, paramsJson: unknown, json: boolean): void {
  let params: unknown = nodeGossipParams(base)
  try {
    if (typeof paramsJson === 'string') params = JSON.parse(paramsJson)
  } catch { fail('--sim-params must be a JSON object of tx-gossip settings') }
  const scenario = simScenario(base, params)
  const plan = testbedPlan(base)
  const sim = runSimulated(scenario, { sampleMemory: false })
  report({ scenario: scenario.name, mode: 'sim', nodes: scenario.nodes, params, ...wanFigures(sim, plan, overlayFromSnapshots(scenario.nodes, [plan.adjacency]), 1) }, json)
}

/** Runs the benchmark. */
export default async function main (argv: string[]): Promise<void> {
  let args: ReturnType<typeof benchArgs>
  try {
    args = benchArgs(argv, ['nodes', 'seconds', 'rate', 'seed', 'strategies', 'drain-seconds', 'scenario', 'csv', 'sim-params'], ['json', 'no-sim', 'sim-only'])
  } catch (err) { fail((err as Error).message) }
  const nodes = numberFlag('nodes', args.nodes, 50, 3, true)
  const seconds = numberFlag('seconds', args.seconds, 300, 1, false)
  const rate = numberFlag('rate', args.rate, 20, 0.1, false)
  const drain = numberFlag('drain-seconds', args['drain-seconds'], 30, 0, false)
  const seed = args.seed === undefined ? undefined : numberFlag('seed', args.seed, 0, 0, true)
  const strategies = typeof args.strategies === 'string' ? args.strategies.split(',') : [...STRATEGIES]
  const unknown = strategies.find(x => !STRATEGIES.includes(x as Strategy))
  if (unknown !== undefined || strategies.length === 0) fail(`--strategies must list sorcha and/or gossipsub, comma-separated (got ${JSON.stringify(unknown ?? '')})`)
  const file = typeof args.scenario === 'string' ? args.scenario : new URL('../../simulations/testbed/scenarios/wan-50.yaml', import.meta.url).pathname
  let scenario: Scenario
  try {
    scenario = wanScenario(loadScenarioFile(file), nodes, seconds, rate, drain, seed)
    testbedPlan(scenario)
  } catch (err) {
    if (err instanceof ScenarioError || err instanceof ScenarioFileError) fail(err.message)
    throw err
  }
  if (args['sim-only'] === true) { simOnly(scenario, args['sim-params'], args.json === true); return }
  const unavailable = localUnavailable()
  if (unavailable !== undefined) fail(unavailable)

  const results = new Map<Strategy, Awaited<ReturnType<typeof runStrategy>>>()
  for (const strategy of strategies as Strategy[]) {
    const r = await runStrategy(scenario, strategy)
    results.set(strategy, r)
    process.stdout.write(`${JSON.stringify({ strategy, ...r.figures, loadBefore: r.loadBefore, loadAfter: r.loadAfter })}\n`)
  }
  // Fidelity: the same scenario in the simulator, against sorcha's real latencies (delivered pairs).
  let fidelity: Record<string, unknown> | undefined
  const sorcha = results.get('sorcha')
  if (sorcha !== undefined && args['no-sim'] !== true) {
    const sim = runSimulated(simScenario(scenario, nodeGossipParams(scenario), overlayLike(nodes, sorcha.figures.overlay.meanDegree)), { sampleMemory: false })
    const real = Float64Array.from(sorcha.run.result.metrics.latencyValues()).sort()
    const simulated = Float64Array.from(sim.result.metrics.latencyValues()).sort()
    const q = (v: Float64Array): Record<string, number | null> => ({ p50: quantile(v, 0.5), p95: quantile(v, 0.95), p99: quantile(v, 0.99) })
    fidelity = {
      ksDistance: real.length > 0 && simulated.length > 0 ? Math.round(ksDistance(real, simulated) * 1e4) / 1e4 : null,
      realLatencyMs: q(real),
      simLatencyMs: q(simulated),
      simDeliveredFraction: sim.summary.deliveredFraction,
      simMeanDegree: sim.summary.meanDegree
    }
  }
  const s = results.get('sorcha')?.figures
  const g = results.get('gossipsub')?.figures
  const summary = {
    scenario: scenario.name,
    nodes,
    seconds,
    rate,
    seed: scenario.seed,
    commit: commit(),
    strategies: Object.fromEntries([...results].map(([k, v]) => [k, { ...v.figures, loadBefore: v.loadBefore, loadAfter: v.loadAfter }])),
    bytesRatioSorchaOverGossipsub: s !== undefined && g !== undefined && g.bytesPerTxPerNode > 0 ? Math.round(s.bytesPerTxPerNode / g.bytesPerTxPerNode * 1000) / 1000 : null,
    fidelity: fidelity ?? null
  }
  if (typeof args.csv === 'string') {
    if (!existsSync(args.csv)) appendFileSync(args.csv, `${CSV_HEADER}\n`)
    const date = new Date().toISOString().slice(0, 16) + 'Z'
    for (const [strategy, r] of results) {
      const f = r.figures
      const ks = strategy === 'sorcha' ? fidelity?.ksDistance ?? '' : ''
      appendFileSync(args.csv, [date, summary.commit, nodes, seconds, rate, scenario.seed, strategy, r.loadBefore.toFixed(2), r.loadAfter.toFixed(2), f.deliveredFraction,
        f.latencyMs.p50, f.latencyMs.p95, f.latencyMs.p99, f.floodOptimalMs.p50, f.floodOptimalMs.p99, f.p50OverFloodOptimal, f.p99OverFloodOptimal,
        f.bytesPerTxPerNode, f.copiesPerTxPerNode, f.overlay.meanDegree, ks].map(v => v ?? '').join(',') + '\n')
    }
  }
  report(summary, args.json === true)
}
