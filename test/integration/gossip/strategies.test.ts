import assert from 'node:assert/strict'
import { after, describe, it } from 'node:test'
import { Transaction } from '../../../protos/gen/sorcha/p2p/v1/tx_gossip.ts'
import { gossipContribution, gossipOf, topicOf, txIdOf, type GossipsubDistributor, type GossipVerdict } from '../../../src/gossip/index.ts'
import { startNetwork, type TestNetwork } from '../../../src/harness/index.ts'
import type { SorchaNode } from '../../../src/node/sorcha-node.ts'
import { chain, connect, quiet, randomGraph, waitFor } from '../../support/gossip-net.ts'

const text = (s: string): Uint8Array => new TextEncoder().encode(s)

function received (node: SorchaNode): Map<string, number> {
  const seen = new Map<string, number>()
  gossipOf(node).addEventListener('tx:received', e => { seen.set(e.detail.txId, (seen.get(e.detail.txId) ?? 0) + 1) })
  return seen
}

describe('gossip strategies and registers', () => {
  const nets: TestNetwork[] = []
  after(async () => { await Promise.all(nets.map(async net => net.stop())) })

  it('gossipsub: the same API delivers every transaction once, and rejects forged ones', async () => {
    const net = await startNetwork({
      nodes: 6,
      bootstrap: 'none',
      config: { gossip: { strategy: 'gossipsub', registers: ['reg-a'], gossipsub: { ipColocationWhitelist: ['127.0.0.1'], heartbeatIntervalMs: 200 } }, metrics: { enabled: true } },
      contributions: [gossipContribution()]
    })
    nets.push(net)
    await quiet(net.nodes)
    await connect(net.nodes, randomGraph(6, 3, 5))
    const topic = topicOf('reg-a')
    await waitFor(() => net.nodes.every(n => ((gossipOf(n) as GossipsubDistributor).pubsub as unknown as { getMeshPeers: (t: string) => string[] }).getMeshPeers(topic).length > 0), 60_000, 'mesh')
    assert.equal(gossipOf(net.nodes[0]!).strategy, 'gossipsub')
    const seen = net.nodes.map(received)
    const ids: string[] = []
    for (let i = 0; i < 20; i++) ids.push((await gossipOf(net.nodes[i % 6]!).publish({ registerId: 'reg-a', payload: text(`tx ${i}`) })).txId)
    await waitFor(() => seen.every(m => ids.every(id => m.get(id) === 1)), 60_000, 'gossipsub deliveries')
    assert.equal(new TextDecoder().decode((await gossipOf(net.nodes[3]!).get(ids[7]!))!.payload), 'tx 7')
    // The gossip families count gossipsub's traffic too (from gossipsub's own counters).
    const metrics = await (await fetch(`${net.nodes[3]!.metricsUrl}/metrics`)).text()
    const series = (name: string): number => Number(metrics.split('\n').find(l => l.startsWith(`${name} `))?.split(' ')[1] ?? NaN)
    const delivered = series('sorcha_gossip_delivered_total{strategy="gossipsub"}')
    assert.ok(delivered >= ids.length - 4, metrics)
    assert.ok(series('sorcha_gossip_received_total{strategy="gossipsub"}') >= delivered, 'received, duplicates included, is at least delivered')
    assert.ok(series('sorcha_gossip_duplicates_total{strategy="gossipsub"}') >= 0)
    assert.ok(series('sorcha_gossip_bytes_total{strategy="gossipsub",direction="in",kind="rpc"}') > 20 * 6, 'RPC bytes in')
    assert.ok(series('sorcha_gossip_bytes_total{strategy="gossipsub",direction="out",kind="rpc"}') > 0, 'RPC bytes out')
    // A forged message straight into the topic: its payload does not hash to its id.
    const verdicts: GossipVerdict[] = []
    for (const node of net.nodes.slice(1)) gossipOf(node).addEventListener('gossip:verdict', e => { verdicts.push(e.detail) })
    const forgedId = txIdOf(text('original'))
    const forged = Transaction.encode({ notification: { txId: forgedId, registerId: 'reg-a', sender: net.nodes[0]!.peerId.toString(), timestampMs: Date.now(), sizeBytes: 6, contentType: 'text/plain', hopCount: 0 }, payload: text('forged') }).finish()
    await (gossipOf(net.nodes[0]!) as GossipsubDistributor).pubsub.publish(topic, forged)
    await waitFor(() => verdicts.some(v => v.verdict === 'reject' && v.code === 'tx-id-mismatch'), 30_000, 'reject verdict')
    assert.equal(await gossipOf(net.nodes[1]!).get(forgedId), undefined)
  })

  it('sorcha: a relay (gossip.relayAllRegisters) that follows one register relays the others without handing them to its application', async () => {
    const net = await startNetwork({ nodes: 3, bootstrap: 'none', configFor: i => i === 1 ? { gossip: { registers: ['reg-a'], relayAllRegisters: true } } : {}, contributions: [gossipContribution()] })
    nets.push(net)
    await quiet(net.nodes)
    await connect(net.nodes, chain(3))
    await waitFor(() => gossipOf(net.nodes[1]!).stats().peers === 2)
    const [first, middle, last] = net.nodes.map(received)
    assert.equal(gossipOf(net.nodes[1]!).follows('reg-b'), false)
    assert.equal(gossipOf(net.nodes[1]!).relaysAll(), true)
    assert.equal(gossipOf(net.nodes[0]!).relaysAll(), false)
    const a = await gossipOf(net.nodes[0]!).publish({ registerId: 'reg-a', payload: text('for a') })
    const b = await gossipOf(net.nodes[0]!).publish({ registerId: 'reg-b', payload: text('for b') })
    await waitFor(() => last!.has(a.txId) && last!.has(b.txId), 30_000, 'relayed through the middle')
    assert.equal(middle!.get(a.txId), 1)
    assert.equal(middle!.has(b.txId), false)
    assert.ok(await gossipOf(net.nodes[1]!).get(b.txId), 'held and served, just not handed to the application')
    assert.equal(first!.get(a.txId), 1)
    assert.deepEqual(gossipOf(net.nodes[1]!).registers(), ['reg-a'])
    const changes: string[][] = []
    gossipOf(net.nodes[1]!).addEventListener('registers:changed', e => changes.push(e.detail.registers))
    gossipOf(net.nodes[1]!).follow('reg-b')
    gossipOf(net.nodes[1]!).follow('reg-b')
    assert.deepEqual(changes, [['reg-a', 'reg-b']], 'one event per change, none for a register already served')
    const b2 = await gossipOf(net.nodes[2]!).publish({ registerId: 'reg-b', payload: text('now followed') })
    await waitFor(() => middle!.get(b2.txId) === 1, 30_000, 'followed after follow()')
  })

  it('sorcha: a restarted node keeps its transactions and does not see them again', async () => {
    const net = await startNetwork({ nodes: 2, bootstrap: 'none', contributions: [gossipContribution()] })
    nets.push(net)
    await quiet(net.nodes)
    await connect(net.nodes, chain(2))
    await waitFor(() => gossipOf(net.nodes[1]!).stats().peers === 1)
    const before = received(net.nodes[1]!)
    const ids: string[] = []
    for (let i = 0; i < 5; i++) ids.push((await gossipOf(net.nodes[0]!).publish({ registerId: 'reg-a', payload: text(`kept ${i}`) })).txId)
    await waitFor(() => before.size === 5)
    await net.nodes[1]!.stop()
    const again = await net.createNode('node-1')
    await again.start()
    await quiet([again])
    const after = received(again)
    await connect([net.nodes[0]!, again], [[1, 0]])
    await waitFor(() => gossipOf(again).stats().peers === 1)
    for (const id of ids) assert.ok(await gossipOf(again).get(id))
    // Anti-entropy on connect: the peer compares summaries and offers nothing the node already holds.
    await new Promise(resolve => setTimeout(resolve, 1500))
    assert.equal(after.size, 0)
    const fresh = await gossipOf(net.nodes[0]!).publish({ registerId: 'reg-a', payload: text('after restart') })
    await waitFor(() => after.get(fresh.txId) === 1)
    // The service alone: stop and start are idempotent, and a restarted service finds its neighbours.
    const service = gossipOf(again)
    await service.stop()
    await service.stop()
    await assert.rejects(service.publish({ registerId: 'reg-a', payload: text('stopped') }), { name: 'GossipNotStartedError' })
    await service.start()
    await service.start()
    await waitFor(() => service.stats().peers === 1, 30_000, 'neighbour after a service restart')
    const later = await gossipOf(net.nodes[0]!).publish({ registerId: 'reg-a', payload: text('after a service restart') })
    await waitFor(() => after.get(later.txId) === 1, 30_000, 'delivery after a service restart')
    await again.stop()
  })
})
