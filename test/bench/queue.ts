/**
 * Outbound queue benchmark (issue 16):
 *
 *   npm run bench -- queue [--tx 20000] [--size 512] [--concurrency 256] [--strategy sorcha|gossipsub|both] [--peer worker|same] [--parts gossip|standard] [--push-tree on|off] [--json]
 *
 * In one process, on the disk of the OS temp directory:
 * - levelSyncedWritesPerSec: raw LevelDB (`level`), one put of --size bytes per batch with
 *   `sync: true`, one batch at a time, for 3 s: what a node that fsyncs once per submission could
 *   acknowledge at most. (levelSyncedWritesConcurrentPerSec: the same with 4 batches in flight, which
 *   LevelDB itself groups.)
 * - ackedSubmitTxPerSec: a node alone publishes --tx transactions of --size random bytes through its
 *   node API, --concurrency at a time; each resolves once its synced, group-committed batch is on
 *   disk (state queued: the node has no peer). ackedSubmitRatio = ackedSubmitTxPerSec /
 *   levelSyncedWritesPerSec (target >= 0.5). ackedSubmitSerialTxPerSec: the same with one
 *   submission at a time (500 of them), where group commit has nothing to group.
 * - flushTxPerSec: a peer starts and the node dials it; from the moment the queue starts sending
 *   (sorcha: a neighbour; gossipsub: a subscriber of the register) until the peer's store has written
 *   all --tx (target >= 20,000). flushFromDialTxPerSec counts from the dial. confirmAllMs: from the
 *   dial until the node's queue is empty (the peer confirmed every one through the have-query).
 *   receiver: the peer's bodies received, reads on its tx-gossip streams (muxer data frames: bodies per read = how full the sender's writes are), duplicate bodies, announced items received (reconciliation's needs included), requests (getdata) sent, requests timed out, fetches abandoned and reconciliation's needs.
 *   The peer runs in a worker thread (--peer worker, the default; test/support/worker-node.ts): its own
 *   event loop, as on another machine; --peer same runs both nodes on one event loop (each then gets about half of it).
 *   --parts: the services of both nodes (see Parts below). --push-tree: gossip.pushTree of both
 *   nodes (on, the node's default; SPEC.md §3.8). senderServesDropped: bodies the sender did not
 *   queue for the peer because its channel was full (pushes dropped, requests answered notfound).
 * Last stdout line: { levelSyncedWritesPerSec, ackedSubmitTxPerSec, ackedSubmitRatio, flushTxPerSec, ..., perStrategy }.
 */
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { multiaddr } from '@multiformats/multiaddr'
import { Level } from 'level'
import type { ConfigInput } from '../../src/config/index.ts'
import type { DistributorStats } from '../../src/gossip/distributor.ts'
import { topologyContribution } from '../../src/discovery/index.ts'
import { gossipContribution, gossipOf } from '../../src/gossip/index.ts'
import { peerHealthContribution } from '../../src/health/index.ts'
import { startNetwork } from '../../src/harness/index.ts'
import { quiet } from '../support/gossip-net.ts'
import { LocalNode } from '../support/node-ops.ts'
import { WorkerNode } from '../support/worker-node.ts'
import { benchArgs, intArg } from './args.ts'

/**
 * How often the receiving peer looks at its store count. Its own CPU counts as the receiver's: polling
 * every millisecond cost more than the store writes on a loaded machine (a slow flush polls thousands
 * of times), so the measured CPU per transaction grew with the wall-clock time. 10 ms adds at most
 * 10 ms to a flush of a second or more.
 */
const POLL_MS = 10

const REGISTER = 'bench-queue'
/** Submissions made one at a time, after the concurrent ones. */
const SERIAL_TX = 500
const round = (n: number): number => Math.round(n)

/** Raw LevelDB synced batches of one put each, `inFlight` at a time, for `seconds`. */
async function levelSyncedWrites (size: number, inFlight: number, seconds: number): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), 'sorcha-bench-level-'))
  const db = new Level<string, Uint8Array>(dir, { valueEncoding: 'view' })
  await db.open()
  const value = randomBytes(size)
  let n = 0
  const started = performance.now()
  const until = started + seconds * 1000
  await Promise.all(Array.from({ length: inFlight }, async () => {
    while (performance.now() < until) await db.batch([{ type: 'put', key: `k${n++}`, value }], { sync: true })
  }))
  const rate = n / ((performance.now() - started) / 1000)
  await db.close()
  await rm(dir, { recursive: true, force: true })
  return rate
}

