/**
 * Attack benchmark (issue 19 item 5):
 *
 *   npm run bench -- attack [--json] [--seconds 6] [--txs 60] [--seed 1] [--attacks clean,announce-flood,...]
 *
 * Real nodes in this process: an honest publisher and a target, plus one malicious peer
 * (test/support/attacker.ts) attached to the target, all with the default configuration (default
 * per-peer limits, default fetch scheduling). A clean run first: the publisher publishes `txs`
 * transactions (sizes drawn from `seed`: mostly 2 KB, one in ten 1 MiB, announced and pulled), the
 * attacker attached but silent. Then the same workload under each attack, sustained for `seconds`.
 * For each attack: honest `deliveredFraction` at the target, `p50Ms`/`p99Ms` of publish-to-receipt
 * and `p99Ratio` against the clean run, and `timeToThrottleMs` (attack start to the first offence the
 * target reports against the attacker, or the first refusal counted in sorcha_peer_throttled_total).
 * `timeToBanMs`: attack start to the target closing the attacker's connection (the reputation
 * service's disconnect or ban: src/reputation, with the node's default thresholds), null if it did
 * not happen within the attack.
 * Target (issue 19): deliveredFraction 1, p99Ratio at most 2.
 */
import { randomBytes } from 'node:crypto'
import { peerHealthContribution } from '../../src/health/index.ts'
import { createRng } from '../../protocols/common/rng.ts'
import { gossipContribution, gossipOf } from '../../src/gossip/index.ts'
import type { PeerLimits } from '../../src/limits/peer-limits.ts'
import { startNetwork } from '../../src/harness/index.ts'
import type { SorchaNode } from '../../src/node/sorcha-node.ts'
import { Attacker, OffenceLog, recordingReputation } from '../support/attacker.ts'
import { connect, quiet, waitFor } from '../support/gossip-net.ts'
import { benchArgs, intArg, percentile } from './args.ts'

const MIB = 1024 * 1024
const sleep = async (ms: number): Promise<void> => { await new Promise(resolve => setTimeout(resolve, ms)) }

/** Each attack: what the attacker does, repeatedly, until `until`. */
const ATTACKS: Record<string, (a: Attacker, until: number) => Promise<void>> = {
  clean: async () => {},
  'announce-flood': async (a, until) => { while (Date.now() < until) { a.announceFakes(20_480, 300); await sleep(1000) } },
  'withhold-small': async (a, until) => { while (Date.now() < until) { a.announceFakes(1000, 300); await sleep(200) } },
  'withhold-huge': async (a, until) => { while (Date.now() < until) { a.announceFakes(4, 60 * MIB); await sleep(2000) } },
  'stream-storm': async (a, until) => { while (Date.now() < until) await a.streamStorm(200, 16) },
  'decompression-bomb': async (a, until) => { while (Date.now() < until) { await a.decompressionBomb(); await sleep(100) } },
  garbage: async (a, until) => { while (Date.now() < until) { a.garbage(5); await sleep(100) } }
}

interface AttackResult {
  attack: string
  deliveredFraction: number
  p50Ms: number
  p99Ms: number
  p99Ratio: number | null
  timeToThrottleMs: number | null
  timeToBanMs: number | null
  offences: Record<string, number>
  throttled: Record<string, number>
}

