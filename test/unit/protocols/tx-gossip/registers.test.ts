import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createRng } from '../../../../protocols/common/rng.ts'
import { createTxGossipCore, type GossipEffect, type RegisterSet } from '../../../../protocols/tx-gossip/index.ts'
import { MiniNet } from './mini-net.ts'

const KB = 1024
const txId = (i: number): string => i.toString(16).padStart(64, '0')
const REGISTERS = ['ra', 'rb', 'rc', 'rd']

/** Node i serves two registers (overlapping subsets); `relay` nodes serve all. */
function servedBy (node: number, relays: ReadonlySet<number>): RegisterSet {
  return relays.has(node) ? 'all' : [REGISTERS[node % 4]!, REGISTERS[(node + 1) % 4]!]
}

/** A mini network where every node is told its served set, and (if `advertised`) each neighbour's. */
function scopedNet (nodes: number, seed: number, advertised: boolean, relays: ReadonlySet<number> = new Set()): MiniNet {
  // A complete graph: each register's serving nodes are neighbours of each other.
  const edges: Array<[number, number]> = []
  for (let a = 0; a < nodes; a++) for (let b = a + 1; b < nodes; b++) edges.push([a, b])
  const net = new MiniNet({ nodes, seed, edges, config: { antiEntropyIntervalMs: 500 } })
  for (let i = 0; i < nodes; i++) {
    net.inject(i, { type: 'scope', now: 0, registers: servedBy(i, relays) })
  }
  net.run(net.now + 1)
  if (advertised) {
    for (let i = 0; i < nodes; i++) {
      for (let j = 0; j < nodes; j++) if (i !== j) net.inject(i, { type: 'peer-scope', now: 0, peer: net.names[j]!, registers: servedBy(j, relays) })
    }
    net.run(net.now + 1)
  }
  return net
}

function serves (set: RegisterSet, register: string): boolean {
  return set === 'all' || set.includes(register)
}

function publishAcross (net: MiniNet, count: number, size: number, relays: ReadonlySet<number>): Map<string, number> {
  const publishers = new Map<string, number>()
  for (let i = 0; i < count; i++) {
    const register = REGISTERS[i % 4]!
    // The publisher serves the register it publishes to.
    const candidates = net.cores.map((_, n) => n).filter(n => serves(servedBy(n, relays), register))
    const publisher = candidates[net.rng.int(candidates.length)]!
    net.publish(publisher, txId(i), size, register)
    publishers.set(txId(i), publisher)
    net.run(net.now + 5)
  }
  net.run(net.now + 30_000)
  return publishers
}

function assertScoped (net: MiniNet, count: number, relays: ReadonlySet<number>): void {
  net.delivered.forEach((got, node) => {
    for (let i = 0; i < count; i++) {
      const register = REGISTERS[i % 4]!
      const serving = serves(servedBy(node, relays), register)
      assert.equal(got.get(txId(i)) ?? 0, serving ? 1 : 0, `node ${node} tx ${i} (${register})`)
      if (!serving) assert.equal(net.bodyBytesOf.get(`${node}:${txId(i)}`) ?? 0, 0, `no body byte of tx ${i} (${register}) at node ${node}`)
    }
  })
}

