/**
 * Attacks at scale in the simulator: `npm run bench -- sim-attacks [--json] [--only a,b] [--honest N] [--sybils N] [--threads N|auto] [--progress]`.
 * Runs simulations/scenarios/attack-*-10000.yaml (10,000 honest nodes; the attackers run the real
 * tx-gossip core, the honest nodes the real reputation core: simulations/protocols/tx-gossip-adversary.ts),
 * each beside its clean run of the same seed: the same scenario with the initial attackers behaving
 * (`behaviour: honest`, so the same nodes, links and publishers) and without Sybil or eclipse joiners.
 * The eclipse is also run with none of the target's links protected (`eclipse-unprotected`).
 * Prints one JSON line per attack and, last, the summary object: per attack the honest nodes'
 * deliveredFraction, allReachedFraction, nodes with nothing, latency p50/p95/p99 under attack and
 * clean, p99Ratio, the reputation's actions, and each run's wall time and peak RSS (from the run's
 * own memory samples). `--honest N` scales every scenario to N honest nodes (the Sybils in proportion,
 * unless `--sybils N`); `--only` picks attacks by name (censor, coldboot, flood, sybil, eclipse,
 * eclipse-unprotected, covert-flash).
 */
import { cpus, loadavg } from 'node:os'
import { benchArgs, intArg } from './args.ts'
import { loadScenarioFile } from '../../simulations/scenario/load.ts'
import { runSimulatedAsync } from '../../simulations/run.ts'
import { createProgressBar } from '../../simulations/report/progress.ts'
import type { Scenario } from '../../simulations/scenario/schema.ts'
import type { Summary } from '../../simulations/report/summary.ts'

const ATTACKS: ReadonlyArray<readonly [string, string]> = [
  ['censor', 'attack-censor-10000.yaml'],
  ['coldboot', 'attack-coldboot-10000.yaml'],
  ['flood', 'attack-flood-10000.yaml'],
  ['eclipse', 'attack-eclipse-10000.yaml'],
  ['eclipse-unprotected', 'attack-eclipse-10000.yaml'],
  ['covert-flash', 'attack-covert-flash-10000.yaml'],
  ['sybil', 'attack-sybil-10000.yaml']
]

type Adversary = NonNullable<Scenario['adversary']>

/** The scenario of `name` at `honest` honest nodes (and `sybils` Sybils, if given). */
function attackScenario (name: string, file: string, honest: number | undefined, sybils: number | undefined): Scenario {
  const s = loadScenarioFile(new URL(`../../simulations/scenarios/${file}`, import.meta.url).pathname)
  const a = s.adversary!
  if (honest !== undefined) {
    // The Sybils keep their ratio to the honest nodes (10 × for the flash, 1 × for the covert one).
    if (a.sybil !== undefined) a.sybil.count = Math.max(1, Math.round(a.sybil.count * honest / s.nodes))
    s.nodes = a.fraction > 0 ? Math.round(honest / (1 - a.fraction)) : honest
    if (s.nodes % 2 === 1) s.nodes++
  }
  if (sybils !== undefined && a.sybil !== undefined) a.sybil.count = sybils
  if (name === 'eclipse-unprotected') a.eclipse!.keepLinks = 0
  return s
}

/** The clean run: the initial attackers behave, and no Sybil or eclipse joins. */
function cleanOf (s: Scenario): Scenario {
  const { sybil: _sybil, eclipse: _eclipse, ...rest } = s.adversary!
  const adversary: Adversary = { ...rest, behaviour: 'honest' }
  return { ...s, adversary }
}

async function timed (s: Scenario, threads: number | 'auto', progress: boolean): Promise<{ summary: Summary, wallSeconds: number, peakRssMb: number, events: number }> {
  const bar = progress || process.stderr.isTTY ? createProgressBar(process.stderr, s.name) : undefined
  const started = performance.now()
  const { summary, result } = await runSimulatedAsync(s, { onProgress: bar?.update, sampleMemory: true, threads })
  bar?.done()
  return {
    summary,
    wallSeconds: Math.round((performance.now() - started) / 10) / 100,
    peakRssMb: Math.round(Math.max(...result.metrics.samples.map(x => x.rssMb))),
    events: result.events
  }
}

const ratio = (a: number | null, b: number | null): number | null => a === null || b === null || b === 0 ? null : Math.round(a / b * 100) / 100

/** Runs the benchmark with the arguments after its name. */
export default async function main (args: string[]): Promise<void> {
  const values = benchArgs(args, {
    json: { type: 'boolean', default: false },
    only: { type: 'string', default: '' },
    honest: { type: 'string', default: '' },
    sybils: { type: 'string', default: '' },
    threads: { type: 'string', default: 'auto' },
    progress: { type: 'boolean', default: false }
  })
  const only = values.only === '' ? undefined : new Set(values.only.split(','))
  const honest = values.honest === '' ? undefined : intArg('honest', values.honest)
  const sybils = values.sybils === '' ? undefined : intArg('sybils', values.sybils)
  const threads = values.threads === 'auto' ? 'auto' : intArg('threads', values.threads)
  const rows: Array<Record<string, unknown>> = []
  for (const [name, file] of ATTACKS) {
    if (only !== undefined && !only.has(name)) continue
    const attack = attackScenario(name, file, honest, sybils)
    const loadBefore = loadavg()[0]!
    const clean = await timed(cleanOf(attack), threads, values.progress)
    const hit = await timed(attack, threads, values.progress)
    const a = hit.summary.adversary!
    const c = clean.summary.adversary!
    const row = {
      attack: name,
      scenario: attack.name,
      honestNodes: a.honestNodes,
      attackers: a.attackers,
      transactions: hit.summary.transactions,
      deliveredFraction: a.honestDeliveredFraction,
      allReachedFraction: a.honestAllReachedFraction,
      honestNodesWithNothing: a.honestNodesWithNothing,
      latencyMs: { p50: hit.summary.latencyMs.p50, p95: hit.summary.latencyMs.p95, p99: hit.summary.latencyMs.p99 },
      cleanDeliveredFraction: c.honestDeliveredFraction,
      cleanLatencyMs: { p50: clean.summary.latencyMs.p50, p95: clean.summary.latencyMs.p95, p99: clean.summary.latencyMs.p99 },
      p99Ratio: ratio(hit.summary.latencyMs.p99, clean.summary.latencyMs.p99),
      reputation: a.reputation,
      events: hit.events,
      wallSeconds: hit.wallSeconds,
      peakRssMb: hit.peakRssMb,
      cleanWallSeconds: clean.wallSeconds,
      load1: Math.round(loadBefore * 100) / 100
    }
    rows.push(row)
    if (!values.json) process.stdout.write(`${JSON.stringify(hit.summary, null, 2)}\n`)
    process.stdout.write(`${JSON.stringify(row)}\n`)
  }
  process.stdout.write(JSON.stringify({ benchmark: 'sim-attacks', attacks: rows, machine: `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}` }) + '\n')
}
