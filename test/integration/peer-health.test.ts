import assert from 'node:assert/strict'
import { after, describe, it } from 'node:test'
import { multiaddr } from '@multiformats/multiaddr'
import { PeerSource, PeerStatus } from '../../protocols/models/index.ts'
import { dialAddrs, startNetwork, type TestNetwork } from '../../src/harness/index.ts'
import { peerHealthContribution, type HealthMonitor } from '../../src/health/index.ts'
import type { PeerList } from '../../src/peers/index.ts'
import type { SorchaNode } from '../../src/node/sorcha-node.ts'
import { until } from '../helpers/api-clients.ts'

const services = (node: SorchaNode): { peerList: PeerList, health: HealthMonitor } =>
  node.libp2p.services as unknown as { peerList: PeerList, health: HealthMonitor }


describe('peer health with real nodes', () => {
  let net: TestNetwork | undefined
  after(async () => { await net?.stop() })

  it('a peer that stops answering becomes UNREACHABLE, then is removed, and stays removed after a restart', async () => {
    net = await startNetwork({
      nodes: 2,
      bootstrap: 'none',
      contributions: [peerHealthContribution()],
      config: { health: { intervalMs: 1000, timeoutMs: 1000, failureThreshold: 2, removeAfterFailures: 3 } }
    })
    const [a, b] = net.nodes as [SorchaNode, SorchaNode]
    const bId = b.peerId.toString()
    const list = services(a).peerList
    await a.libp2p.dial(multiaddr(dialAddrs(b)[0]!))

    // identify makes the contact firsthand on both sides; a health round then measures latency.
    await until(async () => ((await list.get(bId))?.latencyMs ?? 0) > 0)
    const healthy = await list.get(bId)
    assert.equal(healthy?.status, PeerStatus.PEER_STATUS_HEALTHY)
    assert.ok(healthy!.addresses.some(addr => dialAddrs(b)[0]!.startsWith(addr)))
    await until(async () => (await services(b).peerList.get(a.peerId.toString())) !== undefined)
    assert.equal((await services(b).peerList.get(a.peerId.toString()))?.source, PeerSource.PEER_SOURCE_INBOUND)
    assert.ok(services(a).health.healthScore() > 0)

    const statuses: number[] = []
    list.addEventListener('peer:updated', e => { if (e.detail.peerId === bId) statuses.push(e.detail.status) })
    const removal = new Promise<string>(resolve => {
      list.addEventListener('peer:removed', e => { if (e.detail.peerId === bId) resolve(e.detail.reason) })
    })
    await b.stop()

    assert.equal(await removal, 'failures')
    assert.ok(statuses.includes(PeerStatus.PEER_STATUS_UNREACHABLE), 'unreachable before removal')
    assert.ok(statuses.indexOf(PeerStatus.PEER_STATUS_DEGRADED) < statuses.indexOf(PeerStatus.PEER_STATUS_UNREACHABLE))
    assert.equal(await list.get(bId), undefined)
    assert.equal(services(a).health.healthScore(), 0, 'no connection left')

    await a.stop()
    const restarted = await net.createNode('node-0')
    net.nodes.push(restarted)
    await restarted.start()
    assert.equal(restarted.peerId.toString(), a.peerId.toString())
    assert.equal(await services(restarted).peerList.get(bId), undefined, 'the removal was persisted')
  })

  it('a restarted node sees its peers again; a ban closes the connection and survives the restart', async () => {
    const three = await startNetwork({ nodes: 3, bootstrap: 'none', contributions: [peerHealthContribution()] })
    try {
      const [a, b, c] = three.nodes as [SorchaNode, SorchaNode, SorchaNode]
      await a.libp2p.dial(multiaddr(dialAddrs(b)[0]!))
      await a.libp2p.dial(multiaddr(dialAddrs(c)[0]!))
      const ids = [b.peerId.toString(), c.peerId.toString()]
      await until(async () => (await Promise.all(ids.map(async id => services(a).peerList.get(id)))).every(n => n !== undefined))
      await services(a).peerList.ban(ids[1]!, { now: Date.now(), reason: 'test' })
      await until(() => a.libp2p.getConnections(c.peerId).length === 0)

      await a.stop()
      const again = await three.createNode('node-0')
      three.nodes.push(again)
      await again.start()
      const known = await services(again).peerList.list({ orderBy: 'lastSeen' })
      assert.deepEqual(known.map(n => n.peerId).sort(), [...ids].sort())
      assert.equal((await services(again).peerList.get(ids[0]!))?.status, PeerStatus.PEER_STATUS_HEALTHY)
      assert.ok(services(again).peerList.isBanned(ids[1]!, Date.now()))
    } finally {
      await three.stop()
    }
  })
})
