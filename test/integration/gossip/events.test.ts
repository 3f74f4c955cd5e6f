/**
 * The gossip layer's events (docs/events.md) on real nodes: tx_published where a transaction was
 * submitted, tx_received with its sender and hops where it arrived, and tx_recovered where
 * reconciliation found it missing (a gossipsub node that connects late holds no history otherwise).
 */
import assert from 'node:assert/strict'
import { after, describe, it } from 'node:test'
import { eventLogContribution, eventLogOf, type EventLogService } from '../../../src/events/index.ts'
import { gossipContribution, gossipOf } from '../../../src/gossip/index.ts'
import { startNetwork, type TestNetwork } from '../../../src/harness/index.ts'
import type { SorchaNode } from '../../../src/node/sorcha-node.ts'
import { connect, quiet, waitFor } from '../../support/gossip-net.ts'

const logOf = (node: SorchaNode): EventLogService => eventLogOf(node.libp2p.services as Record<string, unknown>)!

describe('gossip events', () => {
  const nets: TestNetwork[] = []
  after(async () => { await Promise.all(nets.map(async n => n.stop())) })

  it('gossipsub: a node that connects late logs each transaction as received from its peer, and those reconciliation found missing as recovered', async () => {
    const net = await startNetwork({
      nodes: 3,
      bootstrap: 'none',
      configFor: () => ({ queue: { retryMaxMs: 2000 }, gossip: { strategy: 'gossipsub', registers: ['reg-a'], gossipsub: { ipColocationWhitelist: ['127.0.0.1'] } } }),
      contributions: [eventLogContribution, gossipContribution()]
    })
    nets.push(net)
    const [a, b] = net.nodes as [SorchaNode, SorchaNode]
    await quiet(net.nodes)
    // A third node takes and confirms them, so a's outbound queue lets them go: the late node can
    // only get them by catch-up, not by the queue's flush racing it.
    await connect(net.nodes, [[2, 0]])
    const ids: string[] = []
    for (let i = 0; i < 20; i++) ids.push((await gossipOf(a).publish({ registerId: 'reg-a', payload: new TextEncoder().encode(`late ${i}`) })).txId)
    await waitFor(() => gossipOf(a).queueStats().depth === 0, 120_000, 'the third node confirmed them all')
    // Older than gossipsub's message cache (5 heartbeats of 1 s): only reconciliation can bring them.
    await new Promise(resolve => setTimeout(resolve, 7_000))
    await connect(net.nodes, [[1, 0]])
    await waitFor(() => gossipOf(b).stats().store.count >= ids.length, 120_000, 'the late node holds the 20 transactions')
    // Reconciliation found them all missing; each is logged as recovered once it is stored.
    const needs = gossipOf(b).stats().reconcile?.needs ?? 0
    assert.equal(needs, ids.length, 'reconciliation found every one missing')
    const recovered = (await logOf(b).query({ types: ['tx_recovered'], limit: 1000 })).events
    assert.equal(recovered.length, needs)
    assert.equal(new Set(recovered.map(e => e.txId)).size, needs, 'each once')
    assert.ok(recovered.every(e => ids.includes(e.txId ?? '') && e.reason === 'reconciliation'))
    const received = (await logOf(b).query({ types: ['tx_received'], txId: ids[0]! })).events
    assert.deepEqual(received.map(e => [e.peerId, e.data.hops, e.data.delivered]), [[a.peerId.toString(), 1, true]])
    const published = (await logOf(a).query({ types: ['tx_published'], limit: 1000 })).events.map(e => e.txId)
    assert.deepEqual(published, ids, 'the publisher logged each once, in order')
  })
})
