/**
 * The local testbed's life cycle, shared by a scenario run (run-local.ts) and the benchmarks that
 * start nodes in their own order (test/bench/testbed-discovery.ts): the namespaces on a bridge, the
 * link emulation (netem or the relay), the nodes' identities and configurations, a start function
 * per node, and cleanup of every namespace and process at the end, on failure, and on SIGINT or
 * SIGTERM (exit 130/143). A run first sweeps what runs whose process is gone left behind (netns.ts).
 */
import type { ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { cp, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { loadOrCreateIdentity } from '../../../src/node/identity.ts'
import type { Scenario } from '../../scenario/schema.ts'
import { testbedPlan, type TestbedPlan } from '../plan.ts'
import { chooseEmulation, netemAvailable, netemCommands, P2P_PORT, RELAY_TARGET_PORT, relaySetup, type LinkEmulation } from './links.ts'
import { shWithInput, sweepStale, TestbedNetwork } from './netns.ts'
import { deepMerge, exited, startNode, startRelayProcess, writeNodeConfig } from './nodes.ts'

/** How long cleanup waits for SIGKILLed processes to be gone before removing their namespaces. */
const KILL_WAIT_MS = 5_000

/** The gateway ports every node listens on, in its own namespace. */
export const GRPC_PORT = 4200
export const REST_PORT = 4280

/** The local testbed cannot run on this machine (not root, not Linux, a tool missing). */
export class TestbedUnavailableError extends Error {
  override name = 'TestbedUnavailableError'
}

/** Why the local testbed cannot run here, or undefined. */
export function localUnavailable (platform: NodeJS.Platform = process.platform, uid = process.getuid?.()): string | undefined {
  if (platform !== 'linux') return 'the local testbed needs Linux (network namespaces)'
  if (uid !== 0) return 'the local testbed needs root (network namespaces, veth, iptables): run it as root'
  return undefined
}

/** Options of a local testbed. */
export interface LocalTestbedOptions {
  /** Where the nodes' and relays' logs are copied when the run fails (they are removed with the run directory otherwise). */
  logsOnFailure?: string
  /** Told once the namespaces exist: the run directory (configs and logs; removed at the end). */
  onNetwork?: (info: { dir: string, namespaces: number }) => void
  /** Changes node i's configuration (after the scenario's testbed.nodeConfig is merged over it). */
  nodeConfig?: (i: number, config: Record<string, unknown>) => Record<string, unknown>
  /** How long a node may take to start (default START_TIMEOUT_MS: 120 s). */
  startTimeoutMs?: number
}

/** A local testbed whose namespaces, links and node configurations are ready; nodes start on demand. */
export interface LocalTestbed {
  readonly plan: TestbedPlan
  readonly net: TestbedNetwork
  /** The run directory (configurations, logs, data). */
  readonly dir: string
  /** The gateways' API token. */
  readonly token: string
  readonly links: LinkEmulation
  /** Each node's peer id. */
  readonly peerIds: readonly string[]
  /** Node i's process once started (the last one, after a restart). */
  readonly nodes: Array<ChildProcess | undefined>
  /** Starts node i (again, after a kill: same identity and data); resolves once it logs that it runs. */
  start: (i: number) => Promise<ChildProcess>
  /** Node i's gRPC gateway, reachable from the host. */
  endpoint: (i: number) => { grpc: string }
  /** Node i's p2p address with its peer id. */
  address: (i: number) => string
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

/** The processes of `spawned` that have not exited. */
const living = (spawned: Set<ChildProcess>): ChildProcess[] => [...spawned].filter(p => p.exitCode === null && p.signalCode === null)

/**
 * Builds the scenario's testbed, runs `body` on it, and removes everything it created, whatever
 * happens. Throws TestbedUnavailableError where it cannot run, ScenarioError for what it cannot run.
 */
export async function withLocalTestbed<T> (scenario: Scenario, options: LocalTestbedOptions, body: (tb: LocalTestbed) => Promise<T>): Promise<T> {
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
    const configs = await Promise.all(Array.from({ length: n }, async (_, i) => {
      const config = deepMerge(nodeConfig(net, plan, i, dir, peerIds, token, links), scenario.testbed.nodeConfig)
      return writeNodeConfig(dir, i, options.nodeConfig?.(i, config) ?? config)
    }))
    return await body({
      plan,
      net,
      dir,
      token,
      links,
      peerIds,
      nodes,
      start: async i => (nodes[i] = await startNode(dir, net.ns(i), i, configs[i]!, track, options.startTimeoutMs)),
      endpoint: i => ({ grpc: `${net.ip(i)}:${GRPC_PORT}` }),
      address: i => `/ip4/${net.ip(i)}/tcp/${P2P_PORT}/p2p/${peerIds[i]}`
    })
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
