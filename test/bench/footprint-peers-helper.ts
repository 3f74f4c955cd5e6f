/**
 * Helper process of the footprint-peers benchmark: `node test/bench/footprint-peers-helper.ts <addr> <count> [sorcha|light]`
 * runs `count` real Sorcha nodes in this one process (src/harness), each bootstrapping from the
 * measured node at `addr` and connected to it only, so that the measured node holds `count`
 * connections to peers that speak its protocols (health pings, peer exchange, gossip upkeep) without
 * `count` processes; or (light) `count` bare libp2p peers that only answer identify and ping
 * and watch their connection as a Sorcha node does. Prints
 * "ready" once they run; stops them on SIGTERM or when stdin closes.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { noise } from '@libp2p/noise'
import { yamux } from '@libp2p/yamux'
import { identify } from '@libp2p/identify'
import type { Libp2p } from '@libp2p/interface'
import { ping } from '@libp2p/ping'
import { tcp } from '@libp2p/tcp'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p } from 'libp2p'
import { startNetwork } from '../../src/harness/index.ts'
import { connectionWatch } from '../../src/health/connection-watch.ts'

const [addr, countText, kind = 'sorcha'] = process.argv.slice(2)
const count = Number(countText)
if (addr === undefined || !Number.isSafeInteger(count) || count < 1 || !['sorcha', 'light'].includes(kind)) {
  process.stderr.write('usage: node test/bench/footprint-peers-helper.ts <multiaddr of the measured node> <count> [sorcha|light]\n')
  process.exit(2)
}

/** Light peers: libp2p with TCP, Noise, Yamux, identify and ping only, each dialling the measured node. */
async function lightPeers (): Promise<{ nodes: Array<{ libp2p: Libp2p }>, stop: () => Promise<void> }> {
  const nodes: Libp2p[] = []
  for (let i = 0; i < count; i++) {
    const node = await createLibp2p({
      addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
      transports: [tcp()],
      connectionEncrypters: [noise()],
      // Connection upkeep as in a Sorcha node (src/node/libp2p-options.ts): no libp2p connection monitor
      // and no Yamux keep-alive, but the connection watch's Yamux pings every health.intervalMs (30 s by
      // default, jittered by a quarter).
      streamMuxers: [yamux({ enableKeepAlive: false })],
      services: {
        identify: identify(),
        ping: ping(),
        connectionWatch: connectionWatch({ intervalMs: Math.round(30_000 * (0.75 + Math.random() / 2)), timeoutMs: 5_000 })
      },
      connectionMonitor: { enabled: false }
    })
    await node.dial(multiaddr(addr!))
    nodes.push(node)
  }
  return { nodes: nodes.map(libp2p => ({ libp2p })), stop: async () => { await Promise.all(nodes.map(async n => n.stop())) } }
}
// The helper's nodes keep to the measured node: they dial nobody else (connections.min 0), or 64 nodes
// meshing among themselves stall this one event loop for seconds and their connections to the
// measured node drop. Each is a neighbour with the default degree (connections.min = 8) would be: it
// picks the measured node for one anti-entropy or reconciliation round in eight.
const DEGREE = 8
const net = kind === 'light' ? await lightPeers() : await startNetwork({
  nodes: count,
  bootstrap: 'none',
  config: { bootstrap: [addr], connections: { min: 0, max: 1 }, gossip: { antiEntropyIntervalMs: 10_000 * DEGREE, reconcile: { intervalMs: 60_000 * DEGREE } } },
  startConcurrency: 8
})
process.stdout.write('ready\n')
// Its event loop's worst delay per 10 s on stderr (FOOTPRINT_HELPER_LAG=1): a stalled helper misses pings and its connections drop.
if (process.env.FOOTPRINT_HELPER_LAG === '1') {
  const lag = monitorEventLoopDelay({ resolution: 20 })
  lag.enable()
  setInterval(() => {
    const conns = net.nodes.reduce((sum, n) => sum + n.libp2p.getConnections().length, 0)
    process.stderr.write(`helper: event loop delay max ${Math.round(lag.max / 1e6)} ms, p99 ${Math.round(lag.percentile(99) / 1e6)} ms; ${conns} connections in all\n`)
    lag.reset()
  }, 10_000).unref()
}
let stopping = false
const stop = async (): Promise<void> => {
  if (stopping) return
  stopping = true
  await net.stop()
  process.exit(0)
}
process.on('SIGTERM', () => { void stop() })
process.stdin.on('end', () => { void stop() })
process.stdin.resume()
