/**
 * How the local testbed gives every directed link its delay, jitter and loss:
 *
 * - netem: on each node's eth0, an htb class per destination with a netem qdisc
 *   (`delay <base>ms <jitter>ms loss <p>%`), chosen by a u32 filter on the destination address;
 *   traffic to the host (the driver's gateway calls) goes to the default class, undelayed. Per packet,
 *   as the kernel does it. Needs the kernel's sch_netem and sch_htb.
 * - relay: where the kernel has no netem, a userspace link emulator (simulations/testbed/local/relay.ts) in each
 *   node's namespace. iptables REDIRECTs the node's connections to another node's p2p port (4100) to
 *   a relay port for that destination; the relay forwards them to the destination's second, relay-only
 *   listener (4101), delaying each direction's data by that directed link's model. See docs/testbed.md
 *   for what it cannot emulate (it delays TCP segments as the relay reads them, not packets; loss
 *   becomes a retransmission delay).
 */
import { ScenarioError } from '../../scenario/errors.ts'
import type { LinkSpec } from '../plan.ts'
import { sh } from './netns.ts'

/** The p2p port every node listens on and announces. */
export const P2P_PORT = 4100
/** The second p2p port, which only relays dial (relay mode). */
export const RELAY_TARGET_PORT = 4101
/** Relay ports in each namespace: RELAY_PORT_BASE + destination index. */
export const RELAY_PORT_BASE = 20000
/** A lost segment costs at least Linux's minimum retransmission timeout. */
export const MIN_RTO_MS = 200

/** How links are emulated. */
export type LinkEmulation = 'netem' | 'relay'

/** True where `tc qdisc ... netem` works (probed in a scratch namespace). */
export async function netemAvailable (probeNs: string): Promise<boolean> {
  try {
    await sh('ip', 'netns', 'exec', probeNs, 'tc', 'qdisc', 'add', 'dev', 'lo', 'root', 'netem', 'delay', '1ms')
    await sh('ip', 'netns', 'exec', probeNs, 'tc', 'qdisc', 'del', 'dev', 'lo', 'root')
    return true
  } catch {
    return false
  }
}

/** Chooses the emulation for `wanted`; a scenario that insists on netem where there is none is refused. */
export function chooseEmulation (wanted: 'auto' | 'netem' | 'relay', hasNetem: boolean, scenario: string): LinkEmulation {
  if (wanted === 'relay') return 'relay'
  if (hasNetem) return 'netem'
  if (wanted === 'netem') throw new ScenarioError(scenario, 'testbed.links', 'netem', 'auto or relay here: this kernel has no sch_netem (tc qdisc add ... netem: "Specified qdisc kind is unknown")')
  return 'relay'
}

const pct = (p: number): string => `${Math.round(p * 1e6) / 1e4}%`

/**
 * The tc commands (arguments after `tc`) that give node `from`'s outgoing links their netem model;
 * `ipOf(j)` is node j's address. Class ids are hex, 1:10 + j.
 */
export function netemCommands (from: number, nodes: number, ipOf: (j: number) => string, link: (i: number, j: number) => LinkSpec): string[][] {
  const out: string[][] = [
    ['qdisc', 'add', 'dev', 'eth0', 'root', 'handle', '1:', 'htb', 'default', '1'],
    ['class', 'add', 'dev', 'eth0', 'parent', '1:', 'classid', '1:1', 'htb', 'rate', '10gbit']
  ]
  for (let j = 0; j < nodes; j++) {
    if (j === from) continue
    const l = link(from, j)
    const id = (0x10 + j).toString(16)
    // netem's jitter is uniform ± around the delay: base + U[0, jitterMs) is (base + jitter/2) ± jitter/2.
    const netem = ['netem', 'delay', `${l.baseMs + l.jitterMs / 2}ms`]
    if (l.jitterMs > 0) netem.push(`${l.jitterMs / 2}ms`)
    if (l.lossRate > 0) netem.push('loss', pct(l.lossRate))
    out.push(
      ['class', 'add', 'dev', 'eth0', 'parent', '1:', 'classid', `1:${id}`, 'htb', 'rate', '10gbit'],
      ['qdisc', 'add', 'dev', 'eth0', 'parent', `1:${id}`, 'handle', `${id}:`, ...netem],
      ['filter', 'add', 'dev', 'eth0', 'protocol', 'ip', 'parent', '1:', 'prio', '1', 'u32', 'match', 'ip', 'dst', `${ipOf(j)}/32`, 'flowid', `1:${id}`]
    )
  }
  return out
}

/** One relay listener: what a node's connections to one destination go through. */
export interface RelayRoute {
  /** Listens on 127.0.0.1:port in the source node's namespace. */
  port: number
  host: string
  targetPort: number
  /** Data from the source node to the destination. */
  up: LinkSpec
  /** Data back. */
  down: LinkSpec
}

/** The relay process's configuration (JSON on its command line). */
export interface RelayConfig {
  seed: number
  routes: RelayRoute[]
}

/** The relay routes of node `from`, and the iptables-restore input that sends its p2p dials through them. */
export function relaySetup (from: number, nodes: number, ipOf: (j: number) => string, link: (i: number, j: number) => LinkSpec, seed: number): { config: RelayConfig, nat: string } {
  const routes: RelayRoute[] = []
  const rules: string[] = []
  for (let j = 0; j < nodes; j++) {
    if (j === from) continue
    const port = RELAY_PORT_BASE + j
    routes.push({ port, host: ipOf(j), targetPort: RELAY_TARGET_PORT, up: link(from, j), down: link(j, from) })
    rules.push(`-A OUTPUT -d ${ipOf(j)}/32 -p tcp --dport ${P2P_PORT} -j REDIRECT --to-ports ${port}`)
  }
  return { config: { seed: seed * 1000 + from, routes }, nat: ['*nat', ...rules, 'COMMIT', ''].join('\n') }
}
