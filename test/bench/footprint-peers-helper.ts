/**
 * Helper process of the footprint-peers benchmark: `node test/bench/footprint-peers-helper.ts <addr> <count>`
 * runs `count` real Sorcha nodes in this one process (src/harness), each bootstrapping from the
 * measured node at `addr`, so that the measured node holds `count` connections to peers that speak
 * its protocols (health pings, peer exchange, gossip upkeep) without `count` processes. Prints
 * "ready" once they run; stops them on SIGTERM or when stdin closes.
 */
import { startNetwork } from '../../src/harness/index.ts'

const [addr, countText] = process.argv.slice(2)
const count = Number(countText)
if (addr === undefined || !Number.isSafeInteger(count) || count < 1) {
  process.stderr.write('usage: node test/bench/footprint-peers-helper.ts <multiaddr of the measured node> <count>\n')
  process.exit(2)
}
const net = await startNetwork({ nodes: count, bootstrap: 'none', config: { bootstrap: [addr] }, startConcurrency: 8 })
process.stdout.write('ready\n')
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
