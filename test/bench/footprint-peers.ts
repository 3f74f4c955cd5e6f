/**
 * Footprint of a well-connected idle node (issue 21 item 4: "RSS and idle CPU of a node that knows
 * 1,000 peers and holds 64 connections"): one measured `sorcha-peer start` process on 127.0.0.1 whose
 * peer list is seeded before it starts with peers known by hearsay (as peer exchange brings them;
 * addresses on 127.0.x.y that refuse connections), and `--connections` peers in one helper process
 * (footprint-peers-helper.ts) that dial it and stay connected: light libp2p peers (identify and ping:
 * the connection upkeep, none of the Sorcha protocols' upkeep, so a lower bound) or real Sorcha nodes
 * (--peers sorcha; on this loaded 2-core machine 64 of them in one process stall its event loop and
 * their connections to the measured node churn). A node started and stopped first (its own data
 * directory, no peers) warms Node.js's compile cache, as a node that has run before finds it. After a settling time
 * the measured node is sampled from /proc once a second: CPU as a share of one core, VmRSS, RssAnon.
 *
 *   npm run bench -- footprint-peers [--json] [--known 1000] [--connections 64] [--peers light|sorcha] [--settle-s 30] [--idle-s 60]
 *     [--cpu-prof-dir DIR] [--heap]
 *
 * Prints the summary line: known peers and connections at the start and end of the window, idle CPU,
 * memory, and the helper's CPU (not the measured node's). With --cpu-prof-dir the measured node runs
 * with --inspect, and after the measuring window a second window of the same length is profiled through
 * the inspector (DIR/footprint-peers.cpuprofile): the profiler's own sampling would inflate the figure.
 * With --heap (implied by --cpu-prof-dir) the node's V8 heap by space, used and resident, is printed
 * on stderr after the window.
 */
import { spawn } from 'node:child_process'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { PeerSource } from '../../protocols/models/index.ts'
import { SorchaClient } from '../../src/client/index.ts'
import { resolveConfig } from '../../src/config/index.ts'
import { healthRules } from '../../src/health/index.ts'
import { loadOrCreateIdentity } from '../../src/node/identity.ts'
import { DefaultPeerList, PEERS_SUBLEVEL } from '../../src/peers/index.ts'
import { openStorage } from '../../src/storage/index.ts'
import { makePeerIds } from '../helpers/peer-ids.ts'
import { benchArgs, intArg } from './args.ts'
import { report, sleep } from './_util.ts'
import { CLK_TCK, memoryOf, procSample, profileFor, startNodeProcess, stopProcesses } from './proc.ts'

/** Seeds the peer list in `dataDir` (the node's identity is created there) with `count` hearsay peers. */
async function seedPeers (dataDir: string, count: number): Promise<void> {
  const { privateKey } = await loadOrCreateIdentity(dataDir)
  const self = peerIdFromPrivateKey(privateKey).toString()
  const defaults = resolveConfig({})
  const storage = await openStorage(dataDir)
  try {
    const list = new DefaultPeerList({ db: storage.sublevel(PEERS_SUBLEVEL), selfPeerId: self, maxKnown: defaults.peers.maxKnown, rules: healthRules(defaults) })
    await list.start()
    const ids = await makePeerIds(count)
    const now = Date.now()
    await list.observeMany(ids.map((peerId, i) => ({
      peerId, addresses: [`/ip4/127.0.${1 + Math.floor(i / 250)}.${(i % 250) + 1}/tcp/4001`], source: PeerSource.PEER_SOURCE_PEER_EXCHANGE, firsthand: false, learnedFrom: self, now
    })))
    await list.stop()
  } finally {
    await storage.close()
  }
}

/** The measured node's events from `sinceMs` on, counted by type (and reason, where there is one). */
async function eventCounts (client: SorchaClient, sinceMs: number): Promise<Record<string, number>> {
  const counts: Record<string, number> = {}
  let cursor = 0
  for (let more = true; more;) {
    const page = await client.listEvents({ sinceMs, cursor, limit: 1000 })
    for (const ev of page.events) {
      const key = ev.reason === '' ? ev.type : `${ev.type}:${ev.reason}`
      counts[key] = (counts[key] ?? 0) + 1
    }
    cursor = page.nextCursor
    more = page.more && page.events.length > 0
  }
  return counts
}

/** The measured node's configuration. */
function measuredConfig (dataDir: string): Record<string, unknown> {
  return {
    dataDir,
    listen: ['/ip4/127.0.0.1/tcp/0'],
    // One IP stands for many hosts here (as in the harness): exempt loopback from the admission limits.
    connections: { allow: ['/ip4/127.0.0.0/ipcidr/8'] },
    gateway: { grpc: { port: 0 }, rest: { port: 0 } },
    ops: { port: 0 },
    log: { level: 'info', format: 'json', statusIntervalMs: 0 }
  }
}

