/**
 * The sorcha-sim command line: `sorcha-sim run <scenario> [--seed N] [--nodes N] [--mode sim|real]
 * [--out dir] [--json] [--progress] [--threads N|auto]`. Exit codes: 0 success, 1 runtime failure, 2 bad usage or a bad
 * scenario (one line on stderr, never a stack trace). With --json the last stdout line is the summary.
 */
import { join } from 'node:path'
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander'
import pkg from '../../package.json' with { type: 'json' }
import { ScenarioError, ScenarioFileError } from '../scenario/errors.ts'
import { loadScenarioFile } from '../scenario/load.ts'
import { UnknownProtocolError } from '../protocols/index.ts'
import { TopologyError } from '../network/topology.ts'
import { createProgressBar } from '../report/progress.ts'
import { runSimulatedAsync, writeReports, REPORT_FILES, type SimRun } from '../run.ts'
import type { Summary } from '../report/summary.ts'

/** Exit code for a user mistake. */
export const EXIT_USAGE = 2

/** Options of `run`. */
interface RunFlags { seed?: number, nodes?: number, mode?: 'sim' | 'real', out?: string, json?: boolean, progress?: boolean, threads: number | 'auto' }

/** A commander argument parser for an integer flag ≥ min. */
export const integer = (name: string, min: number) => (value: string): number => {
  const n = Number(value)
  if (!Number.isSafeInteger(n) || n < min) throw new InvalidArgumentError(`${name} must be an integer ≥ ${min}`)
  return n
}

function threadsFlag (value: string): number | 'auto' {
  return value === 'auto' ? 'auto' : integer('--threads', 1)(value)
}

function describe (s: Summary): string {
  const l = s.latencyMs
  return [
    `${s.scenario} (${s.mode}, ${s.protocol}): ${s.nodes} nodes, seed ${s.seed}, ${s.transactions} transactions`,
    `delivered ${(s.deliveredFraction * 100).toFixed(3)} %, all reached ${(s.allReachedFraction * 100).toFixed(1)} % of transactions`,
    `latency ms p50 ${l.p50} p95 ${l.p95} p99 ${l.p99} max ${l.max}; mean hops ${s.meanHops}`,
    `${s.messages} messages, ${s.bytesPerTxPerNode} bytes per tx per node, ${s.copiesPerNode} copies per node`
  ].join('\n')
}

async function runCommand (scenarioPath: string, flags: RunFlags): Promise<void> {
  const scenario = loadScenarioFile(scenarioPath, { seed: flags.seed, nodes: flags.nodes })
  if (flags.mode === undefined && scenario.runner === 'testbed') {
    throw new ScenarioError(scenario.name, 'runner', 'testbed', 'sim or real for sorcha-sim (run it with npm run testbed -- run <scenario>, or pass --mode)')
  }
  const mode = flags.mode ?? (scenario.runner === 'real' ? 'real' : 'sim')
  const out = flags.out ?? join('.sim-out', `${scenario.name}-${mode}-seed${scenario.seed}`)
  const showProgress = flags.progress === true || process.stderr.isTTY === true
  const bar = showProgress ? createProgressBar(process.stderr, scenario.name) : undefined
  const started = performance.now()
  let run: SimRun
  if (mode === 'real') {
    const { runReal } = await import('../real/run-real.ts')
    run = await runReal(scenario, { onProgress: bar?.update })
  } else {
    run = await runSimulatedAsync(scenario, { onProgress: bar?.update, threads: flags.threads })
  }
  bar?.done()
  const wallSeconds = (performance.now() - started) / 1000
  writeReports(out, run)
  const rssMb = Math.round(process.memoryUsage().rss / 1048576)
  process.stderr.write(`sorcha-sim: ${run.result.events} events in ${wallSeconds.toFixed(2)} s wall, rss ${rssMb} MB; reports in ${out}/{${Object.values(REPORT_FILES).join(',')}}\n`)
  process.stdout.write(flags.json === true ? JSON.stringify(run.summary) + '\n' : describe(run.summary) + '\n')
}

/** Builds the program; exported so tests can run it in-process. */
export function buildProgram (): Command {
  const program = new Command('sorcha-sim')
    .description('Sorcha Peer network simulator: the real protocol cores on a virtual network')
    .version(pkg.version, '-V, --version', 'print the version')
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeErr: text => process.stderr.write(text) })
  program.command('run')
    .description('run a scenario file (YAML or JSON) and write summary.json, timeseries.csv and coverage.svg')
    .argument('<scenario>', 'scenario file, e.g. simulations/scenarios/smoke-10.yaml')
    .option('--seed <n>', 'override the scenario seed', integer('--seed', 0))
    .option('--nodes <n>', 'override the node count', integer('--nodes', 1))
    .addOption(new Option('--mode <mode>', 'simulated cores, or real libp2p nodes in this process (default: the scenario\'s runner, sim unless it says real)').choices(['sim', 'real']))
    .option('--out <dir>', 'report directory (default .sim-out/<name>-<mode>-seed<seed>)')
    .option('--json', 'print the summary as one JSON line (the last line of stdout)')
    .option('--progress', 'draw a progress bar on stderr even when it is not a terminal')
    .option('--threads <n>', 'worker threads for --mode sim (same summary for any number; auto: every core from 10,000 nodes)', threadsFlag, 'auto')
    .action(runCommand)
    .exitOverride()
  return program
}

/** Errors that are the user's mistake: one line and exit code 2. */
type UsageErrorClass = new (...args: never[]) => Error

/**
 * Parses argv with `program` and maps what it throws to an exit code: 0, EXIT_USAGE (commander's
 * own errors, and the `usage` classes, printed as `<prefix>: message`) or 1 (anything else). Shared
 * by sorcha-sim and the testbed.
 */
export async function runProgram (program: Command, argv: string[], prefix: string, usage: UsageErrorClass[]): Promise<number> {
  try {
    await program.parseAsync(argv)
    return 0
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : EXIT_USAGE
    process.stderr.write(`${prefix}: ${(err as Error).message ?? String(err)}\n`)
    return usage.some(c => err instanceof c) ? EXIT_USAGE : 1
  }
}

/** Runs the CLI with the given argv and returns the exit code. */
export async function main (argv: string[]): Promise<number> {
  return runProgram(buildProgram(), argv, 'sorcha-sim', [ScenarioError, ScenarioFileError, UnknownProtocolError, TopologyError])
}
