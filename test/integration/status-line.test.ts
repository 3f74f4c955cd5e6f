/**
 * The status line's figures on real in-process nodes (issue 17 item 5): connections by direction,
 * peers, health, connectivity, queue, and transactions per second in and out over the interval,
 * as the `statusLine` service of a standard node computes them.
 */
import assert from 'node:assert/strict'
import { after, describe, it } from 'node:test'
import { gossipOf } from '../../src/gossip/index.ts'
import { startNetwork, type TestNetwork } from '../../src/harness/index.ts'
import type { StatusLine } from '../../src/node/status-line.ts'
import { waitFor } from '../support/gossip-net.ts'

const statusOf = (node: TestNetwork['nodes'][number]): StatusLine => (node.libp2p.services as unknown as { statusLine: StatusLine }).statusLine

describe('status line on real nodes', () => {
  let net: TestNetwork | undefined
  after(async () => { await net?.stop() })

  it('counts connections by direction, and the transactions one node published and the other received per second', async () => {
    net = await startNetwork({ nodes: 2 })
    const [boot, joiner] = net.nodes as [TestNetwork['nodes'][number], TestNetwork['nodes'][number]]
    await waitFor(() => boot.libp2p.getPeers().length === 1 && joiner.libp2p.getPeers().length === 1, 60_000, 'the two nodes connected')
    const received = new Set<string>()
    gossipOf(joiner).addEventListener('tx:received', e => { received.add(e.detail.txId) })
    // Start both intervals now.
    statusOf(boot).figures()
    statusOf(joiner).figures()
    for (let i = 0; i < 6; i++) await gossipOf(boot).publish({ registerId: 'reg-status', payload: new TextEncoder().encode(`status ${i}`) })
    await waitFor(() => received.size === 6, 60_000, 'six transactions at the joiner')
    const out = statusOf(boot).figures()
    const into = statusOf(joiner).figures()
    assert.deepEqual([out.peersConnected, into.peersConnected], [1, 1])
    assert.equal(out.connectionsIn + out.connectionsOut, boot.libp2p.getConnections().length)
    assert.equal(into.connectionsIn + into.connectionsOut, joiner.libp2p.getConnections().length)
    // The joiner dialled its bootstrap node: inbound there, outbound here.
    assert.ok(out.connectionsIn >= 1 && into.connectionsOut >= 1, JSON.stringify([out, into]))
    const perSecond = (n: number, ms: number): number => Math.round(n / (ms / 1000) * 100) / 100
    assert.equal(out.txOutPerSec, perSecond(6, out.intervalMs))
    assert.equal(out.txInPerSec, 0)
    assert.equal(into.txInPerSec, perSecond(6, into.intervalMs))
    assert.equal(into.txOutPerSec, 0)
    for (const f of [out, into]) {
      assert.equal(typeof f.healthScore, 'number')
      assert.ok(['connecting', 'online', 'degraded'].includes(f.state!), f.state!)
      assert.equal(typeof f.queueDepth, 'number')
      assert.ok(f.peersKnown! >= 1)
    }
  })
})
