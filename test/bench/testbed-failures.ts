/**
 * Failure campaign on real node processes (issue 21 item 4): the scenarios
 * simulations/testbed/scenarios/failures-*.yaml on the local testbed (needs root; one process per node
 * in its own network namespace, WAN-like links from the `global` latency preset), one after another:
 *
 *   crash      30 nodes, 30 % SIGKILLed at once mid-run (they stay down)
 *   partition  30 nodes split into halves by iptables for 60 s, then healed
 *   restart    a rolling restart of every node (one at a time, 5 s apart, down 2 s)
 *   freeze     one node stopped with SIGSTOP for 60 s, then SIGCONT
 *
 * Workload: 5 transactions/s of 512 B through the nodes' gateways (the driver in this process).
 * Reported per scenario: `deliveredFraction` (every transaction to every node alive at the end;
 * target 1) and `recovery`: from the scenario's last fault (the heal; the SIGCONT; the crash; the
 * last restarted node running again), how long until the nodes (for the freeze: the frozen node)
 * held every transaction published before it (target for the heal: <= 10 s). Holding times come from
 * the nodes' own event logs (`tx_published`, `tx_received`; host clock), the fault's moment from this
 * process when it began applying it (`applyMs`: how long applying took, e.g. iptables in 30 namespaces).
 *
 *   npm run bench -- testbed-failures [--json] [--scenario crash,partition,restart,freeze]
 *     [--nodes N] [--seconds S (the workload and fault times scaled to S s)] [--seed N]
 *     [--csv docs/performance-report-failures.csv] [--progress]
 *
 * The last stdout line is the summary: { scenarios: [...] }.
 */
import { join } from 'node:path'
import { benchArgs } from './args.ts'
import { report } from './_util.ts'
import { appendCsv, commit, load, refuse } from './testbed-common.ts'

const BENCH = 'testbed-failures'
const ROOT = new URL('../..', import.meta.url).pathname
/** The scenario files, by name. */
export const FAILURE_SCENARIOS: Readonly<Record<string, string>> = Object.freeze({
  crash: 'failures-crash-30.yaml',
  partition: 'failures-partition-30.yaml',
  restart: 'failures-restart-30.yaml',
  freeze: 'failures-freeze-30.yaml'
})
/** The CSV columns (docs/performance-report-failures.csv). */
export const FAILURE_COLUMNS = [
  'date', 'commit', 'scenario', 'nodes', 'liveAtEnd', 'transactions', 'ratePerSec', 'latency', 'links',
  'deliveredFraction', 'allReachedFraction', 'latencyMsP50', 'latencyMsP99', 'recoveryFrom', 'recoveryMs',
  'recoveryApplyMs', 'recoveryTxs', 'recoveryMissing', 'startSec', 'runSec', 'loadBefore', 'loadAfter', 'command'
] as const

/** The parsed flags; `refuse`s with one line for bad ones. */
export function failureOptions (argv: string[]): { scenarios: string[], nodes?: number, seconds?: number, seed?: number, csv?: string, json: boolean, progress: boolean } {
  const a = benchArgs(argv, { json: { type: 'boolean' }, progress: { type: 'boolean' }, scenario: { type: 'string' }, nodes: { type: 'string' }, seconds: { type: 'string' }, seed: { type: 'string' }, csv: { type: 'string' } })
  const scenarios = (a.scenario ?? Object.keys(FAILURE_SCENARIOS).join(',')).split(',')
  for (const s of scenarios) if (FAILURE_SCENARIOS[s] === undefined) refuse(BENCH, `--scenario must be a list of ${Object.keys(FAILURE_SCENARIOS).join(', ')} (got ${s})`)
  const positive = (name: string, value: string | undefined, integer: boolean): number | undefined => {
    if (value === undefined) return undefined
    const n = Number(value)
    if (!(n > 0) || (integer && !Number.isSafeInteger(n))) refuse(BENCH, `--${name} must be a positive ${integer ? 'integer' : 'number'} (got ${value})`)
    return n
  }
  return { scenarios, nodes: positive('nodes', a.nodes, true), seconds: positive('seconds', a.seconds, false), seed: positive('seed', a.seed, true), csv: a.csv, json: a.json, progress: a.progress }
}

/** Runs the benchmark. */
export default async function main (argv: string[]): Promise<void> {
  const options = failureOptions(argv)
  const { ScenarioError, ScenarioFileError } = await import('../../simulations/scenario/errors.ts')
  const { loadScenarioFile } = await import('../../simulations/scenario/load.ts')
  const { scaleScenario } = await import('../../simulations/testbed/scale.ts')
  const { testbedPlan } = await import('../../simulations/testbed/plan.ts')
  // Every scenario checked first, so that a bad flag is told at once, not after an hour of runs.
  const scenarios = options.scenarios.map(name => {
    try {
      const loaded = loadScenarioFile(join(ROOT, 'simulations/testbed/scenarios', FAILURE_SCENARIOS[name]!), { nodes: options.nodes, seed: options.seed })
      const scenario = options.seconds === undefined ? loaded : scaleScenario(loaded, options.seconds)
      testbedPlan(scenario)
      return { name, scenario }
    } catch (err) {
      if (err instanceof ScenarioError || err instanceof ScenarioFileError) refuse(BENCH, err.message)
      throw err
    }
  })
  const { localUnavailable } = await import('../../simulations/testbed/local/testbed.ts')
  const unavailable = localUnavailable()
  if (unavailable !== undefined) refuse(BENCH, unavailable)
  const { runFailureScenario } = await import('./testbed-failures-run.ts')
  const results = []
  for (const { name, scenario } of scenarios) {
    const r = await runFailureScenario(name, scenario, options)
    results.push(r)
    process.stderr.write(`${BENCH}: ${JSON.stringify(r)}\n`)
    if (options.csv !== undefined) appendCsv(options.csv, FAILURE_COLUMNS, [{ ...r, recoveryFrom: r.recovery?.from, recoveryMs: r.recovery?.ms, recoveryApplyMs: r.recovery?.applyMs, recoveryTxs: r.recovery?.txs, recoveryMissing: r.recovery?.missing, date: new Date().toISOString(), commit: commit(), loadBefore: r.loadBefore.join(' '), loadAfter: r.loadAfter.join(' '), command: `npm run bench -- ${BENCH} ${argv.join(' ')}` }])
  }
  report({ scenarios: results, load: load() }, options.json)
}
