/**
 * `npm run bench -- metrics [--nodes 50 --tx 300 --size 512 --rate 5 --rounds 2 --warmup-tx 100 --peers 2000 --scrapes 50 --known 1000 --calls 1000] --json`
 *
 * cpuRatio: the gossip benchmark (gossip-run.ts, sorcha strategy, real nodes in one process) run with
 * metrics and the event log off and on (the "metrics and events on versus off"), in one
 * process and one run, in ABBA order over --rounds pairs so that drift in
 * the machine's load falls on both sides alike; every pass has the same seed (same graph, publishers
 * and payloads). With metrics on, every node is scraped over HTTP every --scrape-interval-ms (15 s,
 * Prometheus's default) during the measured window by a child process (the scraper stands for
 * Prometheus, whose CPU is not the node's: only the node's side of a scrape is counted). cpuRatio =
 * process CPU seconds with metrics and events / without (target <= 1.05); pairRatios: each round's
 * on/off (the spread across passes). An unmeasured warm-up pass with metrics and events on
 * (--warmup-tx transactions at 20 per second) first, so that no measured pass pays the compilation
 * of the gossip, metrics or event code alone.
 *
 * scrapeMs: one node whose peer list knows --peers peers (half of them seen firsthand) and whose
 * metrics are on; GET /metrics --scrapes times over HTTP, the median and p99 of the time to the last
 * byte (target < 50 ms).
 *
 * listConnectedP99Ms: the Admin API's ListConnectedPeers over gRPC on a node that knows --known peers
 * (1,000) with 8 connected, --calls calls (the admin benchmark's measurement, test/bench/admin.ts;
 * target < 10 ms).
 */
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { PeerSource } from '../../protocols/models/index.ts'
import { startNetwork } from '../../src/harness/index.ts'
import type { PeerList } from '../../src/peers/types.ts'
import type { SorchaNode } from '../../src/node/sorcha-node.ts'
import { benchArgs, intArg, percentile } from './args.ts'
import { runStrategy, type BenchOptions } from './gossip-run.ts'
import { measureAdmin } from './admin.ts'

const round = (n: number, digits: number): number => Math.round(n * 10 ** digits) / 10 ** digits

/** The scraper process: scrapes argv's URLs one after the other every argv[1] ms until its stdin ends, then prints how many scrapes it made. */
const SCRAPER = `
const [interval, ...urls] = process.argv.slice(1)
let scrapes = 0
let pass = Promise.resolve()
const scrapeAll = async () => { for (const url of urls) { await (await fetch(url)).text(); scrapes++ } }
const timer = setInterval(() => { pass = pass.then(scrapeAll) }, Number(interval))
process.stdin.on('end', () => { clearInterval(timer); pass.then(() => { process.stdout.write(String(scrapes)); process.exit(0) }, err => { console.error(err); process.exit(1) }) })
process.stdin.resume()
`

/** Scrapes every node's /metrics every `intervalMs` from a child process until stopped; counts the scrapes in `count`. */
function scraper (intervalMs: number, count: { scrapes: number }): (nodes: SorchaNode[]) => () => Promise<void> {
  return nodes => {
    const child = spawn(process.execPath, ['-e', SCRAPER, String(intervalMs), ...nodes.map(node => `${node.metricsUrl}/metrics`)], { stdio: ['pipe', 'pipe', 'inherit'] })
    let out = ''
    child.stdout.on('data', (chunk: Buffer) => { out += chunk.toString() })
    const exited = once(child, 'exit')
    return async () => {
      child.stdin.end()
      const [code] = await exited as [number | null]
      if (code !== 0) throw new Error(`the scraper exited with ${code}`)
      count.scrapes += Number(out)
    }
  }
}

async function cpuRatio (base: BenchOptions, rounds: number, scrapeIntervalMs: number, warmupTx: number): Promise<Record<string, unknown>> {
  const count = { scrapes: 0 }
  const on: BenchOptions = { ...base, events: true, config: { metrics: { enabled: true, port: 0 } }, during: scraper(scrapeIntervalMs, count) as BenchOptions['during'] }
  if (warmupTx > 0) {
    const warm = await runStrategy('sorcha', { ...on, tx: warmupTx, rate: 20, settleMs: 10_000, during: scraper(1000, { scrapes: 0 }) as BenchOptions['during'] })
    process.stderr.write(`metrics warm-up (not measured): ${JSON.stringify(warm)}\n`)
  }
  const cpu = { off: 0, on: 0 }
  const runs: Array<{ metrics: 'on' | 'off', cpuSeconds: number, deliveredFraction: number, latencyMsP50: number, loopUtilization: number }> = []
  const pairRatios: number[] = []
  for (let r = 0; r < rounds; r++) {
    const pair = { off: 0, on: 0 }
    for (const metrics of (r % 2 === 0 ? ['off', 'on'] : ['on', 'off']) as Array<'on' | 'off'>) {
      const result = await runStrategy('sorcha', metrics === 'on' ? on : base)
      cpu[metrics] += result.cpuSeconds ?? 0
      pair[metrics] = result.cpuSeconds ?? 0
      runs.push({ metrics, cpuSeconds: result.cpuSeconds ?? 0, deliveredFraction: result.deliveredFraction ?? 0, latencyMsP50: result.latencyMsP50 ?? 0, loopUtilization: result.loopUtilization ?? 0 })
      process.stderr.write(`metrics ${metrics}: ${JSON.stringify(result)}\n`)
    }
    pairRatios.push(round(pair.on / pair.off, 3))
  }
  return { cpuSecondsOff: round(cpu.off, 2), cpuSecondsOn: round(cpu.on, 2), cpuRatio: round(cpu.on / cpu.off, 3), pairRatios, scrapesDuringOn: count.scrapes, runs }
}

