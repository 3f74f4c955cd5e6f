/**
 * One scenario of the failure campaign (testbed-failures.ts): runs it on the local testbed, asks the
 * nodes up at the end for their transaction events before they stop, and measures the recovery from
 * the scenario's last fault (testbed-failures.ts says what).
 */
import { SorchaClient } from '../../src/client/index.ts'
import type { Summary } from '../../simulations/report/summary.ts'
import type { Scenario } from '../../simulations/scenario/schema.ts'
import { runLocal } from '../../simulations/testbed/local/run-local.ts'
import { completionAfter, fetchEvents, holdTimes, publishedBefore, recoveryFault, type AppliedFault, type NodeEvent } from '../../simulations/testbed/measures.ts'
import { load } from './testbed-common.ts'

/** Recovery from a scenario's last fault. */
export interface Recovery {
  /** Which fault: `partition heals`, `SIGCONT`, `crash`. */
  from: string
  /** From the moment the fault was applied until the nodes held every transaction published before it; null if some never did. */
  ms: number | null
  /** How long applying the fault took (this process's clock). */
  applyMs: number
  /** Transactions published before it. */
  txs: number
  /** (node, transaction) pairs never held. */
  missing: number
  /** Nodes measured. */
  nodes: number
}

/** One scenario's figures. */
export interface FailureResult {
  scenario: string
  nodes: number
  liveAtEnd: number
  transactions: number
  ratePerSec: number
  latency: string
  links: string
  deliveredFraction: number
  allReachedFraction: number
  latencyMsP50: number | null
  latencyMsP99: number | null
  bytesPerTxPerNode: number
  receiptsFoundAtEnd: number
  /** Transactions submitted more than once (a node died, restarted or froze under the call). */
  submitRetried: number
  /** Nodes up at the end by the plan whose gateway did not answer at the end (died on their own). */
  unreachableAtEnd: number[]
  submitFailed: number
  recovery: Recovery | undefined
  /** From the first namespace to every node running, s. */
  startSec: number
  runSec: number
  loadBefore: number[]
  loadAfter: number[]
}

/** Runs one failure scenario file. */
export async function runFailureScenario (name: string, scenario: Scenario, options: { progress: boolean }): Promise<FailureResult> {
  const say = (line: string): void => { process.stderr.write(`testbed-failures: ${name}: ${line}\n`) }
  const faults: AppliedFault[] = []
  const events = new Map<number, NodeEvent[]>()
  const unreachable: number[] = []
  const loadBefore = load()
  const t0 = Date.now()
  let startSec = 0
  let lastProgress = 0
  say(`${scenario.nodes} nodes, ${scenario.workload.transactions} transactions at ${scenario.workload.ratePerSec}/s`)
  const run = await runLocal(scenario, {
    logsOnFailure: `.testbed-out/${scenario.name}/logs`,
    onStarted: ({ links, pids }) => { startSec = (Date.now() - t0) / 1000; say(`${pids.length} nodes running after ${startSec.toFixed(1)} s, links by ${links}`) },
    onFault: (action, startedAt, doneAt) => {
      faults.push({ action, startedAt, doneAt })
      if (options.progress || action.kind !== 'kill' || action.why !== 'restart') say(`${action.kind} (${action.why}) applied in ${doneAt - startedAt} ms`)
    },
    onProgress: options.progress ? (nowMs, totalMs, receipts) => { if (nowMs - lastProgress >= 10_000) { lastProgress = nowMs; say(`${Math.round(nowMs / 1000)} s, ${receipts} receipts`) } } : undefined,
    afterDrive: async (tb, live) => {
      await Promise.all(live.map(async i => {
        const client = new SorchaClient({ endpoints: tb.endpoint(i), token: tb.token, timeoutMs: 30_000 })
        // A node that died meanwhile (the freeze's node once crashed on SIGCONT) has no events: its pairs count as missing.
        try { events.set(i, await fetchEvents(client, ['tx_published', 'tx_received'])) } catch { unreachable.push(i) } finally { client.close() }
      }))
    }
  })
  const summary: Summary = run.summary
  const live = [...run.result.liveAtEnd]
  const which = recoveryFault(faults, live)
  let recovery: Recovery | undefined
  if (which !== undefined) {
    const moment = which.fault.startedAt
    const txs = publishedBefore(live.map(i => events.get(i) ?? []), moment)
    const c = completionAfter(which.nodes.map(i => holdTimes(events.get(i) ?? [])), txs, moment)
    recovery = { from: which.from, ms: c.ms, applyMs: which.fault.doneAt - which.fault.startedAt, txs: txs.size, missing: c.missing, nodes: which.nodes.length }
  }
  const latency = scenario.latency.kind === 'preset' ? `${scenario.latency.name} ${scenario.latency.mode}, jitter ${scenario.latency.jitterMs} ms` : JSON.stringify(scenario.latency)
  return {
    scenario: scenario.name,
    nodes: scenario.nodes,
    liveAtEnd: summary.liveNodesAtEnd,
    transactions: summary.transactions,
    ratePerSec: scenario.workload.ratePerSec,
    latency,
    links: run.links,
    deliveredFraction: summary.deliveredFraction,
    allReachedFraction: summary.allReachedFraction,
    latencyMsP50: summary.latencyMs.p50,
    latencyMsP99: summary.latencyMs.p99,
    bytesPerTxPerNode: summary.bytesPerTxPerNode,
    receiptsFoundAtEnd: summary.traces['receipts-found-at-end'] ?? 0,
    submitRetried: summary.traces['submit-retried'] ?? 0,
    unreachableAtEnd: unreachable,
    submitFailed: summary.traces['submit-failed'] ?? 0,
    recovery,
    startSec: Math.round(startSec * 10) / 10,
    runSec: Math.round((Date.now() - t0) / 100) / 10,
    loadBefore,
    loadAfter: load()
  }
}
