import { startNetwork } from '/work/main/src/harness/index.ts'
const boot = await startNetwork({ nodes: 1 })
const t0 = performance.now()
const net = await startNetwork({ nodes: 99, bootstrap: 'none', startConcurrency: 99, config: { bootstrap: boot.bootstrapAddrs } })
await new Promise(r => setTimeout(r, 10000))
const known = [boot.nodes[0]!, ...net.nodes].map(n => (n.libp2p.services as any).peerList.size()).sort((a: number, b: number) => a - b)
console.log('10s: known min/med', known[0], known[50], 'boot conns', boot.nodes[0]!.libp2p.getConnections().length)
process.exit(0)