/** Runs the benchmark. */
export default async function footprintPeers (argv: string[]): Promise<void> {
  const args = benchArgs(argv, { known: { type: 'string', default: '1000' }, connections: { type: 'string', default: '64' }, 'settle-s': { type: 'string', default: '30' }, peers: { type: 'string', default: 'light' }, 'idle-s': { type: 'string', default: '60' }, 'cpu-prof-dir': { type: 'string' }, heap: { type: 'boolean', default: false }, json: { type: 'boolean', default: false } })
  const known = intArg('known', args.known)
  const connections = intArg('connections', args.connections)
  const idleS = intArg('idle-s', args['idle-s'])
  const peerKind = args.peers as string
  if (!['light', 'sorcha'].includes(peerKind)) {
    process.stderr.write(`--peers must be light or sorcha, not ${JSON.stringify(peerKind)}\n`)
    process.exit(2)
  }
  const root = await mkdtemp(join(tmpdir(), 'sorcha-footprint-peers-'))
  const dataDir = join(root, 'measured')
  await mkdir(dataDir)
  // The helper's peers and the seeded ones make up the known peers.
  await seedPeers(dataDir, Math.max(0, known - connections))
  // A node started once before (own data directory, no peers) leaves Node.js's compile cache warm
  // (src/cli/bin.js), as a node that has run before finds it: on a cold cache (the first start after
  // any source change) the measured node would load Node.js's TypeScript stripper and keep it, about
  // 15 MiB more RSS (docs/benchmarks.md, "Footprint").
  await mkdir(join(root, 'warm-up'))
  const warmUp = await startNodeProcess(root, 'warm-up', measuredConfig(join(root, 'warm-up')))
  await stopProcesses([warmUp.child])
  const profDir = args['cpu-prof-dir'] as string | undefined
  const inspectNode = profDir !== undefined || args.heap === true
  const node = await startNodeProcess(root, 'measured', measuredConfig(dataDir), inspectNode ? ['--inspect=127.0.0.1:0'] : [])
  const client = new SorchaClient({ endpoints: { grpc: node.grpc }, timeoutMs: 30_000 })
  // No helper for --connections 0 (the node alone, for comparison).
  const helper = connections === 0 ? undefined : spawn(process.execPath, ['test/bench/footprint-peers-helper.ts', node.address, String(connections), peerKind], { stdio: ['pipe', 'pipe', 'inherit'] })
  try {
    if (helper !== undefined) {
      await new Promise<void>((resolve, reject) => {
        helper.stdout!.on('data', (chunk: Buffer) => { if (chunk.toString().includes('ready')) resolve() })
        helper.once('exit', code => { reject(new Error(`the helper exited (${code}) before its nodes ran`)) })
      })
    }
    for (let tries = 0; ; tries++) {
      const info = await client.nodeInfo()
      if (info.connections >= connections && info.knownPeers >= known) break
      if (tries >= 360) throw new Error(`the measured node reached only ${info.connections} connections and ${info.knownPeers} known peers in 180 s`)
      await sleep(500)
    }
    await sleep(intArg('settle-s', args['settle-s']) * 1000)
    const before = await client.nodeInfo()
    const first = await procSample(node.pid)
    const helperFirst = helper === undefined ? undefined : await procSample(helper.pid!)
    const windowStart = performance.now()
    const windowStartMs = Date.now()
    const rss: number[] = []
    const anon: number[] = []
    for (let s = 0; s < idleS; s++) {
      await sleep(1000)
      const x = await procSample(node.pid)
      rss.push(x.rssKiB)
      anon.push(x.anonKiB)
    }
    const last = await procSample(node.pid)
    const helperLast = helper === undefined ? undefined : await procSample(helper.pid!)
    const elapsedS = (performance.now() - windowStart) / 1000
    const after = await client.nodeInfo()
    const mib = (kib: number): number => Math.round(kib / 1024 * 10) / 10
    const pct = (ticks: number): number => Math.round(ticks / CLK_TCK / elapsedS * 1000) / 10
    report({
      known, connections, peers: peerKind, idleS,
      knownPeersStart: before.knownPeers, knownPeersEnd: after.knownPeers,
      connectionsStart: before.connections, connectionsEnd: after.connections,
      idleCpuPct: pct(last.ticks - first.ticks),
      idleCpuSystemPct: pct(last.systemTicks - first.systemTicks),
      rssMiBMax: mib(Math.max(...rss)),
      rssMiBMean: mib(rss.reduce((a, b) => a + b, 0) / rss.length),
      anonMiBMax: mib(Math.max(...anon)),
      helperCpuPct: helperFirst === undefined || helperLast === undefined ? 0 : pct(helperLast.ticks - helperFirst.ticks),
      eventsInWindow: await eventCounts(client, windowStartMs),
      warnLines: node.process.lines.filter(l => Number(l.level) >= 40).length
    }, args.json)
    // What the node warned about (a node that loses its connections says why).
    const warnings = new Map<string, number>()
    for (const l of node.process.lines) if (Number(l.level) >= 40) warnings.set(String(l.msg), (warnings.get(String(l.msg)) ?? 0) + 1)
    for (const [msg, n] of warnings) process.stderr.write(`measured node warned ${n}x: ${msg}\n`)
    if (inspectNode) {
      if (node.inspector === undefined) throw new Error('the measured node printed no inspector address')
      process.stderr.write(`memory of the measured node (MiB): ${JSON.stringify(await memoryOf(node.inspector))}\n`)
    }
    if (profDir !== undefined) {
      await writeFile(join(profDir, 'footprint-peers.cpuprofile'), JSON.stringify(await profileFor(node.inspector!, idleS * 1000)))
    }
  } finally {
    client.close()
    await stopProcesses(helper === undefined ? [node.child] : [node.child, helper])
    await rm(root, { recursive: true, force: true })
  }
}
