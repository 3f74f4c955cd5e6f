/**
 * Issue 20's first must-show, gossip part: 12 real nodes serving overlapping subsets of 4 registers
 * (test/helpers/registers.ts: pairs of registers, one node with the default configuration, one
 * relay). Every transaction reaches every node serving its register, once, and no payload byte of it
 * reaches a node that does not serve it unless that node relays all. Both strategies; for sorcha
 * both before peer records carry registers (every peer's registers unknown) and after.
 */
import assert from 'node:assert/strict'
import { after, describe, it } from 'node:test'
import { Transaction } from '../../../protos/gen/sorcha/p2p/v1/tx_gossip.ts'
import { ALL_REGISTERS_TOPIC, gossipOf, type GossipsubDistributor } from '../../../src/gossip/index.ts'
import { GOSSIPSUB_TOPIC_PREFIX } from '../../../src/gossip/constants.ts'
import type { TestNetwork } from '../../../src/harness/index.ts'
import type { SorchaNode } from '../../../src/node/sorcha-node.ts'
import { advertiseRegisters, REGISTERS, registerRole, serves, startRegisterNetwork } from '../../helpers/registers.ts'
import { waitFor } from '../../support/gossip-net.ts'

const PER_REGISTER = 6
// Small bodies (pushed by the publisher), pulled ones, and one of several chunks.
const SIZES = [200, 3000, 20_000, 150_000]

/** Transactions handed to each node's application: tx id -> times. */
function watch (nodes: readonly SorchaNode[]): Array<Map<string, number>> {
  return nodes.map(node => {
    const seen = new Map<string, number>()
    gossipOf(node).addEventListener('tx:received', e => { seen.set(e.detail.txId, (seen.get(e.detail.txId) ?? 0) + 1) })
    return seen
  })
}

/** Publishes PER_REGISTER transactions of each register, each from a node serving it; returns id -> register. */
async function publishRound (nodes: readonly SorchaNode[], round: string): Promise<Map<string, string>> {
  const published = new Map<string, string>()
  let k = 0
  for (const register of REGISTERS) {
    const publishers = nodes.map((_, i) => i).filter(i => serves(i, register, nodes.length))
    for (let j = 0; j < PER_REGISTER; j++, k++) {
      const payload = new Uint8Array(SIZES[k % SIZES.length]!).fill(k % 251)
      payload.set(new TextEncoder().encode(`${round} ${register} ${j}`))
      const { txId } = await gossipOf(nodes[publishers[(j * 5 + k) % publishers.length]!]!).publish({ registerId: register, payload })
      published.set(txId, register)
    }
  }
  return published
}

/** Every serving node got every transaction of its registers once; no other node's application did, nor its store (relays aside). */
async function assertDelivered (nodes: readonly SorchaNode[], seen: Array<Map<string, number>>, published: Map<string, string>): Promise<void> {
  // A publisher's own transactions are handed to its application when published.
  const missing = (): string[] => nodes.flatMap((_, i) => [...published].filter(([id, r]) => serves(i, r, nodes.length) && seen[i]!.get(id) !== 1).map(([id]) => `${i}:${id.slice(0, 8)}`))
  await waitFor(() => missing().length === 0, 120_000, 'every serving node has every transaction of its registers')
  for (const [i, node] of nodes.entries()) {
    for (const [id, register] of published) {
      if (serves(i, register, nodes.length)) {
        assert.equal(seen[i]!.get(id), 1, `node ${i} got ${register} tx once`)
      } else {
        assert.equal(seen[i]!.has(id), false, `node ${i} does not serve ${register}: not handed to its application`)
        if (!registerRole(i, nodes.length).relayAll) assert.equal(await gossipOf(node).get(id), undefined, `node ${i} does not store ${register} tx`)
      }
    }
  }
}

