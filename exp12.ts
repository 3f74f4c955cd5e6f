import { startNetwork, dialAddrs } from '/work/main/src/harness/index.ts'
import { multiaddr } from '@multiformats/multiaddr'
import { peerHealthContribution } from '/work/main/src/health/index.ts'
import { topologyContribution } from '/work/main/src/discovery/index.ts'
import { natContribution } from '/work/main/src/nat/index.ts'
import { gossipContribution } from '/work/main/src/gossip/index.ts'
import { directContribution } from '/work/main/src/direct/index.ts'
const table: Record<string, any> = { peers: peerHealthContribution(), topo: topologyContribution, nat: natContribution, gossip: gossipContribution(), direct: directContribution }
const names = (process.env.C ?? 'peers,topo,nat,gossip,direct').split(',').filter(Boolean)
const net = await startNetwork({ nodes: 21, bootstrap: 'none', contributions: names.map(k => table[k]), config: { connections: { min: 0 } } })
const [a, ...others] = net.nodes
await new Promise(r => setTimeout(r, 2000))
const c0 = process.cpuUsage(); const t0 = performance.now()
for (let round = 0; round < 5; round++) {
  await Promise.all(others.map(async o => a!.libp2p.dial(multiaddr(dialAddrs(o)[0]!))))
  await new Promise(r => setTimeout(r, 1500))
  await Promise.all(others.map(async o => a!.libp2p.hangUp(o.peerId)))
  await new Promise(r => setTimeout(r, 200))
}
const c = process.cpuUsage(c0)
console.log(`C=${names.join(',')}: ${((c.user + c.system) / 1000 / 100).toFixed(1)} ms CPU per connection (incl. 1.5 s of its life), wall ${Math.round(performance.now() - t0)}`)
await net.stop()