describe('tx-gossip core: register scoping (SPEC.md §3.7)', () => {
  for (const advertised of [true, false]) {
    it(`delivers each transaction to exactly the nodes serving its register, no body byte elsewhere (peers' registers ${advertised ? 'known' : 'unknown'})`, () => {
      const net = scopedNet(12, 7, advertised)
      const count = 40
      publishAcross(net, count, 2 * KB, new Set())
      assertScoped(net, count, new Set())
      // Each node serves 2 of 4 registers: it receives the bodies of about half the transactions, once each.
      for (let node = 0; node < 12; node++) {
        const served = servedBy(node, new Set()) as readonly string[]
        let expected = 0
        for (let i = 0; i < count; i++) if (served.includes(REGISTERS[i % 4]!) && net.delivered[node]!.get(txId(i)) !== undefined) expected += 2 * KB
        // Bodies of its own publications it does not receive; duplicates may add a little.
        assert.ok(net.bodyBytes[node]! <= expected * 1.5, `node ${node}: ${net.bodyBytes[node]} body bytes, served share ${expected}`)
      }
      const notServed = net.cores.reduce((sum, core) => sum + core.stats().notServed, 0)
      if (advertised) assert.equal(notServed, 0, 'nobody announces to a peer known not to serve the register')
      else assert.ok(notServed > 0, 'announcements to peers of unknown registers are skipped by the receiver')
    })
  }

  it('a relay (serving all) fetches and relays every register; the others stay scoped', () => {
    const relays = new Set([0])
    const net = scopedNet(8, 11, true, relays)
    publishAcross(net, 16, 1 * KB, relays)
    assertScoped(net, 16, relays)
  })

  it('a change of the served set takes effect for the next transactions', () => {
    const net = scopedNet(6, 3, true)
    net.inject(1, { type: 'scope', now: 0, registers: ['ra', 'rb', 'rc', 'rd'] })
    for (let j = 0; j < 6; j++) if (j !== 1) net.inject(j, { type: 'peer-scope', now: 0, peer: net.names[1]!, registers: 'all' })
    net.run(net.now + 1)
    net.publish(0, txId(1), 4 * KB, 'rd')
    net.run(net.now + 10_000)
    // Node 1 serves ra, rb by position, and now every register: it got the rd transaction.
    assert.equal(net.delivered[1]!.get(txId(1)), 1)
    net.inject(1, { type: 'scope', now: 0, registers: ['ra'] })
    for (let j = 0; j < 6; j++) if (j !== 1) net.inject(j, { type: 'peer-scope', now: 0, peer: net.names[1]!, registers: ['ra'] })
    net.run(net.now + 1)
    net.publish(0, txId(2), 4 * KB, 'rd')
    net.run(net.now + 10_000)
    assert.equal(net.delivered[1]!.get(txId(2)), undefined)
  })

  it('announces a known register in its inv items, pushes bodies only to peers known to serve it, and invs to unknown ones', () => {
    const core = createTxGossipCore({ antiEntropyIntervalMs: 0, antiEntropyOnConnect: false, fanout: 0 }, createRng(1))
    core.handle({ type: 'peers-up', now: 0, peers: ['serving', 'unknown', 'other', 'relay'] })
    core.handle({ type: 'peer-scope', now: 0, peer: 'serving', registers: ['r1'] })
    core.handle({ type: 'peer-scope', now: 0, peer: 'other', registers: ['r2'] })
    core.handle({ type: 'peer-scope', now: 0, peer: 'relay', registers: 'all' })
    const effects = core.handle({ type: 'publish', now: 1, id: txId(9), size: 1000, register: 'r1' })
    const served = effects.filter((e): e is Extract<GossipEffect, { type: 'serve' }> => e.type === 'serve').map(e => e.peer).sort()
    assert.deepEqual(served, ['relay', 'serving'])
    const invs = effects.filter((e): e is Extract<GossipEffect, { type: 'send' }> => e.type === 'send')
    assert.deepEqual(invs.map(e => e.peer), ['unknown'])
    assert.deepEqual(invs[0]!.message, { type: 'inv', items: [{ id: txId(9), size: 1000, hops: 1, register: 'r1' }] })
    assert.equal(core.interest('other', 'r1'), 'not-served')
    assert.equal(core.interest('unknown', 'r1'), 'unknown')
  })

  it('ignores an unsolicited body of an unserved register and skips its announcements', () => {
    const core = createTxGossipCore({}, createRng(2))
    core.handle({ type: 'peer-up', now: 0, peer: 'p' })
    core.handle({ type: 'scope', now: 0, registers: ['mine'] })
    const pushed = core.handle({ type: 'chunk', now: 1, from: 'p', id: txId(1), offset: 0, length: 10, total: 10, hops: 1, register: 'theirs' })
    assert.ok(pushed.some(e => e.type === 'verdict' && e.code === 'unserved-register' && e.verdict === 'ignore'))
    assert.ok(!pushed.some(e => e.type === 'append'))
    const announced = core.handle({ type: 'message', now: 2, from: 'p', message: { type: 'inv', items: [{ id: txId(2), size: 10, hops: 1, register: 'theirs' }, { id: txId(3), size: 10, hops: 1, register: 'mine' }] } })
    const asked = announced.filter(e => e.type === 'send' && e.message.type === 'getdata').flatMap(e => e.type === 'send' && e.message.type === 'getdata' ? e.message.items.map(i => i.id) : [])
    assert.deepEqual(asked, [txId(3)])
    assert.equal(core.stats().notServed, 2)
  })

  it('offers restored transactions (after a restart) with their register: only serving nodes fetch them', () => {
    const net = scopedNet(6, 11, false)
    // Node 0 serves ra and rb; it restarts holding two transactions of each, its neighbours hold none.
    for (let i = 0; i < 4; i++) net.restore(0, txId(100 + i), 2 * KB, 1, i % 2 === 0 ? 'ra' : 'rb')
    net.run(net.now + 30_000)
    for (let node = 1; node < 6; node++) {
      for (let i = 0; i < 4; i++) {
        const register = i % 2 === 0 ? 'ra' : 'rb'
        const serving = serves(servedBy(node, new Set()), register)
        if (!serving) assert.equal(net.bodyBytesOf.get(`${node}:${txId(100 + i)}`) ?? 0, 0, `no body byte of restored tx ${i} (${register}) at node ${node}`)
        else assert.equal(net.delivered[node]?.get(txId(100 + i)), 1, `restored tx ${i} (${register}) reaches node ${node}, which serves it`)
      }
    }
  })
})
