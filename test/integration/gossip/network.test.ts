import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { multiaddr } from '@multiformats/multiaddr'
import * as lp from 'it-length-prefixed'
import { createRng } from '../../../protocols/common/rng.ts'
import { PeerStatus, toHex } from '../../../protocols/models/index.ts'
import { GossipFrame } from '../../../protos/gen/sorcha/p2p/v1/tx_gossip.ts'
import { peerHealthContribution } from '../../../src/health/index.ts'
import { reputationContribution } from '../../../src/reputation/index.ts'
import type { PeerList } from '../../../src/peers/types.ts'
import { gossipContribution, gossipOf, TX_GOSSIP_PROTOCOL, txIdOf, type GossipVerdict } from '../../../src/gossip/index.ts'
import { dialAddrs, startNetwork, type TestNetwork } from '../../../src/harness/index.ts'
import type { SorchaNode } from '../../../src/node/sorcha-node.ts'
import { connect, quiet, randomGraph, waitFor } from '../../support/gossip-net.ts'

const NODES = 20
const TXS = 200

/** Counts, per node, how often the application saw each transaction. */
function recordDeliveries (nodes: readonly SorchaNode[]): Array<Map<string, number>> {
  return nodes.map(node => {
    const seen = new Map<string, number>()
    gossipOf(node).addEventListener('tx:received', e => { seen.set(e.detail.txId, (seen.get(e.detail.txId) ?? 0) + 1) })
    return seen
  })
}

const peerListOf = (node: SorchaNode): PeerList => (node.libp2p.services as unknown as { peerList: PeerList }).peerList

