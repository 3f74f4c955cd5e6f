/**
 * Attack benchmark (issue 19 item 5):
 *
 *   npm run bench -- attack [--json] [--seconds 8] [--txs 200] [--seed 1] [--rounds 1] [--attacks announce-flood,...]
 *
 * Real nodes: an honest publisher and a target in this process, and one malicious peer
 * (test/support/attacker.ts) attached to the target from a child process of its own
 * (attack-child.ts), so that the attacker's CPU is its own, as on a real attacker's machine, and
 * honest latency measures what the attack costs the target. Default configuration (default per-peer
 * limits, default fetch scheduling). In each run the publisher publishes `txs` transactions over
 * `seconds` (sizes drawn from `seed`: mostly 2 KB, one in ten 1 MiB, announced and pulled) while the
 * attacker attacks; in a clean run it is attached but silent. Clean and attacked runs alternate
 * (clean, attack 1, clean, attack 2, ..., `rounds` times over), all with the same seed.
 * For each attack, over its rounds: honest `deliveredFraction` at the target, `p50Ms`/`p99Ms` of
 * publish-to-receipt, `p99Ratio` against the p99 of every clean run's latencies together, and
 * `p99RatioAdjacent` against the clean runs just before its own; `timeToThrottleMs` (attack start to
 * the first offence the target reports against the attacker, or the first refusal counted in
 * sorcha_peer_throttled_total) and `timeToBanMs` (attack start to the target closing the attacker's
 * connection: the reputation service's disconnect or ban, src/reputation, default thresholds), null
 * if it did not happen within the attack; from the first round.
 * Target (issue 19): deliveredFraction 1, p99Ratio at most 2.
 */
