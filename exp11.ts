import { startNetwork } from '/work/main/src/harness/index.ts'
const boot = await startNetwork({ nodes: 1 })
const t0 = performance.now()
const net = await startNetwork({ nodes: 99, bootstrap: 'none', startConcurrency: 99, config: { bootstrap: boot.bootstrapAddrs } })
const all = [boot.nodes[0]!, ...net.nodes]
const q = (a: number[], f: number) => a.slice().sort((x, y) => x - y)[Math.floor(f * (a.length - 1))]
for (let i = 0; i < 6; i++) {
  await new Promise(r => setTimeout(r, 2000))
  const known = all.map(n => (n.libp2p.services as any).peerList.size())
  const conns = all.map(n => n.libp2p.getConnections().length)
  const snaps = all.map(n => (n.libp2p.services as any).topology.snapshot())
  const sum = (k: string) => snaps.reduce((s: number, x: any) => s + x[k], 0)
  const cpu = process.cpuUsage()
  console.log(`${Math.round(performance.now() - t0)}ms known min/p10/med ${q(known, 0)}/${q(known, 0.1)}/${q(known, 0.5)} conns p10/med ${q(conns, 0.1)}/${q(conns, 0.5)} exch ${sum('exchanges')} inflight ${sum('exchangesInFlight')} walks ${sum('discoveryRounds')} inflight ${sum('discoveryInFlight')} boot known ${known[0]} cpu ${Math.round((cpu.user + cpu.system) / 1000)}`)
}
const b = boot.nodes[0]!
console.log('boot conns', b.libp2p.getConnections().length, 'boot peerList', (b.libp2p.services as any).peerList.size(), JSON.stringify((b.libp2p.services as any).peerList.countByStatus()))
const iso = net.nodes.filter(n => n.libp2p.getConnections().length === 0)
for (const n of iso.slice(0, 3)) console.log('isolated', JSON.stringify((n.libp2p.services as any).topology.snapshot()), 'boot has conn', b.libp2p.getConnections(n.peerId).length)
process.exit(0)