async function run (attack: string, options: { seconds: number, txs: number, seed: number }): Promise<Omit<AttackResult, 'p99Ratio'>> {
  const log = new OffenceLog()
  const config = { gossip: { publishPushMaxBytes: 0, inlineThresholdBytes: 0 } }
  // The peer list (peerHealthContribution) is where the reputation service records its bans.
  const honest = await startNetwork({ nodes: 2, bootstrap: 'none', config, contributions: [peerHealthContribution(), recordingReputation(log, { decide: true }), gossipContribution()] })
  const hostile = await startNetwork({ nodes: 1, bootstrap: 'none', contributions: [] })
  try {
    const [publisher, target] = honest.nodes as [SorchaNode, SorchaNode]
    await quiet([...honest.nodes, ...hostile.nodes])
    await connect(honest.nodes, [[0, 1]])
    const attacker = new Attacker(hostile.nodes[0]!)
    await attacker.attach(target)
    await waitFor(() => gossipOf(target).stats().peers === 2, 30_000, 'attacker attached')
    const limits = (target.libp2p.services as unknown as { limits: PeerLimits }).limits
    const published = new Map<string, number>()
    const latencies: number[] = []
    gossipOf(target).addEventListener('tx:received', e => {
      const at = published.get(e.detail.txId)
      if (at !== undefined) latencies.push(performance.now() - at)
    })
    const started = Date.now()
    let throttledAt: number | undefined
    // The reputation service hangs up on a peer at its disconnect threshold, and bans it at its ban threshold.
    let bannedAt: number | undefined
    target.libp2p.addEventListener('connection:close', e => {
      if (bannedAt === undefined && e.detail.remotePeer.toString() === attacker.peerId) bannedAt = Date.now() - started
    })
    const watch = setInterval(() => {
      const refused = Object.values(limits.throttled()).some(n => n > 0)
      if (throttledAt === undefined && (refused || log.of(target.peerId.toString(), attacker.peerId).length > 0)) throttledAt = Date.now() - started
    }, 20)
    const until = started + options.seconds * 1000
    const rng = createRng(options.seed)
    const gap = options.seconds * 1000 / options.txs
    const publishing = (async () => {
      for (let i = 0; i < options.txs; i++) {
        const payload = randomBytes(rng.next() < 0.1 ? MIB : 2048)
        const at = performance.now()
        const { txId } = await gossipOf(publisher).publish({ registerId: 'bench', payload })
        published.set(txId, at)
        await sleep(gap)
      }
    })()
    await Promise.all([publishing, ATTACKS[attack]!(attacker, until)])
    await waitFor(() => latencies.length === options.txs, 60_000, 'honest delivery').catch(() => {})
    clearInterval(watch)
    const sorted = latencies.slice().sort((a, b) => a - b)
    const offences: Record<string, number> = {}
    for (const o of log.of(target.peerId.toString(), attacker.peerId)) offences[o] = (offences[o] ?? 0) + 1
    return {
      attack,
      deliveredFraction: latencies.length / options.txs,
      p50Ms: Math.round(percentile(sorted, 50)),
      p99Ms: Math.round(percentile(sorted, 99)),
      timeToThrottleMs: attack === 'clean' ? null : throttledAt ?? null,
      timeToBanMs: attack === 'clean' ? null : bannedAt ?? null,
      offences,
      throttled: Object.fromEntries(Object.entries(limits.throttled()).filter(([, n]) => n > 0))
    }
  } finally {
    await Promise.all([honest.stop(), hostile.stop()])
  }
}

export default async function main (args: string[]): Promise<void> {
  const flags = benchArgs(args, { json: { type: 'boolean', default: false }, seconds: { type: 'string', default: '6' }, txs: { type: 'string', default: '60' }, seed: { type: 'string', default: '1' }, attacks: { type: 'string', default: Object.keys(ATTACKS).join(',') } })
  const options = { seconds: intArg('seconds', flags.seconds), txs: intArg('txs', flags.txs), seed: intArg('seed', flags.seed) }
  const results: AttackResult[] = []
  let clean: number | undefined
  const chosen = flags.attacks.split(',')
  const unknown = chosen.filter(a => ATTACKS[a] === undefined)
  if (unknown.length > 0) {
    process.stderr.write(`unknown attack ${unknown.join(', ')}; the attacks are ${Object.keys(ATTACKS).join(', ')}\n`)
    process.exit(2)
  }
  // The clean run first: the others' p99 is compared with it.
  for (const attack of ['clean', ...chosen.filter(a => a !== 'clean')]) {
    const r = await run(attack, options)
    if (attack === 'clean') clean = r.p99Ms
    results.push({ ...r, p99Ratio: clean === undefined || clean === 0 ? null : Math.round(r.p99Ms / clean * 100) / 100 })
    process.stderr.write(`${JSON.stringify(results.at(-1))}\n`)
  }
  process.stdout.write(`${JSON.stringify({ benchmark: 'attack', ...options, results })}\n`)
}