/** Resolves once `condition` holds, checking every `everyMs`; the time it first held (performance.now). */
async function when (condition: () => boolean, everyMs = 2, timeoutMs = 300_000): Promise<number> {
  const deadline = performance.now() + timeoutMs
  while (!condition()) {
    if (performance.now() > deadline) throw new Error('benchmark condition not met in time')
    await new Promise(resolve => setTimeout(resolve, everyMs))
  }
  return performance.now()
}

/** The receiving peer: its address, when its store holds everything (and its thread's CPU until then, µs), and how to stop it. */
interface Peer { address: string, stored: Promise<{ at: number, cpuUs?: number }>, stats: () => Promise<DistributorStats>, stop: () => Promise<void> }

/** What the receiving peer did besides storing the flush (sorcha): duplicate bodies, requests it sent, what reconciliation found missing, bodies received. */
interface ReceiverCounters { bodiesReceived: number, inboundReads: number | null, duplicateBodies: number | null, invItemsReceived: number | null, requestsSent: number | null, requestTimeouts: number | null, fetchesAbandoned: number | null, reconcileNeeds: number | null }

function receiverCounters (stats: DistributorStats): ReceiverCounters {
  return { bodiesReceived: stats.bodiesReceived, inboundReads: stats.inboundReads ?? null, duplicateBodies: stats.core?.duplicateBodies ?? null, invItemsReceived: stats.core?.invReceived ?? null, requestsSent: stats.core?.requestsSent ?? null, requestTimeouts: stats.core?.requestTimeouts ?? null, fetchesAbandoned: stats.core?.fetchesAbandoned ?? null, reconcileNeeds: stats.reconcile?.needs ?? null }
}

const threadCpuUs = (): number => { const u = process.threadCpuUsage(); return u.user + u.system }

/** Starts the peer in a worker thread (own event loop, as on another machine); its CPU counts from when it is ready. */
async function workerPeer (config: ConfigInput, expect: number, parts: Parts): Promise<Peer> {
  const peer = await WorkerNode.start({ config, contributions: parts === 'standard' ? ['peerHealth', 'topology', 'gossip'] : ['gossip'] })
  const stored = peer.whenHoldsWithUsage(expect, POLL_MS, 300_000).then(s => ({ at: s.atMs - performance.timeOrigin, cpuUs: s.cpuSeconds * 1e6 }))
  return { address: peer.address, stored, stats: async () => await peer.gossipStats(), stop: async () => { await peer.stop() } }
}

interface StrategyFigures {
  strategy: 'sorcha' | 'gossipsub'
  ackedSubmitTxPerSec: number
  ackedSubmitSerialTxPerSec: number
  groupCommit: { batches: number, meanBatch: number, largest: number }
  flushTxPerSec: number
  flushFromDialTxPerSec: number
  peerReadyMs: number
  flushMs: number
  confirmAllMs: number
  /** CPU per transaction from the dial until the peer wrote the last one: the node's thread, the peer's (worker only), µs. */
  senderCpuUsPerTx: number
  receiverCpuUsPerTx: number | null
  receiver: ReceiverCounters
  /** Reads on the sender's tx-gossip inbound streams (the receiver's getdata, have-query aside), sorcha. */
  senderInboundReads: number | null
  /** The sender's bodies not queued for the peer (its channel full): pushes dropped, requests refused. */
  senderServesDropped: { pushes: number, requests: number } | null
}

/**
 * The services of both nodes: `gossip` alone (the default; every figure in docs/benchmarks.md), or
 * `standard`: with the peer list and the topology service, as `sorcha-peer start` runs, so that the
 * sender learns from the peer exchange on connect which registers the peer serves and pushes it the
 * bodies (SPEC.md §3.7); with `gossip` alone the peer's registers stay unknown and every body is pulled.
 */
type Parts = 'gossip' | 'standard'

