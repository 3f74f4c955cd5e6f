/**
 * Register scenarios (issue 20; protocols/tx-gossip/SPEC.md §3.7): which registers each node serves,
 * which register each transaction belongs to, and the links that keep each register's serving nodes
 * connected. Everything is a pure function of the node index, the transaction index and the seed:
 * no per-node state is kept, so scenarios without registers pay nothing.
 *
 * Layout: nodes 0 .. relays-1 relay every register; node i ≥ relays serves registers
 * (i·serve + k) mod count for k < serve, so each register is served by about nodes·serve/count nodes.
 * A transaction published by node p is of one of p's registers (transaction index mod serve), or of
 * register (index mod count) if p is a relay.
 */
import type { Rng } from '../../protocols/common/rng.ts'
import type { RegisterSet } from '../../protocols/tx-gossip/index.ts'
import { ScenarioError } from '../scenario/errors.ts'

/** A register scenario's parameters (protocol.params.registers). */
export interface RegisterLayout {
  /** Registers in the network. */
  readonly count: number
  /** Registers each node serves. */
  readonly serve: number
  /** Nodes (the first ones) that relay every register (gossip.relayAllRegisters). */
  readonly relays: number
  /** Links each serving node gets within each register it serves, on top of the scenario's topology (a ring gives 2, the rest random chords). */
  readonly degree: number
  /** Every node serves every register (the baseline of the same run: same topology, same transactions). */
  readonly allServe: boolean
}

const names: string[] = []
/** The name of register `r`. */
export const registerName = (r: number): string => (names[r] ??= `r${r}`)

/** Checks `protocol.params.registers`; undefined when absent. */
export function parseRegisterLayout (raw: unknown, key: string): RegisterLayout | undefined {
  if (raw === undefined) return undefined
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ScenarioError('scenario', key, raw, 'a map { count, serve, relays, degree, allServe }')
  const { count = 100, serve = 2, relays = 0, degree = 4, allServe = false, ...rest } = raw as Partial<RegisterLayout>
  const extra = Object.keys(rest)[0]
  if (extra !== undefined) throw new ScenarioError('scenario', `${key}.${extra}`, (rest as Record<string, unknown>)[extra], 'one of count, serve, relays, degree, allServe')
  const int = (v: unknown, min: number, max: number, name: string): number => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw new ScenarioError('scenario', `${key}.${name}`, v, `an integer from ${min} to ${max}`)
    return v
  }
  if (typeof allServe !== 'boolean') throw new ScenarioError('scenario', `${key}.allServe`, allServe, 'true or false')
  const c = int(count, 1, 100_000, 'count')
  return { count: c, serve: int(serve, 1, c, 'serve'), relays: int(relays, 0, 1_000_000, 'relays'), degree: int(degree, 2, 64, 'degree'), allServe }
}

/** The register layout of a plan's protocol parameters, if it is a register scenario. */
export function layoutOf (plan: { readonly protocolParams: unknown }): RegisterLayout | undefined {
  return parseRegisterLayout((plan.protocolParams as { registers?: unknown } | undefined)?.registers, 'protocol.params.registers')
}

/** The registers node `node` serves (what its core is told, and its peer record says). */
export function servedBy (layout: RegisterLayout, node: number): RegisterSet {
  if (layout.allServe || node < layout.relays) return 'all'
  const out: string[] = []
  for (let k = 0; k < layout.serve; k++) out.push(registerName((node * layout.serve + k) % layout.count))
  return out
}

/** The register (its number) of transaction `index` published by `publisher`: one the publisher serves. */
export function registerIndexOfTx (layout: RegisterLayout, publisher: number, index: number): number {
  if (publisher < layout.relays) return index % layout.count
  return (publisher * layout.serve + index % layout.serve) % layout.count
}

/** The register of transaction `index` published by `publisher`. */
export function registerOfTx (layout: RegisterLayout, publisher: number, index: number): string {
  return registerName(registerIndexOfTx(layout, publisher, index))
}

