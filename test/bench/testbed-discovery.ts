/**
 * Discovery over WAN latency on real node processes (issue 21 item 4), on the local testbed (needs
 * root): one bootstrap node starts alone, then the joiners (50 by default) start all at once, each in
 * its own network namespace with only the bootstrap node's address, links from the `global` latency
 * preset (per directed link, jitter 5 ms). Everything is measured from the nodes' own records:
 *
 * - `bootstrapConnectMsP50/P95`: per joiner, from its process's start (/proc) to its first
 *   connection to the bootstrap node (its event log's `peer_connected`); target p95 < 2 s;
 * - `msToAllKnow`: from the last joiner's process start until every node's peer list held `knowTarget`
 *   peers (default nodes - 1: all the others; `peer_discovered` events); target <= 30 s;
 * - the start itself, separately (50 processes starting at once on a small machine is a CPU queue):
 *   `startWallMsP50/P95` (process start to the node's "node running" log line), `startCpuMsP50/P95`
 *   (the process's CPU until then, read when that line arrives) and `connectAfterRunningMsP50/P95`.
 *
 *   npm run bench -- testbed-discovery [--json] [--nodes 51] [--latency global|continental|...]
 *     [--duration-s 120 (the longest wait after the last joiner's start)] [--know N] [--seed N] [--csv docs/performance-report-discovery.csv]
 *
 * The last stdout line is the summary.
 */
import { benchArgs } from './args.ts'
import { report } from './_util.ts'
import { appendCsv, commit, refuse } from './testbed-common.ts'

const BENCH = 'testbed-discovery'
/** The CSV columns (docs/performance-report-discovery.csv). */
export const DISCOVERY_COLUMNS = [
  'date', 'commit', 'nodes', 'latency', 'links', 'bootstrapConnected', 'bootstrapConnectMsP50', 'bootstrapConnectMsP95',
  'bootstrapConnectMsMax', 'connectAfterRunningMsP50', 'connectAfterRunningMsP95', 'startWallMsP50', 'startWallMsP95',
  'startCpuMsP50', 'startCpuMsP95', 'startSpreadMs', 'knowTarget', 'nodesKnowingTarget', 'msToAllKnow', 'knownPeersMinAtEnd',
  'runSec', 'loadBefore', 'loadAfter', 'command'
] as const

/** The benchmark's options. */
export interface DiscoveryOptions { nodes: number, latency: string, durationS: number, know: number, seed: number, csv?: string, json: boolean }

/** The parsed flags; `refuse`s with one line for bad ones. */
export function discoveryOptions (argv: string[], presets: readonly string[]): DiscoveryOptions {
  const a = benchArgs(argv, { json: { type: 'boolean' }, nodes: { type: 'string' }, latency: { type: 'string' }, 'duration-s': { type: 'string' }, know: { type: 'string' }, seed: { type: 'string' }, csv: { type: 'string' } })
  const int = (name: string, value: string | undefined, fallback: number, min: number): number => {
    if (value === undefined) return fallback
    const n = Number(value)
    if (!Number.isSafeInteger(n) || n < min) refuse(BENCH, `--${name} must be an integer of at least ${min} (got ${value})`)
    return n
  }
  const nodes = int('nodes', a.nodes, 51, 2)
  const latency = a.latency ?? 'global'
  if (!presets.includes(latency)) refuse(BENCH, `--latency must be one of ${presets.join(', ')} (got ${latency})`)
  const know = int('know', a.know, nodes - 1, 1)
  if (know > nodes - 1) refuse(BENCH, `--know must be at most nodes - 1 (${nodes - 1}): a node knows the others only (got ${know})`)
  return { nodes, latency, durationS: int('duration-s', a['duration-s'], 120, 1), know, seed: int('seed', a.seed, 1, 0), csv: a.csv, json: a.json }
}

/** Runs the benchmark. */
export default async function main (argv: string[]): Promise<void> {
  const { LATENCY_PRESETS } = await import('../../simulations/network/latency.ts')
  const options = discoveryOptions(argv, Object.keys(LATENCY_PRESETS))
  const { localUnavailable } = await import('../../simulations/testbed/local/testbed.ts')
  const unavailable = localUnavailable()
  if (unavailable !== undefined) refuse(BENCH, unavailable)
  const { runDiscovery } = await import('./testbed-discovery-run.ts')
  const r = await runDiscovery(options)
  if (options.csv !== undefined) appendCsv(options.csv, DISCOVERY_COLUMNS, [{ ...r, date: new Date().toISOString(), commit: commit(), loadBefore: r.loadBefore.join(' '), loadAfter: r.loadAfter.join(' '), command: `npm run bench -- ${BENCH} ${argv.join(' ')}` }])
  report(r, options.json)
}
