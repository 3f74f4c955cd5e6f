/**
 * Offline catch-up in the simulator (issue 16): `npm run bench -- offline [--json] [--nodes N] [--threads N|auto]`.
 * Runs simulations/scenarios/offline-10000.yaml (30 % of 10,000 nodes offline while 1,000
 * transactions are published, recent window 256) with reconciliation and without, and prints for
 * each: delivery to the returning nodes, total bytes, reconciliation's own bytes, wall seconds; the
 * last line is the summary object with the extra bytes reconciliation cost.
 */
import { parseArgs } from 'node:util'
import { loadScenarioFile } from '../../simulations/scenario/load.ts'
import { runSimulatedAsync } from '../../simulations/run.ts'

/** Runs the benchmark with the arguments after its name. */
export default async function main (args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      json: { type: 'boolean', default: false },
      nodes: { type: 'string' },
      threads: { type: 'string', default: 'auto' },
      scenario: { type: 'string', default: new URL('../../simulations/scenarios/offline-10000.yaml', import.meta.url).pathname }
    },
    strict: true
  })
  const threads = values.threads === 'auto' ? 'auto' : Number(values.threads)
  const runs: Record<string, unknown> = {}
  for (const reconcile of [true, false]) {
    const scenario = loadScenarioFile(values.scenario, { nodes: values.nodes === undefined ? undefined : Number(values.nodes) })
    scenario.protocol.params = { ...scenario.protocol.params, reconcile }
    const started = performance.now()
    const { summary } = await runSimulatedAsync(scenario, { sampleMemory: false, threads })
    const run = {
      offline: summary.offline,
      deliveredFraction: summary.deliveredFraction,
      duplicateDeliveries: summary.duplicateDeliveries,
      bytes: summary.bytes,
      reconcileBytes: summary.protocolBytes?.['tx-reconcile'] ?? 0,
      wallSeconds: Math.round((performance.now() - started) / 100) / 10
    }
    runs[reconcile ? 'withReconciliation' : 'without'] = run
    if (!values.json) console.log(`${reconcile ? 'with' : 'without'} reconciliation: ${JSON.stringify(run)}`)
  }
  const withIt = runs.withReconciliation as { bytes: number, reconcileBytes: number }
  const without = runs.without as { bytes: number }
  console.log(JSON.stringify({ scenario: values.scenario, ...runs, extraBytes: withIt.bytes - without.bytes }))
}
