/**
 * The testbed's local mode: every node of a scenario as its own `sorcha-peer` process in its own
 * network namespace on a bridge, links delayed by netem or the relay (links.ts), the workload and
 * faults run by the shared driver (../driver.ts) through the nodes' gateways, faults applied with
 * signals and iptables. Everything it creates is removed at the end, on failure, and on SIGINT or
 * SIGTERM; a run also sweeps what a crashed earlier run left (netns.ts).
 */
import type { ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { cp, mkdtemp, rm } from 'node:fs/promises'
import { availableParallelism, tmpdir } from 'node:os'
import { join } from 'node:path'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { loadOrCreateIdentity } from '../../../src/node/identity.ts'
import type { SimRun } from '../../run.ts'
import type { Scenario } from '../../scenario/schema.ts'
import { driveAndSummarize, type FaultInjector } from '../driver.ts'
import { testbedPlan, type FaultAction, type TestbedPlan } from '../plan.ts'
import { chooseEmulation, netemAvailable, netemCommands, P2P_PORT, RELAY_TARGET_PORT, relaySetup, type LinkEmulation } from './links.ts'
import { shWithInput, sweepStale, TestbedNetwork } from './netns.ts'
import { deepMerge, exited, startNode, startRelayProcess, writeNodeConfig } from './nodes.ts'

/** How long cleanup waits for SIGKILLed processes to be gone before removing their namespaces. */
const KILL_WAIT_MS = 5_000

/** The gateway ports every node listens on, in its own namespace. */
export const GRPC_PORT = 4200
export const REST_PORT = 4280

/** Node processes started at once. */
const START_CONCURRENCY = Math.max(2, availableParallelism())

/** The local testbed cannot run on this machine (not root, not Linux, a tool missing). */
export class TestbedUnavailableError extends Error {
  override name = 'TestbedUnavailableError'
}

/** Options of a local run. */
export interface LocalRunOptions {
  onProgress?: (nowMs: number, totalMs: number, receipts: number) => void
  /** Where the nodes' and relays' logs are copied when the run fails (they are removed with the run directory otherwise). */
  logsOnFailure?: string
  /** Told once the namespaces exist: the run directory (configs and logs; removed at the end). */
  onNetwork?: (info: { dir: string, namespaces: number }) => void
  /** Told once the nodes run. */
  onStarted?: (info: { links: LinkEmulation, pids: number[] }) => void
}

/** A finished local run. */
export type LocalRun = SimRun & { links: LinkEmulation }

/** Why the local testbed cannot run here, or undefined. */
export function localUnavailable (platform: NodeJS.Platform = process.platform, uid = process.getuid?.()): string | undefined {
  if (platform !== 'linux') return 'the local testbed needs Linux (network namespaces)'
  if (uid !== 0) return 'the local testbed needs root (network namespaces, veth, iptables): run it as root'
  return undefined
}

/** The configuration of node i (before the scenario's testbed.nodeConfig is merged over it). */
function nodeConfig (net: TestbedNetwork, plan: TestbedPlan, i: number, dir: string, peerIds: string[], token: string, links: LinkEmulation): Record<string, unknown> {
  const listen = [`/ip4/0.0.0.0/tcp/${P2P_PORT}`]
  if (links === 'relay') listen.push(`/ip4/0.0.0.0/tcp/${RELAY_TARGET_PORT}`)
  return {
    dataDir: join(dir, `data-${i}`),
    listen,
    announce: [`/ip4/${net.ip(i)}/tcp/${P2P_PORT}`],
    bootstrap: plan.adjacency[i]!.map(j => `/ip4/${net.ip(j)}/tcp/${P2P_PORT}/p2p/${peerIds[j]}`),
    connections: { ipRangeAllow: [net.prefix()], allow: [net.prefix()] },
    nat: { forceType: 'open-internet' },
    gateway: { grpc: { host: '0.0.0.0', port: GRPC_PORT }, rest: { host: '0.0.0.0', port: REST_PORT }, token, rateLimit: { perSecond: 100000, burst: 100000 } },
    log: { level: 'info', format: 'json', statusIntervalMs: 0 }
  }
}

/** Sum of the nodes' resident memory (from /proc). */
function rssOf (pids: number[]): { heapUsedMb: number, rssMb: number } {
  let kb = 0
  for (const pid of pids) {
    try { kb += Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) } catch { /* gone */ }
  }
  return { heapUsedMb: 0, rssMb: kb / 1024 }
}

/** The processes of `spawned` that have not exited. */
const living = (spawned: Set<ChildProcess>): ChildProcess[] => [...spawned].filter(p => p.exitCode === null && p.signalCode === null)

