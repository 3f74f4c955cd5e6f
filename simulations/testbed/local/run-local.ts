/**
 * The testbed's local mode: every node of a scenario as its own `sorcha-peer` process in its own
 * network namespace on a bridge, links delayed by netem or the relay (links.ts), the workload and
 * faults run by the shared driver (../driver.ts) through the nodes' gateways, faults applied with
 * signals and iptables. The namespaces, links, processes and their cleanup (at the end, on failure,
 * on SIGINT or SIGTERM) are testbed.ts's.
 */
import type { ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import type { SimRun } from '../../run.ts'
import type { Scenario } from '../../scenario/schema.ts'
import { driveAndSummarize, type FaultInjector } from '../driver.ts'
import type { FaultAction } from '../plan.ts'
import type { LinkEmulation } from './links.ts'
import type { TestbedNetwork } from './netns.ts'
import { exited } from './nodes.ts'
import { withLocalTestbed, type LocalTestbed, type LocalTestbedOptions } from './testbed.ts'

export { GRPC_PORT, localUnavailable, REST_PORT, TestbedUnavailableError } from './testbed.ts'

/** Node processes started at once. */
const START_CONCURRENCY = Math.max(2, availableParallelism())

/** Options of a local run. */
export interface LocalRunOptions extends Omit<LocalTestbedOptions, 'nodeConfig'> {
  onProgress?: (nowMs: number, totalMs: number, receipts: number) => void
  /** Told once the nodes run. */
  onStarted?: (info: { links: LinkEmulation, pids: number[] }) => void
  /** Told after each fault action is applied, with when its application began and ended (unix epoch ms). */
  onFault?: (action: FaultAction, startedAtMs: number, doneAtMs: number) => void
  /**
   * Called after the workload, while the nodes still run (before cleanup), with the testbed and the
   * nodes up at the end: to ask them what the report does not hold (their event logs, say).
   */
  afterDrive?: (tb: LocalTestbed, liveAtEnd: number[]) => Promise<void>
}

/** A finished local run. */
export type LocalRun = SimRun & { links: LinkEmulation }

/** Sum of the nodes' resident memory (from /proc). */
function rssOf (pids: number[]): { heapUsedMb: number, rssMb: number } {
  let kb = 0
  for (const pid of pids) {
    try { kb += Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) } catch { /* gone */ }
  }
  return { heapUsedMb: 0, rssMb: kb / 1024 }
}

/** Runs a scenario on the local testbed. */
export async function runLocal (scenario: Scenario, options: LocalRunOptions = {}): Promise<LocalRun> {
  return withLocalTestbed(scenario, options, async tb => {
    const n = tb.plan.run.nodes
    const { nodes, net, links } = tb
    const start = async (i: number): Promise<void> => { await tb.start(i) }
    // A few at a time: a node's start is seconds of CPU (module loading, key derivation), and all at
    // once on a small busy machine none of them got through within the timeout (20 nodes, 2 cores).
    let next = 0
    await Promise.all(Array.from({ length: Math.min(n, START_CONCURRENCY) }, async () => { while (next < n) await start(next++) }))
    options.onStarted?.({ links, pids: nodes.map(p => p!.pid!) })
    // Nodes killed, frozen, or restarting and not yet running again.
    const down = new Set<number>()
    const faults: FaultInjector = {
      apply: async action => {
        const startedAt = Date.now()
        await applyFault(action, nodes, net, start, down)
        options.onFault?.(action, startedAt, Date.now())
      },
      isUp: i => !down.has(i)
    }
    const run = await driveAndSummarize(tb.plan, {
      endpoints: Array.from({ length: n }, (_, i) => tb.endpoint(i)),
      token: tb.token,
      faults,
      memory: () => rssOf(nodes.flatMap(p => p?.pid === undefined || p.exitCode !== null || p.signalCode !== null ? [] : [p.pid]))
    }, options.onProgress)
    run.summary.traces = { ...run.summary.traces, [`links-${links}`]: 1 }
    await options.afterDrive?.(tb, [...run.result.liveAtEnd])
    return { ...run, links }
  })
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