import { fork, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { peerHealthContribution } from '../../src/health/index.ts'
import { createRng } from '../../protocols/common/rng.ts'
import { gossipContribution, gossipOf } from '../../src/gossip/index.ts'
import type { PeerLimits } from '../../src/limits/peer-limits.ts'
import { dialAddrs, startNetwork } from '../../src/harness/index.ts'
import type { SorchaNode } from '../../src/node/sorcha-node.ts'
import { OffenceLog, recordingReputation } from '../support/attacker.ts'
import { connect, quiet, waitFor } from '../support/gossip-net.ts'
import { ATTACKS, type AttackerCommand, type AttackerReply } from './attack-child.ts'
import { benchArgs, intArg, percentile } from './args.ts'

const MIB = 1024 * 1024
const CHILD = new URL('./attack-child.ts', import.meta.url)
const sleep = async (ms: number): Promise<void> => { await new Promise(resolve => setTimeout(resolve, ms)) }

/** Sends `command` to the attacker process and waits for its reply of type `answer`. */
async function ask (child: ChildProcess, command: AttackerCommand, answer: AttackerReply['type']): Promise<AttackerReply> {
  return await new Promise((resolve, reject) => {
    const onMessage = (reply: AttackerReply): void => {
      if (reply.type !== answer && reply.type !== 'error') return
      child.off('message', onMessage)
      child.off('exit', onExit)
      if (reply.type === 'error') reject(new Error(`attacker: ${reply.message}`))
      else resolve(reply)
    }
    const onExit = (code: number | null): void => { reject(new Error(`the attacker process exited (${code}) before answering ${command.type}`)) }
    child.on('message', onMessage)
    child.once('exit', onExit)
    child.send(command)
  })
}

interface AttackResult {
  attack: string
  runs: number
  samples: number
  deliveredFraction: number
  p50Ms: number
  p99Ms: number
  p99Ratio: number | null
  p99RatioAdjacent: number | null
  timeToThrottleMs: number | null
  timeToBanMs: number | null
  offences: Record<string, number>
  throttled: Record<string, number>
}

/** One run: its latencies, and the attack's figures. */
interface RunResult { attack: string, latencies: number[], txs: number, timeToThrottleMs: number | null, timeToBanMs: number | null, offences: Record<string, number>, throttled: Record<string, number> }

async function run (attack: string, options: { seconds: number, txs: number, seed: number }): Promise<RunResult> {
  const log = new OffenceLog()
  const config = { gossip: { publishPushMaxBytes: 0, inlineThresholdBytes: 0 } }
  // The peer list (peerHealthContribution) is where the reputation service records its bans.
  const honest = await startNetwork({ nodes: 2, bootstrap: 'none', config, contributions: [peerHealthContribution(), recordingReputation(log, { decide: true }), gossipContribution()] })
  const child = fork(CHILD, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  try {
    const [publisher, target] = honest.nodes as [SorchaNode, SorchaNode]
    await quiet(honest.nodes)
    await connect(honest.nodes, [[0, 1]])
    const attackerId = (await ask(child, { type: 'attach', addr: dialAddrs(target)[0]! }, 'attached') as { peerId: string }).peerId
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
      if (bannedAt === undefined && e.detail.remotePeer.toString() === attackerId) bannedAt = Date.now() - started
    })
    const watch = setInterval(() => {
      const refused = Object.values(limits.throttled()).some(n => n > 0)
      if (throttledAt === undefined && (refused || log.of(target.peerId.toString(), attackerId).length > 0)) throttledAt = Date.now() - started
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
    await Promise.all([publishing, ask(child, { type: 'go', attack, until }, 'done')])
    await waitFor(() => latencies.length === options.txs, 60_000, 'honest delivery').catch(() => {})
    clearInterval(watch)
    const offences: Record<string, number> = {}
    for (const o of log.of(target.peerId.toString(), attackerId)) offences[o] = (offences[o] ?? 0) + 1
    return {
      attack,
      latencies,
      txs: options.txs,
      timeToThrottleMs: attack === 'clean' ? null : throttledAt ?? null,
      timeToBanMs: attack === 'clean' ? null : bannedAt ?? null,
      offences,
      throttled: Object.fromEntries(Object.entries(limits.throttled()).filter(([, n]) => n > 0))
    }
  } finally {
    const exited = new Promise(resolve => { if (child.exitCode !== null) resolve(undefined); else child.once('exit', resolve) })
    if (child.connected) child.send({ type: 'stop' } satisfies AttackerCommand)
    const killer = setTimeout(() => child.kill('SIGKILL'), 10_000)
    await Promise.all([honest.stop(), exited])
    clearTimeout(killer)
  }
}

const sortedOf = (runs: readonly RunResult[]): number[] => runs.flatMap(r => r.latencies).sort((a, b) => a - b)
const ratio = (a: number, b: number): number | null => b === 0 ? null : Math.round(a / b * 100) / 100

export default async function main (args: string[]): Promise<void> {
  const flags = benchArgs(args, { json: { type: 'boolean', default: false }, seconds: { type: 'string', default: '8' }, txs: { type: 'string', default: '200' }, seed: { type: 'string', default: '1' }, rounds: { type: 'string', default: '1' }, attacks: { type: 'string', default: Object.keys(ATTACKS).filter(a => a !== 'clean').join(',') } })
  const options = { seconds: intArg('seconds', flags.seconds), txs: intArg('txs', flags.txs), seed: intArg('seed', flags.seed) }
  const rounds = intArg('rounds', flags.rounds)
  const chosen = flags.attacks.split(',').filter(a => a !== 'clean')
  const unknown = chosen.filter(a => ATTACKS[a] === undefined)
  if (unknown.length > 0) {
    process.stderr.write(`unknown attack ${unknown.join(', ')}; the attacks are ${Object.keys(ATTACKS).join(', ')}\n`)
    process.exit(2)
  }
  // Clean and attacked runs alternate, so that a drift of the machine's speed hits both alike.
  const clean: RunResult[] = []
  const attacked = new Map<string, { runs: RunResult[], before: RunResult[] }>(chosen.map(a => [a, { runs: [], before: [] }]))
  for (let round = 0; round < rounds; round++) {
    for (const attack of chosen) {
      const reference = await run('clean', options)
      clean.push(reference)
      const r = await run(attack, options)
      attacked.get(attack)!.runs.push(r)
      attacked.get(attack)!.before.push(reference)
      process.stderr.write(`round ${round + 1} ${attack}: clean p99 ${Math.round(percentile(sortedOf([reference]), 99))} ms, attacked p99 ${Math.round(percentile(sortedOf([r]), 99))} ms, delivered ${r.latencies.length}/${r.txs}\n`)
    }
  }
  const cleanSorted = sortedOf(clean)
  const cleanP99 = percentile(cleanSorted, 99)
  const summary = (attack: string, runs: RunResult[], before: RunResult[]): AttackResult => {
    const sorted = sortedOf(runs)
    const p99 = percentile(sorted, 99)
    const first = runs[0]!
    return {
      attack,
      runs: runs.length,
      samples: sorted.length,
      deliveredFraction: sorted.length / runs.reduce((n, r) => n + r.txs, 0),
      p50Ms: Math.round(percentile(sorted, 50)),
      p99Ms: Math.round(p99),
      p99Ratio: attack === 'clean' ? 1 : ratio(p99, cleanP99),
      p99RatioAdjacent: attack === 'clean' ? 1 : ratio(p99, percentile(sortedOf(before), 99)),
      timeToThrottleMs: first.timeToThrottleMs,
      timeToBanMs: first.timeToBanMs,
      offences: first.offences,
      throttled: first.throttled
    }
  }
  const results = [summary('clean', clean, clean), ...chosen.map(a => summary(a, attacked.get(a)!.runs, attacked.get(a)!.before))]
  for (const r of results) process.stderr.write(`${JSON.stringify(r)}\n`)
  process.stdout.write(`${JSON.stringify({ benchmark: 'attack', ...options, rounds, attacker: 'child process', results })}\n`)
}