/** Runs a scenario on the local testbed. */
export async function runLocal (scenario: Scenario, options: LocalRunOptions = {}): Promise<LocalRun> {
  const plan = testbedPlan(scenario)
  const unavailable = localUnavailable()
  if (unavailable !== undefined) throw new TestbedUnavailableError(unavailable)
  await sweepStale()
  const n = plan.run.nodes
  const net = new TestbedNetwork()
  const dir = await mkdtemp(join(tmpdir(), 'sorcha-testbed-'))
  const nodes: Array<ChildProcess | undefined> = new Array(n)
  // Every process spawned, from the moment it is spawned: a node still starting is not in `nodes` yet,
  // and an interrupted start left it running (the SIGINT test found one at load 5).
  const spawned = new Set<ChildProcess>()
  // Set when cleanup begins. The run's own flow goes on meanwhile (a signal does not stop it), so a
  // process it spawns after that is killed at once: one spawned while an interrupt's cleanup waited
  // was left running (the SIGINT test found a relay alive after the exit, at load 9).
  let closing = false
  const track = (child: ChildProcess): void => {
    spawned.add(child)
    child.once('exit', () => { spawned.delete(child) })
    if (closing) child.kill('SIGKILL')
  }
  const cleanup = async (): Promise<void> => {
    closing = true
    const deadline = Date.now() + KILL_WAIT_MS
    for (let alive = living(spawned); alive.length > 0 && Date.now() < deadline; alive = living(spawned)) {
      for (const p of alive) p.kill('SIGKILL')
      await Promise.race([Promise.all(alive.map(exited)), new Promise(resolve => setTimeout(resolve, Math.max(0, deadline - Date.now())).unref())])
    }
    await net.destroy()
    await rm(dir, { recursive: true, force: true })
  }
  // Set once a signal arrives: the run then ends only through the signal's exit (130 or 143), even
  // when killing the children makes a pending start fail first.
  let stopping: Promise<void> | undefined
  const onSignal = (signal: NodeJS.Signals): void => {
    process.stderr.write(`testbed: ${signal}: stopping every node and removing the namespaces\n`)
    stopping ??= cleanup().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143))
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  try {
    await net.create()
    for (let i = 0; i < n; i++) await net.addNode(i)
    options.onNetwork?.({ dir, namespaces: net.namespaces.length })
    const links = chooseEmulation(scenario.testbed.links, await netemAvailable(net.hub), scenario.name)
    const token = randomBytes(24).toString('hex')
    const peerIds = await Promise.all(Array.from({ length: n }, async (_, i) => peerIdFromPrivateKey((await loadOrCreateIdentity(join(dir, `data-${i}`))).privateKey).toString()))
    for (let i = 0; i < n; i++) {
      if (links === 'netem') {
        const batch = netemCommands(i, n, j => net.ip(j), plan.link).map(c => c.join(' ')).join('\n') + '\n'
        await shWithInput(batch, 'ip', 'netns', 'exec', net.ns(i), 'tc', '-batch', '-')
      } else {
        const { config, nat } = relaySetup(i, n, j => net.ip(j), plan.link, scenario.seed)
        await shWithInput(nat, 'ip', 'netns', 'exec', net.ns(i), 'iptables-restore', '--noflush')
        await startRelayProcess(dir, net.ns(i), i, config, track)
      }
    }
    const configs = await Promise.all(Array.from({ length: n }, async (_, i) =>
      writeNodeConfig(dir, i, deepMerge(nodeConfig(net, plan, i, dir, peerIds, token, links), scenario.testbed.nodeConfig))))
    const start = async (i: number): Promise<void> => { nodes[i] = await startNode(dir, net.ns(i), i, configs[i]!, track) }
    // A few at a time: a node's start is seconds of CPU (module loading, key derivation), and all at
    // once on a small busy machine none of them got through within the timeout (20 nodes, 2 cores).
    let next = 0
    await Promise.all(Array.from({ length: Math.min(n, START_CONCURRENCY) }, async () => { while (next < n) await start(next++) }))
    options.onStarted?.({ links, pids: nodes.map(p => p!.pid!) })
    // Nodes killed, frozen, or restarting and not yet running again.
    const down = new Set<number>()
    const faults: FaultInjector = { apply: async action => applyFault(action, nodes, net, start, down), isUp: i => !down.has(i) }
    const run = await driveAndSummarize(plan, {
      endpoints: Array.from({ length: n }, (_, i) => ({ grpc: `${net.ip(i)}:${GRPC_PORT}` })),
      token,
      faults,
      memory: () => rssOf(nodes.flatMap(p => p?.pid === undefined || p.exitCode !== null || p.signalCode !== null ? [] : [p.pid]))
    }, options.onProgress)
    run.summary.traces = { ...run.summary.traces, [`links-${links}`]: 1 }
    return { ...run, links }
  } catch (err) {
    if (stopping !== undefined) await stopping
    if (options.logsOnFailure !== undefined) {
      await cp(dir, options.logsOnFailure, { recursive: true, filter: src => !src.includes('/data-') }).catch(() => {})
      process.stderr.write(`testbed: the nodes' logs are in ${options.logsOnFailure}\n`)
    }
    throw err
  } finally {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
    await cleanup()
  }
}

/** Applies one fault action locally: signals to node processes, iptables in their namespaces. */
async function applyFault (action: FaultAction, nodes: Array<ChildProcess | undefined>, net: TestbedNetwork, start: (i: number) => Promise<void>, down: Set<number>): Promise<void> {
  switch (action.kind) {
    case 'kill':
      for (const i of action.nodes) down.add(i)
      await Promise.all(action.nodes.map(async i => { nodes[i]?.kill('SIGKILL'); if (nodes[i] !== undefined) await exited(nodes[i]) }))
      return
    case 'stop':
      for (const i of action.nodes) { down.add(i); nodes[i]?.kill('SIGSTOP') }
      return
    case 'cont':
      for (const i of action.nodes) { nodes[i]?.kill('SIGCONT'); down.delete(i) }
      return
    case 'start':
      await Promise.all(action.nodes.map(async i => { await start(i); down.delete(i) }))
      return
    case 'cut':
      await Promise.all([...action.blocked].map(async ([i, blocked]) => net.block(i, blocked)))
  }
}
