/**
 * `npm run bench -- gossip --nodes 100 --tx 500 --size 512 --strategy sorcha|gossipsub|both --json`
 *
 * Real nodes in one process (the harness), one network per strategy, each over the same random graph
 * (--degree, --seed) with the DHT and AutoNAT stopped so nobody dials anyone else (everything else,
 * health checks and the connection watch included, runs as in any node); the same publishers
 * and payloads in the same order at --rate transactions per second (default 5: all 100 nodes share
 * one event loop, so a faster rate measures that loop's queueing rather than the protocol). Measured
 * per strategy: deliveredFraction (distinct deliveries / (tx x (nodes-1))), latency percentiles
 * (publish call to each node's 'tx:received', same process clock), bytesSentPerTxPerNode (every byte
 * written on the strategy's streams, control included, from the first publish to the end, / tx /
 * nodes), copiesPerNode (full bodies received / (tx x (nodes-1))), cpuSeconds (process CPU over the
 * same window) and loopUtilization (share of that window the one event loop was busy). The last
 * stdout line is one JSON object keyed by strategy.
 *
 * `--registers R --serve S` (issue 20): transactions spread over R registers, each node serving S of
 * them, over the random graph plus a ring and chords within each register's serving nodes. Each
 * strategy runs twice on the same graph and work: scoped (each node serves its S) and all-registers
 * (every node serves all, registers: []). Reported per strategy: `scoped` and `all` figures
 * (deliveredFraction counts the serving nodes only), `bytesPerNodeRatio` (scoped / all bytes
 * received per node) and `servedShare` (S / R, the ideal ratio); at the top, sorcha's
 * `deliveredFraction` and `bytesPerNodeRatio`, with gossipsub's ratio beside them.
 */
import { benchArgs, intArg } from './args.ts'
import { runStrategy, type BenchOptions } from './gossip-run.ts'

export default async function gossip (args: string[]): Promise<void> {
  const opts = benchArgs(args, {
    nodes: { type: 'string', default: '100' },
    tx: { type: 'string', default: '500' },
    size: { type: 'string', default: '512' },
    strategy: { type: 'string', default: 'both' },
    degree: { type: 'string', default: '8' },
    rate: { type: 'string', default: '5' },
    seed: { type: 'string', default: '1' },
    'settle-ms': { type: 'string', default: '30000' },
    fanout: { type: 'string', default: '' },
    'gossipsub-stock': { type: 'boolean', default: false },
    registers: { type: 'string', default: '0' },
    serve: { type: 'string', default: '2' },
    json: { type: 'boolean', default: false }
  })
  if (!['sorcha', 'gossipsub', 'both'].includes(opts.strategy)) {
    process.stderr.write('--strategy must be sorcha, gossipsub or both\n')
    process.exit(2)
  }
  const options: BenchOptions = {
    nodes: intArg('nodes', opts.nodes),
    tx: intArg('tx', opts.tx),
    size: intArg('size', opts.size),
    degree: intArg('degree', opts.degree),
    rate: intArg('rate', opts.rate),
    seed: intArg('seed', opts.seed),
    settleMs: intArg('settle-ms', opts['settle-ms']),
    gossipsubStock: opts['gossipsub-stock'],
    fanout: opts.fanout === '' ? undefined : intArg('fanout', opts.fanout),
    registers: intArg('registers', opts.registers),
    serve: intArg('serve', opts.serve)
  }
  const strategies = opts.strategy === 'both' ? ['sorcha', 'gossipsub'] as const : [opts.strategy as 'sorcha' | 'gossipsub']
  const summary: Record<string, unknown> = {}
  if ((options.registers ?? 0) > 0) {
    for (const strategy of strategies) {
      const scoped = await runStrategy(strategy, options)
      process.stderr.write(`${strategy} scoped: ${JSON.stringify(scoped)}\n`)
      const all = await runStrategy(strategy, { ...options, allRegisters: true })
      process.stderr.write(`${strategy} all registers: ${JSON.stringify(all)}\n`)
      const ratio = Math.round(scoped.bytesPerNode! / all.bytesPerNode! * 1000) / 1000
      summary[strategy] = { scoped, all, bytesPerNodeRatio: ratio, servedShare: Math.min(options.serve ?? 2, options.registers!) / options.registers! }
    }
    const of = (strategy: string): { scoped: { deliveredFraction: number }, bytesPerNodeRatio: number } | undefined => summary[strategy] as never
    if (of('sorcha') !== undefined) Object.assign(summary, { deliveredFraction: of('sorcha')!.scoped.deliveredFraction, bytesPerNodeRatio: of('sorcha')!.bytesPerNodeRatio })
    if (of('gossipsub') !== undefined) Object.assign(summary, { gossipsubDeliveredFraction: of('gossipsub')!.scoped.deliveredFraction, gossipsubBytesPerNodeRatio: of('gossipsub')!.bytesPerNodeRatio })
    console.log(JSON.stringify(summary))
    return
  }
  for (const strategy of strategies) {
    const result = await runStrategy(strategy, options)
    summary[strategy] = result
    process.stderr.write(`${strategy}: ${JSON.stringify(result)}\n`)
  }
  if (summary.sorcha !== undefined && summary.gossipsub !== undefined) {
    const s = summary.sorcha as { bytesSentPerTxPerNode: number }
    const g = summary.gossipsub as { bytesSentPerTxPerNode: number }
    process.stderr.write(`bytes ratio sorcha/gossipsub: ${(s.bytesSentPerTxPerNode / g.bytesSentPerTxPerNode).toFixed(3)}\n`)
  }
  console.log(JSON.stringify(summary))
}