async function runStrategy (strategy: 'sorcha' | 'gossipsub', tx: number, size: number, concurrency: number, peerMode: 'worker' | 'same', parts: Parts, pushTree: boolean): Promise<StrategyFigures> {
  const config: ConfigInput = {
    gossip: { strategy, pushTree, registers: [REGISTER], gossipsub: { ipColocationWhitelist: ['127.0.0.1'], heartbeatIntervalMs: 200 } },
    queue: { maxDepth: Math.max(100_000, tx), maxBytes: Math.max(256 * 1024 * 1024, tx * size * 2), retryInitialMs: 500 }
  }
  const net = await startNetwork({ nodes: 1, bootstrap: 'none', config, contributions: parts === 'standard' ? [peerHealthContribution(), topologyContribution, gossipContribution()] : [gossipContribution()] })
  try {
    const node = net.nodes[0]!
    await quiet([node])
    const gossip = gossipOf(node)
    const payloads = Array.from({ length: tx }, () => randomBytes(size))
    // Warm-up (JIT, LevelDB files): 5 % of the work, not counted.
    const warm = Math.floor(tx / 20)
    const submit = async (from: number, to: number): Promise<void> => {
      let next = from
      await Promise.all(Array.from({ length: concurrency }, async () => {
        while (next < to) await gossip.publish({ registerId: REGISTER, payload: payloads[next++]! })
      }))
    }
    await submit(0, warm)
    const commitsBefore = gossip.queueStats().commits
    const t0 = performance.now()
    await submit(warm, tx)
    const ackedSubmitTxPerSec = (tx - warm) / ((performance.now() - t0) / 1000)
    const commits = gossip.queueStats().commits
    const batches = commits.batches - commitsBefore.batches
    const serial = Array.from({ length: SERIAL_TX }, () => randomBytes(size))
    const tSerial = performance.now()
    for (const payload of serial) await gossip.publish({ registerId: REGISTER, payload })
    const ackedSubmitSerialTxPerSec = SERIAL_TX / ((performance.now() - tSerial) / 1000)
    const queued = tx + SERIAL_TX
    if (gossip.queueStats().queued !== queued) throw new Error(`expected ${queued} queued, found ${gossip.queueStats().queued}`)

    const peer = peerMode === 'worker' ? await workerPeer(config, queued, parts) : await samePeer(net, queued)
    const tDial = performance.now()
    const cpuAtDial = threadCpuUs()
    await node.libp2p.dial(multiaddr(peer.address))
    const tReady = await when(() => gossip.queueStats().queued < queued)
    const { at: tFlushed, cpuUs: receiverCpuUs } = await peer.stored
    const senderCpuUs = threadCpuUs() - cpuAtDial
    const tConfirmed = await when(() => gossip.queueStats().depth === 0, 10)
    const receiver = receiverCounters(await peer.stats())
    const senderInboundReads = gossip.stats().inboundReads ?? null
    const senderServesDropped = gossip.stats().servesDropped ?? null
    await peer.stop()
    const flushS = (tFlushed - tReady) / 1000
    return {
      strategy,
      ackedSubmitTxPerSec: round(ackedSubmitTxPerSec),
      ackedSubmitSerialTxPerSec: round(ackedSubmitSerialTxPerSec),
      groupCommit: { batches, meanBatch: Math.round((commits.items - commitsBefore.items) / Math.max(1, batches) * 10) / 10, largest: commits.largest },
      flushTxPerSec: round(queued / flushS),
      flushFromDialTxPerSec: round(queued / ((tFlushed - tDial) / 1000)),
      peerReadyMs: round(tReady - tDial),
      flushMs: round(tFlushed - tReady),
      confirmAllMs: round(tConfirmed - tDial),
      senderCpuUsPerTx: Math.round(senderCpuUs / queued * 10) / 10,
      receiverCpuUsPerTx: receiverCpuUs === undefined ? null : Math.round(receiverCpuUs / queued * 10) / 10,
      receiver,
      senderInboundReads,
      senderServesDropped
    }
  } finally {
    await net.stop()
  }
}

