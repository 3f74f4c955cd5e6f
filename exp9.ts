import { startNetwork } from '/work/main/src/harness/index.ts'
import { multiaddr } from '@multiformats/multiaddr'
import { peerHealthContribution } from '/work/main/src/health/index.ts'
import { topologyContribution } from '/work/main/src/discovery/index.ts'
import { natContribution } from '/work/main/src/nat/index.ts'
import { gossipContribution } from '/work/main/src/gossip/index.ts'
import { directContribution } from '/work/main/src/direct/index.ts'
const n = Number(process.argv[2])
const names = (process.env.C ?? '').split(',').filter(Boolean)
const table: Record<string, any> = { peers: peerHealthContribution(), topo: topologyContribution, nat: natContribution, gossip: gossipContribution(), direct: directContribution }
const contributions = names.map(k => table[k])
const boot = await startNetwork({ nodes: 1, contributions })
const t0 = performance.now(); const c0 = process.cpuUsage()
const net = await startNetwork({ nodes: n, bootstrap: 'none', startConcurrency: n, contributions, config: { bootstrap: boot.bootstrapAddrs } })
const tStarted = performance.now()
if (!names.includes('topo')) await Promise.allSettled(net.nodes.map(async x => { for (let i = 0; i < 5; i++) { try { await x.libp2p.dial(multiaddr(boot.bootstrapAddrs[0]!), { signal: AbortSignal.timeout(10000) }); return } catch {} } }))
while (boot.nodes[0]!.libp2p.getConnections().length < n && performance.now() - t0 < 40000) await new Promise(r => setTimeout(r, 50))
const c = process.cpuUsage(c0)
console.log(`C=${names.join(',')} n=${n}: start ${Math.round(tStarted - t0)} ms, all joined boot in ${Math.round(performance.now() - t0)} ms, cpu ${Math.round((c.user + c.system) / 1000)} ms, boot conns ${boot.nodes[0]!.libp2p.getConnections().length}`)
await net.stop(); await boot.stop()
