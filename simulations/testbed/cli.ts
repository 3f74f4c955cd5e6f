/**
 * The testbed command line: `npm run testbed -- run <scenario> [--out dir] [--json] [--seed N]
 * [--nodes N] [--kubernetes --namespace x [--render-only]]`. Exit codes as sorcha-sim's: 0 success,
 * 1 a failure during the run, 2 bad usage or a scenario the testbed cannot run (one line on stderr,
 * never a stack trace). With --json the last stdout line is the summary. docs/testbed.md.
 */
import { join } from 'node:path'
import { Command } from 'commander'
import { EXIT_USAGE, integer, runProgram } from '../cli/main.ts'
import { ScenarioError, ScenarioFileError } from '../scenario/errors.ts'
import { loadScenarioFile } from '../scenario/load.ts'
import { TopologyError } from '../network/topology.ts'
import { createProgressBar } from '../report/progress.ts'
import { REPORT_FILES, writeReports, type SimRun } from '../run.ts'
import type { Summary } from '../report/summary.ts'
import { runKubernetes } from './kubernetes/run-kubernetes.ts'
import { runLocal, TestbedUnavailableError } from './local/run-local.ts'

export { EXIT_USAGE }

interface RunFlags { seed?: number, nodes?: number, out?: string, json?: boolean, progress?: boolean, kubernetes?: boolean, namespace?: string, renderOnly?: boolean, image?: string, driverImage?: string, netemImage?: string }

async function runCommand (scenarioPath: string, flags: RunFlags): Promise<void> {
  const scenario = loadScenarioFile(scenarioPath, { seed: flags.seed, nodes: flags.nodes })
  const mode = flags.kubernetes === true ? 'kubernetes' : 'local'
  const out = flags.out ?? join('.testbed-out', `${scenario.name}-${mode}-seed${scenario.seed}`)
  if (flags.kubernetes === true) {
    if (flags.namespace === undefined) throw new UsageError('--kubernetes needs --namespace <name>')
    const summary = await runKubernetes(scenario, { namespace: flags.namespace, out, renderOnly: flags.renderOnly === true, image: flags.image, driverImage: flags.driverImage, netemImage: flags.netemImage })
    if (summary !== undefined) print(out, summary, flags)
    return
  }
  const bar = flags.progress === true || process.stderr.isTTY === true ? createProgressBar(process.stderr, scenario.name) : undefined
  const run = await runLocal(scenario, {
    onProgress: bar?.update,
    logsOnFailure: join(out, 'logs'),
    onNetwork: ({ dir, namespaces }) => { process.stderr.write(`testbed: ${namespaces} network namespaces, run directory ${dir}\n`) },
    onStarted: ({ links, pids }) => { process.stderr.write(`testbed: ${pids.length} nodes running (pids ${pids.join(' ')}), links by ${links}\n`) }
  })
  bar?.done()
  finish(out, run, flags)
}

function finish (out: string, run: SimRun, flags: RunFlags): void {
  writeReports(out, run)
  print(out, run.summary, flags)
}

function print (out: string, s: Summary, flags: RunFlags): void {
  process.stderr.write(`testbed: reports in ${out}/{${Object.values(REPORT_FILES).join(',')}}\n`)
  process.stdout.write(flags.json === true
    ? JSON.stringify(s) + '\n'
    : `${s.scenario} (testbed): ${s.nodes} nodes, ${s.liveNodesAtEnd} up at the end, ${s.transactions} transactions; delivered ${(s.deliveredFraction * 100).toFixed(3)} %; latency ms p50 ${s.latencyMs.p50} p99 ${s.latencyMs.p99}\n`)
}

/** A flag combination the testbed refuses. */
export class UsageError extends Error {
  override name = 'UsageError'
}

/** Builds the program; exported so tests can run it in-process. */
export function buildProgram (): Command {
  const program = new Command('testbed')
    .description('Sorcha Peer testbed: a scenario on real node processes, in network namespaces or on Kubernetes')
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeErr: text => process.stderr.write(text) })
  program.command('run')
    .description('run a scenario file (YAML or JSON) and write summary.json, timeseries.csv and coverage.svg')
    .argument('<scenario>', 'scenario file, e.g. simulations/testbed/scenarios/smoke-4.yaml')
    .option('--seed <n>', 'override the scenario seed', integer('--seed', 0))
    .option('--nodes <n>', 'override the node count', integer('--nodes', 1))
    .option('--out <dir>', 'report directory (default .testbed-out/<name>-<local|kubernetes>-seed<seed>)')
    .option('--json', 'print the summary as one JSON line (the last line of stdout)')
    .option('--progress', 'draw a progress bar on stderr even when it is not a terminal')
    .option('--kubernetes', 'run on a Kubernetes cluster (kubectl) instead of local namespaces')
    .option('--namespace <name>', 'Kubernetes namespace (with --kubernetes)')
    .option('--render-only', 'with --kubernetes: write the manifests to <out>/manifests.yaml and stop')
    .option('--image <image>', 'with --kubernetes: the node image (default sorcha-peer:<version>)')
    .option('--driver-image <image>', 'with --kubernetes: the driver image (default sorcha-peer-testbed:<version>, docker/testbed.Dockerfile)')
    .option('--netem-image <image>', 'with --kubernetes: the image of the init container that applies netem (needs sh, awk, tc, and getent or nslookup)')
    .action(runCommand)
    .exitOverride()
  return program
}

/** Runs the CLI with the given argv and returns the exit code. */
export async function main (argv: string[]): Promise<number> {
  return runProgram(buildProgram(), argv, 'testbed', [ScenarioError, ScenarioFileError, TopologyError, UsageError, TestbedUnavailableError])
}

if (import.meta.main) process.exit(await main(process.argv))