/** The peer on this event loop, as one more node of the network. */
async function samePeer (net: Awaited<ReturnType<typeof startNetwork>>, expect: number): Promise<Peer> {
  const peer = await net.addNode()
  await quiet([peer])
  const local = new LocalNode(peer)
  return { address: local.address, stored: local.whenHolds(expect, POLL_MS, 300_000).then(at => ({ at: at - performance.timeOrigin })), stats: async () => await local.gossipStats(), stop: async () => {} }
}

export default async function main (args: string[]): Promise<void> {
  const flags = benchArgs(args, {
    tx: { type: 'string', default: '20000' },
    size: { type: 'string', default: '512' },
    concurrency: { type: 'string', default: '256' },
    strategy: { type: 'string', default: 'both' },
    peer: { type: 'string', default: 'worker' },
    parts: { type: 'string', default: 'gossip' },
    'push-tree': { type: 'string', default: 'on' },
    json: { type: 'boolean', default: false }
  })
  const tx = intArg('tx', flags.tx)
  const size = intArg('size', flags.size)
  const concurrency = Math.max(1, intArg('concurrency', flags.concurrency))
  if (!['sorcha', 'gossipsub', 'both'].includes(flags.strategy)) {
    process.stderr.write('--strategy must be sorcha, gossipsub or both\n')
    process.exit(2)
  }
  if (flags.peer !== 'worker' && flags.peer !== 'same') {
    process.stderr.write('--peer must be worker or same\n')
    process.exit(2)
  }
  if (flags.parts !== 'gossip' && flags.parts !== 'standard') {
    process.stderr.write('--parts must be gossip or standard\n')
    process.exit(2)
  }
  if (flags['push-tree'] !== 'on' && flags['push-tree'] !== 'off') {
    process.stderr.write('--push-tree must be on or off\n')
    process.exit(2)
  }
  const pushTree = flags['push-tree'] === 'on'
  const strategies = flags.strategy === 'both' ? ['sorcha', 'gossipsub'] as const : [flags.strategy as 'sorcha' | 'gossipsub']
  const loadBefore = loadavg()[0]
  const levelSyncedWritesPerSec = round(await levelSyncedWrites(size, 1, 3))
  const levelSyncedWritesConcurrentPerSec = round(await levelSyncedWrites(size, 4, 3))
  process.stderr.write(`raw LevelDB synced batches: ${levelSyncedWritesPerSec}/s one at a time, ${levelSyncedWritesConcurrentPerSec}/s four at a time\n`)
  const perStrategy: StrategyFigures[] = []
  for (const strategy of strategies) {
    const figures = await runStrategy(strategy, tx, size, concurrency, flags.peer, flags.parts, pushTree)
    process.stderr.write(`${strategy}: acked submits ${figures.ackedSubmitTxPerSec}/s (mean ${figures.groupCommit.meanBatch} per synced batch; ${figures.ackedSubmitSerialTxPerSec}/s one at a time), flush ${figures.flushTxPerSec}/s ` +
      `(CPU per tx: sender ${figures.senderCpuUsPerTx} µs, receiver ${figures.receiverCpuUsPerTx ?? '-'} µs), all confirmed ${figures.confirmAllMs} ms after the dial; receiver ${JSON.stringify(figures.receiver)}\n`)
    perStrategy.push(figures)
  }
  const first = perStrategy[0]!
  const summary = {
    tx, size, concurrency, peer: flags.peer, parts: flags.parts, pushTree,
    levelSyncedWritesPerSec,
    levelSyncedWritesConcurrentPerSec,
    ackedSubmitTxPerSec: first.ackedSubmitTxPerSec,
    ackedSubmitRatio: Math.round(first.ackedSubmitTxPerSec / levelSyncedWritesPerSec * 100) / 100,
    ackedSubmitSerialTxPerSec: first.ackedSubmitSerialTxPerSec,
    ackedSubmitSerialRatio: Math.round(first.ackedSubmitSerialTxPerSec / levelSyncedWritesPerSec * 100) / 100,
    flushTxPerSec: first.flushTxPerSec,
    strategy: first.strategy,
    perStrategy,
    loadAverage: [loadBefore, loadavg()[0]].map(l => Math.round((l ?? 0) * 100) / 100),
    node: process.version
  }
  if (!flags.json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`)
  process.stdout.write(`${JSON.stringify(summary)}\n`)
}