/** The non-relay nodes among the first `nodes` serving each register. */
export function registerMembers (layout: RegisterLayout, nodes: number): number[][] {
  const members = Array.from({ length: layout.count }, (): number[] => [])
  for (let i = layout.relays; i < nodes; i++) {
    for (let k = 0; k < layout.serve; k++) members[(i * layout.serve + k) % layout.count]!.push(i)
  }
  return members
}

/**
 * The links that keep each register's sub-mesh connected: within each register, its serving nodes
 * in a ring (connected by construction) plus degree - 2 random chords each (a random graph on top of
 * the ring: short paths); and each relay to one serving node of every register. `add(a, b)` adds a link if new and allowed (NAT: one public end).
 */
export function addRegisterLinks (layout: RegisterLayout, nodes: number, rng: Rng, add: (a: number, b: number) => void): void {
  for (const members of registerMembers(layout, nodes)) {
    const n = members.length
    // Each relay (a bootstrap node) is linked to one serving node of every register, so that it
    // carries them all.
    for (let relay = 0; relay < Math.min(layout.relays, nodes) && n > 0; relay++) add(relay, members[rng.int(n)]!)
    if (n < 2) continue
    for (let k = 0; k < n; k++) {
      add(members[k]!, members[(k + 1) % n]!)
      for (let c = 2; c < layout.degree && n > 3; c += 2) add(members[k]!, members[rng.int(n)]!)
    }
  }
}

/** A register run's figures (summary.json `registers`). */
export interface RegisterSummary {
  count: number
  serve: number
  relays: number
  degree: number
  allServe: boolean
  /** (transaction, live node serving its register) pairs, relays aside. */
  servingPairs: number
  /** Of those, delivered. */
  deliveredFraction: number
  /** (transaction, relay) pairs delivered, over transactions × live relays. */
  relayDeliveredFraction: number
  /** Deliveries at live nodes that neither serve the transaction's register nor relay (0: no such node fetched one). */
  deliveredElsewhere: number
  /** Bytes sent in the run per live node (every byte sent is received by one node: the mean bytes a node received). */
  bytesPerNode: number
}

/** Delivery to serving nodes in a finished register run. */
export function summarizeRegisters (
  layout: RegisterLayout,
  run: { nodes: number, published: number, publisherOf: ArrayLike<number>, has: (node: number, tx: number) => boolean, liveAtEnd: ArrayLike<number>, bytes: number }
): RegisterSummary {
  const members = registerMembers(layout, run.nodes)
  const serving = members.map(list => new Set(list))
  let pairs = 0
  let got = 0
  let elsewhere = 0
  let relayPairs = 0
  let relayGot = 0
  for (let t = 0; t < run.published; t++) {
    const publisher = run.publisherOf[t]!
    if (publisher < 0) continue
    const register = serving[registerIndexOfTx(layout, publisher, t)]!
    for (let i = 0; i < run.liveAtEnd.length; i++) {
      const node = run.liveAtEnd[i]!
      const has = run.has(node, t)
      if (!layout.allServe && node < layout.relays) {
        relayPairs++
        if (has) relayGot++
      } else if (layout.allServe || register.has(node)) {
        pairs++
        if (has) got++
      } else if (has) {
        elsewhere++
      }
    }
  }
  const { count, serve, relays, degree, allServe } = layout
  return {
    count, serve, relays, degree, allServe,
    servingPairs: pairs,
    deliveredFraction: pairs === 0 ? 0 : Math.round(got / pairs * 1e6) / 1e6,
    relayDeliveredFraction: relayPairs === 0 ? 0 : Math.round(relayGot / relayPairs * 1e6) / 1e6,
    deliveredElsewhere: elsewhere,
    bytesPerNode: run.liveAtEnd.length === 0 ? 0 : Math.round(run.bytes / run.liveAtEnd.length)
  }
}