describe('sorcha gossip on real nodes', () => {
  let net: TestNetwork
  let rogueNet: TestNetwork | undefined
  const ids: string[] = []

  before(async () => {
    net = await startNetwork({
      nodes: NODES,
      bootstrap: 'none',
      // Four rejects make a ban (4 × 25 points); graylisting and disconnecting wait for the ban so that
      // every invalid frame still gets its verdict.
      config: { gossip: { antiEntropyIntervalMs: 2000 }, reputation: { graylistThreshold: 100, disconnectThreshold: 100, weights: { invalidMessage: 25 } } },
      // The peer list holds the bans that keep a misbehaving peer out; no topology service, so the
      // test's own graph is the topology.
      contributions: [peerHealthContribution(), reputationContribution, gossipContribution()]
    })
    await quiet(net.nodes)
    const edges = randomGraph(NODES, 4, 42)
    await connect(net.nodes, edges)
    const degree = net.nodes.map((_, i) => edges.filter(([a, b]) => a === i || b === i).length)
    await waitFor(() => net.nodes.every((node, i) => gossipOf(node).stats().peers === degree[i]))
  })
  after(async () => {
    await rogueNet?.stop()
    await net?.stop()
  })

  it('delivers 200 transactions from random publishers to every node\'s application exactly once', async () => {
    const seen = recordDeliveries(net.nodes)
    const rng = createRng(7)
    for (let i = 0; i < TXS; i++) {
      const payload = new Uint8Array(300 + rng.int(3000)).map(() => rng.int(256))
      const result = await gossipOf(net.nodes[rng.int(NODES)]!).publish({ registerId: `register-${i % 3}`, payload, contentType: 'application/octet-stream' })
      assert.equal(result.duplicate, false)
      ids.push(result.txId)
    }
    await waitFor(() => seen.every(got => got.size === TXS), 180_000, 'all deliveries')
    await new Promise(resolve => setTimeout(resolve, 1000)) // a late duplicate would show up now
    seen.forEach((got, node) => { for (const id of ids) assert.equal(got.get(id), 1, `node ${node} tx ${id}`) })
    // About one body per node per transaction (each node pulls once; rare races fetch twice).
    const bodies = net.nodes.reduce((sum, node) => sum + gossipOf(node).stats().bodiesReceived, 0)
    const copies = bodies / (TXS * (NODES - 1))
    assert.ok(copies >= 1 && copies <= 1.5, `copies per node per transaction: ${copies}`)
    const stored = await gossipOf(net.nodes[3]!).get(ids[17]!)
    assert.equal(stored?.txId, ids[17])
  })

  it('lets a late-joining node catch up through anti-entropy', async () => {
    const late = await net.addNode()
    await quiet([late])
    const [seen] = recordDeliveries([late])
    const index = net.nodes.indexOf(late)
    await connect(net.nodes, [[index, 0], [index, 11]])
    await waitFor(() => seen!.size === TXS, 120_000, 'catch-up')
    for (const id of ids) assert.equal(seen!.get(id), 1)
    assert.ok((await gossipOf(late).get(ids[0]!))?.payload.length)
  })

  it('sends a publisher\'s later transactions down its push tree (SPEC.md §3.8): bodies pushed, hardly any requested', async () => {
    // The first test's 200 transactions came from every node: each node has a parent for each publisher.
    const nodes = net.nodes
    const seen = recordDeliveries(nodes)
    const requests = (): number => nodes.reduce((sum, node) => sum + (gossipOf(node).stats().core?.requestsSent ?? 0), 0)
    const grafts = nodes.reduce((sum, node) => sum + (gossipOf(node).stats().core?.graftsSent ?? 0), 0)
    assert.ok(grafts >= NODES - 1, `grafts sent: ${grafts}`)
    const before = requests()
    const publisher = gossipOf(nodes[5]!)
    const later: string[] = []
    const rng = createRng(8)
    for (let i = 0; i < 20; i++) {
      const result = await publisher.publish({ registerId: 'register-0', payload: new Uint8Array(2000).map(() => rng.int(256)), contentType: 'application/octet-stream' })
      later.push(result.txId)
      await new Promise(resolve => setTimeout(resolve, 100))
    }
    await waitFor(() => seen.every((got, i) => i === 5 || later.every(id => got.has(id))), 120_000, 'the 20 transactions everywhere')
    seen.forEach((got, node) => { if (node !== 5) for (const id of later) assert.equal(got.get(id), 1, `node ${node}`) })
    // Announce-and-pull asks once per node and transaction (20 × ${nodes.length - 1}); down the trees nearly nothing is asked.
    const asked = requests() - before
    assert.ok(asked <= 20 * (nodes.length - 1) / 2, `bodies requested: ${asked} of ${20 * (nodes.length - 1)} deliveries`)
  })

  it('gives reject verdicts to a peer that sends invalid messages, and the other nodes keep working', async () => {
    rogueNet = await startNetwork({ nodes: 1, bootstrap: 'none' })
    const rogue = rogueNet.nodes[0]!
    const victim = net.nodes[0]!
    const verdicts: GossipVerdict[] = []
    gossipOf(victim).addEventListener('gossip:verdict', e => { if (e.detail.peer === rogue.peerId.toString()) verdicts.push(e.detail) })
    const stream = await rogue.libp2p.dialProtocol(multiaddr(dialAddrs(victim)[0]!), TX_GOSSIP_PROTOCOL)
    const payload = new TextEncoder().encode('not what the id says')
    const fakeId = txIdOf(new TextEncoder().encode('something else'))
    const chunk = GossipFrame.encode({
      chunk: {
        txId: fakeId, offset: 0, length: payload.length, totalBytes: payload.length, hopCount: 1, compression: 0, data: payload,
        notification: { txId: fakeId, registerId: 'register-0', sender: rogue.peerId.toString(), timestampMs: Date.now(), sizeBytes: payload.length, contentType: 'text/plain', hopCount: 0 }
      }
    }).finish()
    stream.send(lp.encode.single(new Uint8Array([0xff, 0xff, 0xff, 0x01])))
    stream.send(lp.encode.single(GossipFrame.encode({ inv: { items: [{ txId: new Uint8Array(5), sizeBytes: 10, hopCount: 1, registerId: '', origin: 0 }] } }).finish()))
    stream.send(lp.encode.single(chunk))
    await waitFor(() => verdicts.length >= 3, 60_000, 'three verdicts')
    stream.send(new Uint8Array([0x80, 0x80, 0x80, 0x08])) // a length prefix of 16 MiB: far above the frame limit
    await waitFor(() => verdicts.length >= 4, 60_000, 'the oversized-frame verdict')
    // Whatever the rogue sends after its offences (its own node's gossip) is ignored unread: graylisted.
    const codes = verdicts.map(v => `${v.verdict}:${v.code}`)
    assert.deepEqual(codes.slice(0, 4), ['reject:malformed-frame', 'reject:malformed-frame', 'reject:tx-id-mismatch', 'reject:oversized-frame'])
    assert.ok(codes.slice(4).every(c => c === 'ignore:graylisted'), codes.join(', '))
    assert.equal(await gossipOf(victim).get(toHex(fakeId)), undefined)
    // Three rejects and an oversized frame (an invalid message and an `oversized` offence) reach the ban
    // threshold: the victim bans the rogue with the code of the offence that crossed it, which closes
    // its connection and refuses it after.
    await waitFor(() => victim.libp2p.getConnections(rogue.peerId).length === 0, 60_000, 'hang-up')
    const ban = await peerListOf(victim).get(rogue.peerId.toString())
    assert.deepEqual([ban?.status, ban?.banCode, ban?.banCount], [PeerStatus.PEER_STATUS_BANNED, 'oversized', 1])
    await waitFor(() => rogue.libp2p.getConnections(victim.peerId).length === 0, 60_000, 'the rogue sees the hang-up')
    // A banned peer cannot reconnect: the victim refuses it once Noise reveals who it is, so the
    // connection never opens on the victim's side (the rogue may briefly think it did, then sees it close).
    let reopened = 0
    victim.libp2p.addEventListener('connection:open', e => { if (e.detail.remotePeer.equals(rogue.peerId)) reopened++ })
    await rogue.libp2p.dial(multiaddr(dialAddrs(victim)[0]!)).catch(() => undefined)
    await waitFor(() => rogue.libp2p.getConnections(victim.peerId).length === 0, 60_000, 'the refused connection closes')
    assert.equal(reopened, 0)
    // The honest nodes still spread transactions, the victim included.
    const honest = net.nodes
    const seen = recordDeliveries(honest)
    const result = await gossipOf(honest[5]!).publish({ registerId: 'register-1', payload: new TextEncoder().encode('still working '.repeat(40)) })
    await waitFor(() => seen.every(got => got.get(result.txId) === 1), 60_000, 'delivery after the attack')
  })
})
