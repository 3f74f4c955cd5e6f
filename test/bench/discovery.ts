/**
 * `npm run bench -- discovery --nodes 100 --json`: starts one bootstrap node, then the other nodes all
 * at once (the burst that isolated stock libp2p nodes), and measures how fast they join and learn
 * the mesh, and what an idle node costs.
 *
 * Summary: nodes, bootstrapConnectMsP50/P95 (node start -> connected to the bootstrap node),
 * msToAllKnow50 (first joiner's start -> every node's peer list holds >= 50 peers; null if not within
 * --duration), isolatedNodes (no connection at the end), rssMbPerNode, idleCpuPctPerNode (process CPU
 * over --idle ms (default 60 s, two health rounds), measured --settle ms (default 60 s) after
 * convergence, once the join's delayed work is over: kad-dht's first self-query 15-30 s after start
 * and the routing-table refresh it releases, which dials a few thousand connections across the mesh;
 * per node, % of one core), knownPeersP50/min, connectionsP50.
 */
import { startNetwork, type TestNetwork } from '../../src/harness/index.ts'
import type { SorchaNode } from '../../src/node/sorcha-node.ts'
import type { PeerList } from '../../src/peers/types.ts'
import { benchArgs, percentile, report, sleep } from './_util.ts'

const peerListOf = (node: SorchaNode): PeerList => (node.libp2p.services as unknown as { peerList: PeerList }).peerList

/** Runs the benchmark. */
export default async function main (argv: string[]): Promise<void> {
  const args = benchArgs(argv, ['nodes', 'duration', 'idle', 'settle', 'known'])
  const n = Number(args.nodes ?? 100)
  const durationMs = Number(args.duration ?? 60_000)
  // Two health intervals (30 s each): every node's periodic work (health round, connection-watch
  // pings, anti-entropy) falls into the window whatever its phase; a shorter window over- or
  // under-counts it depending on where the rounds land.
  const idleMs = Number(args.idle ?? 60_000)
  const settleMs = Number(args.settle ?? 60_000)
  const knowTarget = Number(args.known ?? 50)
  const rssBefore = process.memoryUsage().rss

  const bootNet = await startNetwork({ nodes: 1, bootstrap: 'first' })
  const bootstrap = bootNet.nodes[0]!
  const bootId = bootstrap.peerId.toString()
  const connectMs: number[] = []
  let net: TestNetwork | undefined
  const t0 = performance.now()
  try {
    // All joiners at once: startNetwork launches them concurrently after its own first node, so
    // build the joiners' network with bootstrap 'none' and point them at the bootstrap node.
    const starts = new Map<string, number>()
    net = await startNetwork({
      nodes: n - 1,
      bootstrap: 'none',
      startConcurrency: n,
      config: { bootstrap: bootNet.bootstrapAddrs },
      onCreate: node => {
        starts.set(node.peerId.toString(), performance.now())
        node.libp2p.addEventListener('connection:open', evt => {
          if (evt.detail.remotePeer.toString() === bootId && starts.has(node.peerId.toString())) {
            connectMs.push(performance.now() - starts.get(node.peerId.toString())!)
            starts.delete(node.peerId.toString())
          }
        })
      }
    })
    const all = [bootstrap, ...net.nodes]
    let msToAllKnow: number | null = null
    while (performance.now() - t0 < durationMs) {
      const known = all.map(node => peerListOf(node).size())
      if (known.every(k => k >= knowTarget)) {
        msToAllKnow = performance.now() - t0
        break
      }
      await sleep(100)
    }
    process.stderr.write(`converged: ${msToAllKnow === null ? 'no' : `${Math.round(msToAllKnow)} ms`}; settling ${settleMs} ms, then measuring idle CPU for ${idleMs} ms\n`)
    await sleep(settleMs)
    const cpuStart = process.cpuUsage()
    const wallStart = performance.now()
    await sleep(idleMs)
    const cpu = process.cpuUsage(cpuStart)
    const wall = performance.now() - wallStart
    const rss = process.memoryUsage().rss
    const connections = all.map(node => node.libp2p.getConnections().length)
    const known = all.map(node => peerListOf(node).size())
    report({
      nodes: n,
      bootstrapConnectMsP50: round(percentile(connectMs, 0.5)),
      bootstrapConnectMsP95: round(percentile(connectMs, 0.95)),
      bootstrapConnected: connectMs.length,
      msToAllKnow50: round(msToAllKnow),
      knowTarget,
      isolatedNodes: connections.filter(c => c === 0).length,
      rssMbPerNode: round((rss - rssBefore) / n / 1e6, 2),
      idleCpuPctPerNode: round(((cpu.user + cpu.system) / 1000) / wall * 100 / n, 3),
      knownPeersP50: percentile(known, 0.5),
      knownPeersMin: Math.min(...known),
      connectionsP50: percentile(connections, 0.5)
    }, args.json === true)
  } finally {
    await net?.stop()
    await bootNet.stop()
  }
}

function round (value: number | null, digits = 0): number | null {
  if (value === null) return null
  const f = 10 ** digits
  return Math.round(value * f) / f
}
