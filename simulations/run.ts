/**
 * Runs a scenario in simulated mode and writes its reports: the entry point the CLI, the tests and
 * the benchmark share.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Simulator, type RunOptions, type RunResult } from './engine/simulator.ts'
import { availableParallelism } from 'node:os'
import { runParallel } from './engine/parallel.ts'
import { latencyFloor } from './network/latency.ts'
import type { RunPlan } from './engine/plan.ts'
import type { ProtocolBinding } from './engine/types.ts'
import { getProtocol, isBuiltInProtocol } from './protocols/index.ts'
import { toPlan } from './scenario/load.ts'
import { ScenarioError } from './scenario/errors.ts'
import type { Scenario } from './scenario/schema.ts'
import { coverageCurve, coverageSvg } from './report/coverage-svg.ts'
import { toCsv } from './report/csv.ts'
import { summarize, type Summary } from './report/summary.ts'

/** A finished simulated run. */
export interface SimRun {
  readonly result: RunResult
  readonly summary: Summary
}

/** The binding a scenario names and its run plan (protocol parameters validated by the binding). */
export function planFor (scenario: Scenario): { binding: ProtocolBinding, plan: RunPlan } {
  refuseTestbedFaults(scenario, 'sim')
  const binding = getProtocol(scenario.protocol.name)
  return { binding, plan: toPlan(scenario, binding.parseParams(scenario.protocol.params, 'protocol.params')) }
}

/** Freezes (SIGSTOP) and restarts are faults of real processes: the testbed runs them, the simulator and real mode refuse them. */
export function refuseTestbedFaults (scenario: Scenario, mode: 'sim' | 'real'): void {
  for (const key of ['freezes', 'restarts'] as const) {
    if (scenario.faults[key].length > 0) {
      throw new ScenarioError(scenario.name, `faults.${key}`, scenario.faults[key], `not available in ${mode} mode (real processes only: npm run testbed -- run <scenario>, docs/testbed.md)`)
    }
  }
}

/** Runs a validated scenario in simulated mode. */
export function runSimulated (scenario: Scenario, options: RunOptions = {}): SimRun {
  const { binding, plan } = planFor(scenario)
  const result = new Simulator(plan, binding, undefined, options).run(options)
  return { result, summary: summarize(result, 'sim') }
}

/** Runs of at least this many nodes use every core when `threads` is 'auto'. */
export const AUTO_THREADS_FROM_NODES = 10_000

/**
 * Runs a validated scenario in simulated mode on `options.threads` worker threads: the same summary
 * as runSimulated, byte for byte, sooner for large runs (engine/parallel.ts). One thread is used
 * when the latency model can reach 0 ms (no lookahead), when all nodes share one CPU (a global
 * queue, network.sharedCpuMsPerMessage) or the protocol is not a built-in one.
 */
export async function runSimulatedAsync (scenario: Scenario, options: RunOptions = {}): Promise<SimRun & { threads: number }> {
  const { binding, plan } = planFor(scenario)
  const requested = options.threads ?? 'auto'
  const wanted = requested === 'auto' ? (plan.nodes >= AUTO_THREADS_FROM_NODES ? availableParallelism() : 1) : requested
  const parallel = latencyFloor(plan.network.latency) > 0 && (plan.network.sharedCpuMsPerMessage ?? 0) === 0 && isBuiltInProtocol(binding.name)
  const threads = parallel ? Math.max(1, Math.min(wanted, plan.nodes)) : 1
  const result = threads === 1
    ? new Simulator(plan, binding, undefined, options).run(options)
    : await runParallel(scenario, plan, threads, options)
  return { result, summary: summarize(result, 'sim'), threads }
}

/** The coverage curve of a run (time since publication against share of nodes reached). */
export function runCurve (result: RunResult): ReturnType<typeof coverageCurve> {
  const m = result.metrics
  let targets = 0
  for (let t = 0; t < m.published; t++) targets += m.targetAtPublish[t]!
  return coverageCurve(Float32Array.from(m.latencyValues()).sort(), m.published, targets)
}

/** Files written by writeReports. */
export const REPORT_FILES = { summary: 'summary.json', timeseries: 'timeseries.csv', plot: 'coverage.svg' } as const

/** Writes summary.json, timeseries.csv and coverage.svg into `dir` (created if needed). */
export function writeReports (dir: string, run: SimRun): void {
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, REPORT_FILES.summary), JSON.stringify(run.summary, null, 2) + '\n')
  writeFileSync(join(dir, REPORT_FILES.timeseries), toCsv(run.result.metrics.samples))
  const title = `${run.summary.scenario}: ${run.summary.nodes} nodes, seed ${run.summary.seed}, ${run.summary.transactions} tx (${run.summary.mode})`
  writeFileSync(join(dir, REPORT_FILES.plot), coverageSvg(runCurve(run.result), title))
}
