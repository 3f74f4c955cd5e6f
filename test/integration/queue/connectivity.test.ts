/**
 * The queue follows the connectivity service when the node runs one (CONTRACTS16.md): while it says
 * `suspended`, submissions stay queued even with a peer connected; on `connectivity:change` to
 * `online` the queue flushes by itself. The service here is a stand-in with the contract's shape
 * (state + event), contributed under the service name the queue looks up.
 */
import assert from 'node:assert/strict'
import { after, describe, it } from 'node:test'
import { multiaddr } from '@multiformats/multiaddr'
import type { ServiceMap } from '@libp2p/interface'
import { TypedEventEmitter } from 'main-event'
import { gossipContribution, gossipOf } from '../../../src/gossip/index.ts'
import { dialAddrs, startNetwork, type TestNetwork } from '../../../src/harness/index.ts'
import type { ServiceContribution, SorchaNode } from '../../../src/node/sorcha-node.ts'
import { CONNECTIVITY_SERVICE } from '../../../src/queue/index.ts'
import { quiet, waitFor } from '../../support/gossip-net.ts'

const text = (s: string): Uint8Array => new TextEncoder().encode(s)

/** The connectivity service as the contract describes it, driven by the test. */
class StandInConnectivity extends TypedEventEmitter<{ 'connectivity:change': CustomEvent<{ from: string, to: string, reason: string, atMs: number }> }> {
  state = 'suspended'
  set (to: string): void {
    const from = this.state
    this.state = to
    this.safeDispatchEvent('connectivity:change', { detail: { from, to, reason: 'test', atMs: Date.now() } })
  }
}

describe('queue and connectivity service', () => {
  const nets: TestNetwork[] = []
  after(async () => { await Promise.all(nets.map(async net => net.stop())) })

  it('suspended: queued although a peer is connected; online: flushed and confirmed', async () => {
    // One stand-in per node, in creation order; the first node's is driven, the peer's stays online.
    const standIns: StandInConnectivity[] = []
    const standIn: ServiceContribution = () => {
      const service = new StandInConnectivity()
      if (standIns.length > 0) service.state = 'online'
      standIns.push(service)
      return { [CONNECTIVITY_SERVICE]: () => service } as unknown as ServiceMap
    }
    const net = await startNetwork({ nodes: 2, bootstrap: 'none', config: { queue: { retryInitialMs: 200 } }, contributions: [standIn, gossipContribution()] })
    nets.push(net)
    const [node, peer] = net.nodes as [SorchaNode, SorchaNode]
    const connectivity = standIns[0] as StandInConnectivity
    await quiet([node, peer])
    await node.libp2p.dial(multiaddr(dialAddrs(peer)[0] as string))
    await waitFor(() => gossipOf(node).stats().peers === 1, 30_000, 'neighbour')
    const results = []
    for (let i = 0; i < 20; i++) results.push(await gossipOf(node).publish({ registerId: 'reg', payload: text(`suspended ${i}`) }))
    assert.ok(results.every(r => r.state === 'queued'), 'suspended: queued despite a connected peer')
    assert.equal(gossipOf(node).queueStats().sending, false)
    await new Promise(resolve => setTimeout(resolve, 300))
    assert.equal(await gossipOf(peer).get(results[0]!.txId), undefined, 'nothing was sent while suspended')
    connectivity.set('online')
    await waitFor(() => gossipOf(node).queueStats().depth === 0, 30_000, 'flushed and confirmed once online')
    for (const r of results) assert.ok(await gossipOf(peer).get(r.txId))
    assert.equal(gossipOf(node).queueStats().sending, true)
    connectivity.set('degraded')
    const degraded = await gossipOf(node).publish({ registerId: 'reg', payload: text('degraded still sends') })
    assert.equal(degraded.state, 'announced')
  })
})
