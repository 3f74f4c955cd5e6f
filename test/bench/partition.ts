/**
 * Long-partition benchmark (issue 16): `npm run bench -- partition [--json] [--txs N] [--nodes N] [--payload B]`.
 * Real nodes in one process split in two halves (test/support/partition.ts: peer-list bans and the
 * connection gater, one cross link per pair), N transactions published on each side while split,
 * then healed; prints healMs (from lifting the bans to every node holding every transaction),
 * publishMs, reconciliation's sessions, needs and bytes, the summary object as the last line.
 * Target: healMs within 10 s for 10 nodes × 10,000 transactions per side (the defaults).
 */
import { parseArgs } from 'node:util'
import { loadavg } from 'node:os'
import { createRng } from '../../protocols/common/rng.ts'
import { peerHealthContribution } from '../../src/health/index.ts'
import { gossipContribution } from '../../src/gossip/index.ts'
import { startNetwork } from '../../src/harness/index.ts'
import { runPartition } from '../support/partition.ts'

/** Runs the benchmark with the arguments after its name. */
export default async function main (args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      json: { type: 'boolean', default: false },
      txs: { type: 'string', default: '10000' },
      nodes: { type: 'string', default: '10' },
      payload: { type: 'string', default: '200' }
    },
    strict: true
  })
  const nodes = Number(values.nodes)
  if (!(Number.isInteger(nodes) && nodes >= 2 && nodes % 2 === 0)) throw new Error('--nodes must be an even integer of at least 2')
  const net = await startNetwork({ nodes, bootstrap: 'none', contributions: [peerHealthContribution(), gossipContribution()] })
  try {
    const cpuBefore = process.cpuUsage()
    const load = loadavg()[0]
    const result = await runPartition(net.nodes, { txsPerSide: Number(values.txs), rng: createRng(16), payloadBytes: Number(values.payload), healTimeoutMs: 600_000 })
    const cpu = process.cpuUsage(cpuBefore)
    const summary = { nodes, ...result, cpuSeconds: (cpu.user + cpu.system) / 1e6, loadAverageAtStart: load, loadAverageAtEnd: loadavg()[0] }
    if (!values.json) console.log(`healed in ${result.healMs} ms (${nodes} nodes, ${result.txsPerSide} transactions per side; publishing took ${result.publishMs} ms)`)
    console.log(JSON.stringify(summary))
  } finally {
    await net.stop()
  }
}