async function scrapeMs (peers: number, scrapes: number): Promise<Record<string, number>> {
  const net = await startNetwork({ nodes: 1, bootstrap: 'none', config: { metrics: { enabled: true }, peers: { maxKnown: Math.max(peers, 10) } } })
  try {
    const node = net.nodes[0]!
    const list = (node.libp2p.services as unknown as { peerList: PeerList }).peerList
    const now = Date.now()
    const observations = []
    for (let i = 0; i < peers; i++) {
      const peerId = peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()
      observations.push({ peerId, addresses: [`/ip4/10.${(i >> 8) & 255}.${i & 255}.1/tcp/4100`], source: i % 2 === 0 ? PeerSource.PEER_SOURCE_DHT : PeerSource.PEER_SOURCE_INBOUND, firsthand: i % 2 === 1, now })
    }
    for (let i = 0; i < observations.length; i += 500) await list.observeMany(observations.slice(i, i + 500))
    const known = list.size()
    const url = `${node.metricsUrl}/metrics`
    for (let i = 0; i < 5; i++) await (await fetch(url)).text()
    const times: number[] = []
    let bytes = 0
    for (let i = 0; i < scrapes; i++) {
      const t0 = performance.now()
      bytes = (await (await fetch(url)).text()).length
      times.push(performance.now() - t0)
    }
    times.sort((a, b) => a - b)
    return { knownPeers: known, scrapes, scrapeMs: round(percentile(times, 50), 2), scrapeMsP99: round(percentile(times, 99), 2), expositionBytes: bytes }
  } finally {
    await net.stop()
  }
}

export default async function metrics (args: string[]): Promise<void> {
  const opts = benchArgs(args, {
    nodes: { type: 'string', default: '50' },
    tx: { type: 'string', default: '300' },
    size: { type: 'string', default: '512' },
    degree: { type: 'string', default: '8' },
    rate: { type: 'string', default: '5' },
    seed: { type: 'string', default: '1' },
    rounds: { type: 'string', default: '2' },
    'scrape-interval-ms': { type: 'string', default: '15000' },
    'warmup-tx': { type: 'string', default: '100' },
    'settle-ms': { type: 'string', default: '30000' },
    peers: { type: 'string', default: '2000' },
    scrapes: { type: 'string', default: '50' },
    known: { type: 'string', default: '1000' },
    calls: { type: 'string', default: '1000' },
    json: { type: 'boolean', default: false }
  })
  const base: BenchOptions = {
    nodes: intArg('nodes', opts.nodes), tx: intArg('tx', opts.tx), size: intArg('size', opts.size), degree: intArg('degree', opts.degree),
    rate: intArg('rate', opts.rate), seed: intArg('seed', opts.seed), settleMs: intArg('settle-ms', opts['settle-ms']), gossipsubStock: false
  }
  const scrape = await scrapeMs(intArg('peers', opts.peers), intArg('scrapes', opts.scrapes))
  process.stderr.write(`scrape: ${JSON.stringify(scrape)}\n`)
  const admin = await measureAdmin({ calls: intArg('calls', opts.calls), peers: 8, known: intArg('known', opts.known) })
  const { listConnectedP99Ms, listConnectedP50Ms, knownPeers: adminKnownPeers } = admin
  process.stderr.write(`admin: ${JSON.stringify(admin)}\n`)
  const cpu = await cpuRatio(base, intArg('rounds', opts.rounds), intArg('scrape-interval-ms', opts['scrape-interval-ms']), intArg('warmup-tx', opts['warmup-tx']))
  const summary = { ...cpu, ...scrape, listConnectedP99Ms, listConnectedP50Ms, adminKnownPeers, nodes: base.nodes, tx: base.tx, rate: base.rate }
  if (!opts.json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`)
  console.log(JSON.stringify(summary))
}
