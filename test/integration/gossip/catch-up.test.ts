/**
 * A node that was away catches up by reconciliation (protocols/tx-gossip/SPEC.md §9), with either
 * strategy: its peer published more transactions than anti-entropy's recent window holds (sorcha),
 * or any at all (gossipsub keeps no history), and a third node already confirmed them all, so the
 * publisher's outbound queue is empty and will not send them again; once the newcomer connects to the
 * publisher it holds them all, its application sees each once, and a register it does not follow
 * (gossipsub) is not pulled.
 */
import assert from 'node:assert/strict'
import { after, describe, it } from 'node:test'
import { gossipContribution, gossipOf } from '../../../src/gossip/index.ts'
import { startNetwork, type TestNetwork } from '../../../src/harness/index.ts'
import { connect, quiet, waitFor } from '../../support/gossip-net.ts'

/**
 * The publisher's queue checks its transactions at least every 2 s (default: backing off to 60 s), so
 * that a confirmation round lost to a loaded machine's timeouts does not hold the test for minutes.
 */
const QUICK_CHECKS = { retryMaxMs: 2000 }

async function catchUp (strategy: 'sorcha' | 'gossipsub', count: number, net: TestNetwork): Promise<void> {
  const [a, b] = net.nodes as [typeof net.nodes[0], typeof net.nodes[0]]
  await quiet(net.nodes)
  await connect(net.nodes, [[2, 0]])
  const seen = new Map<string, number>()
  gossipOf(b).addEventListener('tx:received', e => { seen.set(e.detail.txId, (seen.get(e.detail.txId) ?? 0) + 1) })
  const ids: string[] = []
  for (let i = 0; i < count; i++) ids.push((await gossipOf(a).publish({ registerId: 'reg-a', payload: new TextEncoder().encode(`${strategy} ${i}`) })).txId)
  // Another register, which the gossipsub node does not follow.
  for (let i = 0; i < 10; i++) await gossipOf(a).publish({ registerId: 'reg-other', payload: new TextEncoder().encode(`other ${i}`) })
  // Confirmed by the third node: the queue lets them go, only catch-up can bring them to the newcomer.
  await waitFor(() => gossipOf(a).queueStats().depth === 0, 120_000, `${strategy}: the publisher's queue empties`)
    .catch((err: Error) => { throw new Error(`${err.message}; queue ${JSON.stringify(gossipOf(a).queueStats())}; third node holds ${gossipOf(net.nodes[2]!).stats().store.count}`) })
  await connect(net.nodes, [[1, 0]])
  await waitFor(() => seen.size >= count, 120_000, `${strategy}: ${count} transactions at the newcomer`)
  await new Promise(resolve => setTimeout(resolve, 500))
  for (const id of ids) assert.equal(seen.get(id), 1)
  assert.ok((await gossipOf(b).get(ids[0]!))?.payload.length)
  const reconcile = gossipOf(b).stats().reconcile!
  assert.ok(reconcile.sessionsCompleted >= 1)
  // Recovered: found missing by reconciliation, then stored (sorcha's anti-entropy brings some too).
  assert.ok(reconcile.recovered >= 1 && reconcile.recovered <= reconcile.needs, JSON.stringify(reconcile))
  if (strategy === 'gossipsub') {
    assert.equal(gossipOf(b).stats().store.count, count)
    // gossipsub's own gossip (IHAVE for its last few heartbeats) may bring the newest ones first.
    assert.ok(reconcile.needs > 0 && reconcile.needs <= count, `reconciliation found ${reconcile.needs} of ${count} missing`)
    assert.ok(reconcile.recovered > 0 && reconcile.recovered <= reconcile.needs, `recovered ${reconcile.recovered} of ${reconcile.needs} needs`)
  }
}

describe('catch-up by reconciliation', () => {
  const nets: TestNetwork[] = []
  after(async () => { await Promise.all(nets.map(async n => n.stop())) })

  it('sorcha: a node that connects late gets 5,000 transactions (more than recentMax = 4,096)', async () => {
    const net = await startNetwork({ nodes: 3, bootstrap: 'none', configFor: () => ({ queue: QUICK_CHECKS }), contributions: [gossipContribution()] })
    nets.push(net)
    await catchUp('sorcha', 5000, net)
    assert.equal(gossipOf(net.nodes[1]!).stats().store.count, 5010)
  })

  it('gossipsub: a node that connects late gets the 1,000 transactions of the register it follows, not the others', async () => {
    const net = await startNetwork({
      nodes: 3,
      bootstrap: 'none',
      configFor: i => ({ queue: QUICK_CHECKS, gossip: { strategy: 'gossipsub', registers: i === 1 ? ['reg-a'] : ['reg-a', 'reg-other'], gossipsub: { ipColocationWhitelist: ['127.0.0.1'] } } }),
      contributions: [gossipContribution()]
    })
    nets.push(net)
    await catchUp('gossipsub', 1000, net)
  })
})
