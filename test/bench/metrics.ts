/**
 * `npm run bench -- metrics [--nodes 50 --tx 300 --size 512 --rate 5 --rounds 2 --peers 2000 --scrapes 50 --known 1000 --calls 1000] --json`
 *
 * cpuRatio: the gossip benchmark (gossip-run.ts, sorcha strategy, real nodes in one process) run with
 * metrics and the event log off and on (the "metrics and events on versus off"), in one
 * process and one run, in ABBA order over --rounds pairs so that drift in
 * the machine's load falls on both sides alike; with metrics on, every node is scraped over HTTP every
 * --scrape-interval-ms (15 s, Prometheus's default) during the measured window. cpuRatio = process CPU
 * seconds with metrics and events / without (target <= 1.05).
 *
 * scrapeMs: one node whose peer list knows --peers peers (half of them seen firsthand) and whose
 * metrics are on; GET /metrics --scrapes times over HTTP, the median and p99 of the time to the last
 * byte (target < 50 ms).
 *
 * listConnectedP99Ms: the Admin API's ListConnectedPeers over gRPC on a node that knows --known peers
 * (1,000) with 8 connected, --calls calls (the admin benchmark's measurement, test/bench/admin.ts;
 * target < 10 ms).
 */
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

/** Scrapes every node's /metrics every `intervalMs` until stopped. */
function scraper (intervalMs: number): (nodes: SorchaNode[]) => () => Promise<void> {
  return nodes => {
    let running = true
    let pass: Promise<void> = Promise.resolve()
    const scrapeAll = async (): Promise<void> => {
      for (const node of nodes) if (running) await (await fetch(`${node.metricsUrl}/metrics`)).text()
    }
    const timer = setInterval(() => { pass = pass.then(scrapeAll) }, intervalMs)
    return async () => { running = false; clearInterval(timer); await pass }
  }
}

async function cpuRatio (base: BenchOptions, rounds: number, scrapeIntervalMs: number): Promise<Record<string, unknown>> {
  const on: BenchOptions = { ...base, events: true, config: { metrics: { enabled: true, port: 0 } }, during: scraper(scrapeIntervalMs) as BenchOptions['during'] }
  const cpu = { off: 0, on: 0 }
  const runs: Array<{ metrics: 'on' | 'off', cpuSeconds: number, deliveredFraction: number }> = []
  for (let r = 0; r < rounds; r++) {
    for (const metrics of (r % 2 === 0 ? ['off', 'on'] : ['on', 'off']) as Array<'on' | 'off'>) {
      const result = await runStrategy('sorcha', metrics === 'on' ? on : base)
      cpu[metrics] += result.cpuSeconds ?? 0
      runs.push({ metrics, cpuSeconds: result.cpuSeconds ?? 0, deliveredFraction: result.deliveredFraction ?? 0 })
      process.stderr.write(`metrics ${metrics}: ${JSON.stringify(result)}\n`)
    }
  }
  return { cpuSecondsOff: round(cpu.off, 2), cpuSecondsOn: round(cpu.on, 2), cpuRatio: round(cpu.on / cpu.off, 3), runs }
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
  const cpu = await cpuRatio(base, intArg('rounds', opts.rounds), intArg('scrape-interval-ms', opts['scrape-interval-ms']))
  const summary = { ...cpu, ...scrape, listConnectedP99Ms, listConnectedP50Ms, adminKnownPeers, nodes: base.nodes, tx: base.tx, rate: base.rate }
  if (!opts.json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`)
  console.log(JSON.stringify(summary))
}
