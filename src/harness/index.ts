/**
 * Starts N real Sorcha nodes in one process, on 127.0.0.1 with ephemeral TCP ports and throwaway data
 * directories, and stops them all cleanly. Used by integration tests, benchmarks and the simulator's
 * real-node mode.
 *
 * Every node exempts loopback from the inbound admission limits (`connections.allow`): all nodes share
 * the one source IP 127.0.0.1, which in a real deployment would be many IPs.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Multiaddr } from '@multiformats/multiaddr'
import { resolveConfig, type Config, type ConfigInput } from '../config/index.ts'
import { SorchaNode, type ServiceContribution } from '../node/sorcha-node.ts'

/** Options for a test network. */
export interface NetworkOptions {
  /** How many nodes to start. */
  nodes: number
  /** Which nodes the others bootstrap from: the first node (default), or none. */
  bootstrap?: 'first' | 'none'
  /** Configuration applied to every node (merged over the harness defaults). */
  config?: ConfigInput
  /** Per-node configuration, by index, merged last. */
  configFor?: (index: number) => ConfigInput
  /** Feature services for every node. @default the standard node's (defaultContributions) */
  contributions?: ServiceContribution[]
  /** Nodes started at once after the bootstrap node. @default 10 */
  startConcurrency?: number
  /** Called with each node after it is created and before it starts (to attach listeners). */
  onCreate?: (node: SorchaNode) => void
}

/** A set of running nodes and their throwaway directories. */
export interface TestNetwork {
  readonly nodes: SorchaNode[]
  readonly root: string
  /** Dialable addresses of the bootstrap node, with /p2p/ suffix; empty without one. */
  readonly bootstrapAddrs: string[]
  /** Creates and starts one more node, bootstrapping like the others. */
  addNode: (config?: ConfigInput) => Promise<SorchaNode>
  /** Creates (but does not start) a node in the network's directory, for restart tests. */
  createNode: (name: string, config?: ConfigInput) => Promise<SorchaNode>
  /** Stops every node and deletes the directories. Idempotent. */
  stop: () => Promise<void>
}

const HARNESS_DEFAULTS: ConfigInput = {
  listen: ['/ip4/127.0.0.1/tcp/0'],
  connections: { allow: ['/ip4/127.0.0.0/ipcidr/8'] },
  // The app API and the operations and metrics listeners are off unless a test turns them on, on ephemeral ports.
  gateway: { enabled: false, grpc: { port: 0 }, rest: { port: 0 } },
  ops: { enabled: false, port: 0 },
  metrics: { enabled: false, port: 0 },
  log: { level: 'silent' }
}

const isMapping = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

function mergeInto (target: Record<string, unknown>, layer: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(layer)) {
    const prev = target[key]
    if (isMapping(value) && isMapping(prev)) {
      const copy = { ...prev }
      mergeInto(copy, value)
      target[key] = copy
    } else {
      target[key] = value
    }
  }
}

/** Deep-merges configuration layers, later ones winning; lists are replaced, not concatenated. */
function merge (...layers: Array<ConfigInput | undefined>): ConfigInput {
  const out: Record<string, unknown> = {}
  for (const layer of layers) mergeInto(out, (layer ?? {}) as Record<string, unknown>)
  return out as ConfigInput
}

/** The config a harness node gets: harness defaults < options.config < per-node < extra. */
export function harnessConfig (dataDir: string, ...layers: Array<ConfigInput | undefined>): Readonly<Config> {
  return resolveConfig({ file: { path: 'harness', data: merge(HARNESS_DEFAULTS, ...layers, { dataDir }) } })
}

/** Dialable addresses of a started node (loopback, with /p2p/). */
export function dialAddrs (node: SorchaNode): string[] {
  return node.libp2p.getMultiaddrs().map((ma: Multiaddr) => ma.toString())
}

async function mapLimit<T, R> (items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length)
  let next = 0
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++
      out[i] = await fn(items[i] as T)
    }
  }))
  return out
}

/** Starts a network of real nodes. */
export async function startNetwork (options: NetworkOptions): Promise<TestNetwork> {
  const root = await mkdtemp(join(tmpdir(), 'sorcha-net-'))
  const nodes: SorchaNode[] = []
  let bootstrapAddrs: string[] = []
  let stopped = false
  let counter = 0

  const createNode = async (name: string, config?: ConfigInput): Promise<SorchaNode> =>
    SorchaNode.create(harnessConfig(join(root, name), options.config, config), options.contributions === undefined ? {} : { contributions: options.contributions })

  const launch = async (index: number, extra?: ConfigInput): Promise<SorchaNode> => {
    const perNode = options.configFor?.(index)
    const boot = bootstrapAddrs.length > 0 ? { bootstrap: bootstrapAddrs } : undefined
    const node = await createNode(`node-${index}`, merge(boot, perNode, extra))
    options.onCreate?.(node)
    await node.start()
    return node
  }

  try {
    const first = await launch(counter++)
    nodes.push(first)
    if (options.bootstrap !== 'none') bootstrapAddrs = dialAddrs(first)
    const rest = Array.from({ length: options.nodes - 1 }, () => counter++)
    nodes.push(...await mapLimit(rest, options.startConcurrency ?? 10, async i => launch(i)))
  } catch (err) {
    await Promise.allSettled(nodes.map(async n => n.stop()))
    await rm(root, { recursive: true, force: true })
    throw err
  }

  return {
    nodes,
    root,
    get bootstrapAddrs () { return bootstrapAddrs },
    createNode,
    addNode: async config => {
      const node = await launch(counter++, config)
      nodes.push(node)
      return node
    },
    stop: async () => {
      if (stopped) return
      stopped = true
      await Promise.allSettled(nodes.map(async n => n.stop()))
      await rm(root, { recursive: true, force: true })
    }
  }
}