describe('registers: scoped gossip on 12 real nodes', () => {
  const nets: TestNetwork[] = []
  after(async () => { await Promise.all(nets.map(async net => net.stop())) })

  it('sorcha: every transaction reaches exactly the nodes serving its register, with no payload byte elsewhere, whether peer records carry registers or not', async () => {
    const net = await startRegisterNetwork('sorcha')
    nets.push(net)
    const { nodes } = net
    await waitFor(() => nodes.every(n => gossipOf(n).stats().peers === nodes.length - 1), 60_000, 'full mesh')
    const seen = watch(nodes)
    const relay = nodes.length - 2
    const unserved = (): number[] => nodes.map(n => gossipOf(n).stats().payloadBytes?.unserved ?? -1)

    // Peer records say nothing of registers (as before advertising): announcements go to everyone,
    // bodies only on request, and nodes do not ask for registers they do not serve.
    const first = await publishRound(nodes, 'unknown')
    await assertDelivered(nodes, seen, first)
    const skipped = nodes.reduce((sum, n) => sum + (gossipOf(n).stats().core?.notServed ?? 0), 0)
    assert.ok(skipped > 0, 'announcements of unserved registers reached nodes of unknown registers, which skipped them')
    for (const [i, bytes] of unserved().entries()) if (i !== relay) assert.equal(bytes, 0, `node ${i} received no payload byte of a register it does not serve`)
    assert.ok(unserved()[relay]! > 0, 'the relay fetched registers it does not serve')

    // Peer records carry registers (as advertising will fill them): the same holds, and nobody
    // announces to a node known not to serve the register.
    await advertiseRegisters(nodes)
    const before = nodes.map(n => gossipOf(n).stats().core?.notServed ?? 0)
    const second = await publishRound(nodes, 'known')
    await assertDelivered(nodes, seen, second)
    for (const [i, bytes] of unserved().entries()) if (i !== relay) assert.equal(bytes, 0, `node ${i}: no payload byte of an unserved register`)
    const skippedAfter = nodes.reduce((sum, n, i) => sum + (gossipOf(n).stats().core?.notServed ?? 0) - before[i]!, 0)
    assert.ok(skippedAfter < skipped, `fewer announcements of unserved registers once registers are known (${skippedAfter} against ${skipped})`)

    // Run-time change: node 0 (reg-a, reg-b) follows reg-c and gets the next reg-c transaction.
    gossipOf(nodes[0]!).follow('reg-c')
    await advertiseRegisters(nodes)
    const { txId } = await gossipOf(nodes[2]!).publish({ registerId: 'reg-c', payload: new TextEncoder().encode('after follow') })
    await waitFor(() => seen[0]!.get(txId) === 1, 60_000, 'node 0 gets reg-c after following it')
  })

  it('gossipsub: the same, registers: [] included (the topic of all registers)', async () => {
    const net = await startRegisterNetwork('gossipsub')
    nets.push(net)
    const { nodes } = net
    const relay = nodes.length - 2
    // Payload bytes of each node's received gossipsub messages whose register it does not serve.
    const unserved = nodes.map(() => 0)
    for (const [i, node] of nodes.entries()) {
      const pubsub = (gossipOf(node) as GossipsubDistributor).pubsub as unknown as { handleReceivedRpc: (from: unknown, rpc: { messages?: Array<{ topic?: string, data?: Uint8Array }> }) => Promise<void> }
      const handle = pubsub.handleReceivedRpc.bind(pubsub)
      pubsub.handleReceivedRpc = async (from, rpc) => {
        for (const m of rpc.messages ?? []) {
          if (m.data === undefined || m.topic === undefined) continue
          const register = m.topic === ALL_REGISTERS_TOPIC ? Transaction.decode(m.data).notification?.registerId ?? '' : m.topic.slice(GOSSIPSUB_TOPIC_PREFIX.length)
          if (!serves(i, register, nodes.length)) unserved[i]! += m.data.byteLength
        }
        return handle(from, rpc)
      }
    }
    assert.deepEqual((gossipOf(nodes[nodes.length - 1]!) as GossipsubDistributor).pubsub.getTopics(), [ALL_REGISTERS_TOPIC], 'registers: [] subscribes to the topic of all registers')
    const seen = watch(nodes)
    const published = await publishRound(nodes, 'gossipsub')
    await assertDelivered(nodes, seen, published)
    for (const [i, bytes] of unserved.entries()) if (i !== relay) assert.equal(bytes, 0, `node ${i}: no payload byte of an unserved register`)
    // The default node hears its own submissions through Subscribe (tx:received) as well.
    const own = await gossipOf(nodes[nodes.length - 1]!).publish({ registerId: 'reg-d', payload: new TextEncoder().encode('own') })
    assert.equal(seen[nodes.length - 1]!.get(own.txId), 1)
  })
})
