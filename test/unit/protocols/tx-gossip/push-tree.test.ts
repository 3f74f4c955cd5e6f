import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createRng } from '../../../../protocols/common/rng.ts'
import { createTxGossipCore, type GossipEffect, type GossipInput, type TxGossipConfig, type TxGossipCore } from '../../../../protocols/tx-gossip/index.ts'
import { PushTrees } from '../../../../protocols/tx-gossip/push-tree.ts'
import { MiniNet } from './mini-net.ts'

const txId = (i: number): string => i.toString(16).padStart(64, '0')
const QUIET: Partial<TxGossipConfig> = { antiEntropyIntervalMs: 0, antiEntropyOnConnect: false }

// Twelve nodes, a ring with chords, links of 5 to 60 ms one way (the same both ways).
const N = 12
const EDGES: Array<[number, number]> = [
  ...Array.from({ length: N }, (_, i): [number, number] => [i, (i + 1) % N]),
  [0, 5], [1, 7], [2, 9], [3, 10], [4, 8], [6, 11], [0, 8], [5, 9]
]
const latency = (a: number, b: number): number => 5 * (((Math.min(a, b) * 7 + Math.max(a, b) * 13) % 12) + 1)

/** One-way shortest-path delays from `from` over EDGES (Dijkstra on 12 nodes). */
function fastest (from: number): number[] {
  const dist = Array.from({ length: N }, () => Infinity)
  const done = new Set<number>()
  dist[from] = 0
  while (done.size < N) {
    let u = -1
    for (let i = 0; i < N; i++) if (!done.has(i) && (u < 0 || dist[i]! < dist[u]!)) u = i
    done.add(u)
    for (const [a, b] of EDGES) {
      const v = a === u ? b : b === u ? a : -1
      if (v >= 0 && dist[u]! + latency(a, b) < dist[v]!) dist[v] = dist[u]! + latency(a, b)
    }
  }
  return dist
}

function treeNet (config: Partial<TxGossipConfig>): MiniNet {
  return new MiniNet({ nodes: N, seed: 3, edges: EDGES, linkLatencyMs: latency, config: { ...QUIET, fanout: 0, pushTree: true, ...config } })
}

/** Publishes `count` 2-KiB transactions at `publisher`, `gapMs` apart, ids from `first`; returns their publication times. */
function publishFrom (net: MiniNet, publisher: number, first: number, count: number, gapMs = 500): number[] {
  const at: number[] = []
  for (let i = first; i < first + count; i++) {
    at.push(net.now)
    net.publish(publisher, txId(i), 2048)
    net.run(net.now + gapMs)
  }
  return at
}

const requests = (net: MiniNet): number => net.cores.reduce((sum, core) => sum + core.stats().requestsSent, 0)
const treeSends = (net: MiniNet, node: number, kind: 'graft' | 'prune'): string[] =>
  net.effects.flatMap(e => e.node === node && e.type === 'send' && e.message.type === 'tree' && e.message[kind].length > 0 ? [e.peer] : [])

describe('tx-gossip core: push trees (SPEC.md §3.8)', () => {
  it('converges to the fastest paths: later bodies arrive at one one-way delay per hop, once per node, with no request', () => {
    const net = treeNet({ pushTreeWaitMs: 0 })
    publishFrom(net, 0, 0, 12)
    const bodies = net.bodiesReceived
    const asked = requests(net)
    const at = publishFrom(net, 0, 12, 10)
    const dist = fastest(0)
    for (let i = 0; i < 10; i++) {
      for (let node = 1; node < N; node++) {
        assert.equal(net.deliveredAt.get(`${node}:${txId(12 + i)}`), at[i]! + dist[node]!, `node ${node} tx ${12 + i}`)
      }
    }
    assert.equal(net.bodiesReceived - bodies, 10 * (N - 1), 'one body per node and transaction')
    assert.equal(requests(net), asked, 'no body requested')
    assert.equal(net.verdicts().filter(v => v.includes(':reject:')).length, 0)
  })

  it('without push trees the same network pulls, three one-way delays per hop after the first', () => {
    const net = treeNet({ pushTree: false })
    publishFrom(net, 0, 0, 12)
    const at = publishFrom(net, 0, 12, 5)
    const dist = fastest(0)
    let later = 0
    for (let node = 1; node < N; node++) if (net.deliveredAt.get(`${node}:${txId(12)}`)! > at[0]! + dist[node]!) later++
    assert.ok(later >= 6, `${later} of ${N - 1} nodes later than the fastest path`)
    assert.equal(net.effects.filter(e => e.type === 'send' && (e.message.type === 'tree' || (e.message.type === 'inv' && e.message.items.some(i => i.origin !== undefined)))).length, 0,
      'no tree message and no origin on the wire')
  })

  it('delivers everything to every node exactly once, with several publishers and the default wait', () => {
    const net = treeNet({})
    for (let i = 0; i < 60; i++) {
      net.publish(i % 4 * 3, txId(i), 1500)
      net.run(net.now + 40)
    }
    net.run(net.now + 10_000)
    net.delivered.forEach((got, node) => { for (let i = 0; i < 60; i++) assert.equal(got.get(txId(i)), 1, `node ${node} tx ${i}`) })
    // Trees form from each publisher's first transactions: the whole run costs little more than a body per node.
    const copies = net.bodiesReceived / (60 * (N - 1))
    assert.ok(copies >= 1 && copies < 1.15, `copies per node ${copies}`)
  })

  it('a node whose parent falls silent gets the next transaction after the wait, from an announcer, and adopts it', () => {
    const net = treeNet({ pushTreeWaitMs: 50 })
    publishFrom(net, 0, 0, 12)
    const node = 6
    const parent = treeSends(net, node, 'graft').at(-1)!
    net.down.add(`${net.names.indexOf(parent)}-${node}`)
    const [at] = publishFrom(net, 0, 12, 1, 2000)
    const got = net.deliveredAt.get(`${node}:${txId(12)}`)
    assert.ok(got !== undefined, 'delivered')
    assert.ok(got - at! >= fastest(0)[node]! + 50, `waited for the silent parent (${got - at!} ms)`)
    const newParent = treeSends(net, node, 'graft').at(-1)!
    assert.notEqual(newParent, parent)
    // From now on its new parent pushes: nothing more requested by that node.
    const asked = net.cores[node]!.stats().requestsSent
    publishFrom(net, 0, 13, 3)
    assert.equal(net.cores[node]!.stats().requestsSent, asked)
    for (let i = 13; i < 16; i++) assert.equal(net.delivered[node]!.get(txId(i)), 1)
  })

  it('a node whose parent disconnects asks an announcer at once', () => {
    const net = treeNet({ pushTreeWaitMs: 5_000 })
    publishFrom(net, 0, 0, 12)
    const node = 6
    const parent = net.names.indexOf(treeSends(net, node, 'graft').at(-1)!)
    net.disconnect(parent, node)
    net.run(net.now + 10)
    const [at] = publishFrom(net, 0, 12, 1, 2000)
    assert.ok(net.deliveredAt.get(`${node}:${txId(12)}`)! - at! < 1000, 'not held back by the 5-s wait')
  })
})

describe('tx-gossip core: push tree messages', () => {
  const make = (config: Partial<TxGossipConfig> = {}): TxGossipCore => {
    const core = createTxGossipCore({ ...QUIET, pushTree: true, ...config }, createRng(1))
    core.handle({ type: 'peers-up', now: 0, peers: ['p', 'q', 'c'] })
    return core
  }
  const chunk = (from: string, id: string, hops = 1, origin: number | undefined = 5, register?: string): GossipInput =>
    ({ type: 'chunk', now: 1, from, id, offset: 0, length: 1000, total: 1000, hops, ...(origin === undefined ? {} : { origin }), ...(register === undefined ? {} : { register }) })
  const sends = (effects: GossipEffect[]): Array<{ peer: string, type: string, graft?: number[], prune?: number[] }> => effects.flatMap(e => e.type === 'send'
    ? [e.message.type === 'tree' ? { peer: e.peer, type: 'tree', graft: e.message.graft, prune: e.message.prune } : { peer: e.peer, type: e.message.type }]
    : [])
  const deliver = (core: TxGossipCore, input: GossipInput): GossipEffect[] => {
    const effects = core.handle(input)
    return [...effects, ...core.handle({ type: 'verified', now: input.now, id: (input as { id: string }).id, ok: true })]
  }

  it('grafts the first offerer, prunes a second pusher once, and never prunes its parent', () => {
    const core = make()
    const first = deliver(core, chunk('p', txId(1)))
    assert.deepEqual(sends(first).filter(s => s.type === 'tree'), [{ peer: 'p', type: 'tree', graft: [5], prune: [] }])
    assert.deepEqual(sends(core.handle(chunk('q', txId(1)))), [{ peer: 'q', type: 'tree', graft: [], prune: [5] }])
    assert.deepEqual(sends(core.handle(chunk('q', txId(1)))), [], 'pruned once')
    assert.deepEqual(sends(core.handle(chunk('p', txId(1)))), [], 'the parent is not pruned')
    assert.deepEqual(core.stats().graftsSent, 1)
    assert.deepEqual(core.stats().prunesSent, 1)
  })

  it('pushes an origin\'s bodies to the neighbours that grafted it and announces, with the origin, to the others', () => {
    const core = make()
    core.handle({ type: 'message', now: 0, from: 'c', message: { type: 'tree', graft: [5], prune: [] } })
    const effects = deliver(core, chunk('p', txId(2), 1))
    assert.deepEqual(effects.filter(e => e.type === 'serve').map(e => e.type === 'serve' ? e.peer : ''), ['c'])
    const invs = effects.flatMap(e => e.type === 'send' && e.message.type === 'inv' ? [{ peer: e.peer, origin: e.message.items[0]!.origin }] : [])
    assert.deepEqual(invs, [{ peer: 'q', origin: 5 }])
    // After a prune, c is announced to like any other neighbour.
    core.handle({ type: 'message', now: 2, from: 'c', message: { type: 'tree', graft: [], prune: [5] } })
    const later = deliver(core, chunk('p', txId(3), 1))
    assert.deepEqual(later.filter(e => e.type === 'serve'), [])
    assert.deepEqual(later.flatMap(e => e.type === 'send' && e.message.type === 'inv' ? [e.peer] : []).sort(), ['c', 'q'])
  })

  it('the publisher pushes to every neighbour until its tree has children, then to them only', () => {
    const core = make()
    const served = (effects: GossipEffect[]): string[] => effects.flatMap(e => e.type === 'serve' ? [e.peer] : []).sort()
    const invs = (effects: GossipEffect[]): string[] => effects.flatMap(e => e.type === 'send' && e.message.type === 'inv' ? [e.peer] : []).sort()
    const first = core.handle({ type: 'publish', now: 1, id: txId(8), size: 1000, origin: 5 })
    assert.deepEqual(served(first), ['c', 'p', 'q'])
    core.handle({ type: 'message', now: 2, from: 'c', message: { type: 'tree', graft: [5], prune: [] } })
    const next = core.handle({ type: 'publish', now: 3, id: txId(9), size: 1000, origin: 5 })
    assert.deepEqual(served(next), ['c'])
    assert.deepEqual(invs(next), ['p', 'q'])
  })

  it('pushes a register\'s body to its children unless known not to serve it (SPEC.md §3.7)', () => {
    const core = make()
    core.handle({ type: 'peer-scope', now: 0, peer: 'c', registers: ['r2'] })
    core.handle({ type: 'peer-scope', now: 0, peer: 'q', registers: undefined })
    core.handle({ type: 'message', now: 0, from: 'c', message: { type: 'tree', graft: [5], prune: [] } })
    core.handle({ type: 'message', now: 0, from: 'q', message: { type: 'tree', graft: [5], prune: [] } })
    const effects = deliver(core, chunk('p', txId(10), 1, 5, 'r1'))
    assert.deepEqual(effects.flatMap(e => e.type === 'serve' ? [e.peer] : []), ['q'])
    assert.deepEqual(effects.flatMap(e => e.type === 'send' && e.message.type === 'inv' ? [e.peer] : []), [], 'c does not serve r1: nothing')
  })

  it('holds an announcement from a non-parent for the wait, and drops it if the parent\'s push comes first', () => {
    const core = make({ pushTreeWaitMs: 50 })
    deliver(core, chunk('p', txId(1)))
    const inv = (id: string, now: number): GossipInput => ({ type: 'message', now, from: 'q', message: { type: 'inv', items: [{ id, size: 1000, hops: 2, origin: 5 }] } })
    assert.deepEqual(sends(core.handle(inv(txId(4), 10))), [], 'no request yet')
    assert.equal(core.nextWakeup(), 60)
    assert.deepEqual(sends(core.handle({ type: 'tick', now: 60 })), [{ peer: 'q', type: 'getdata' }], 'asked after the wait')
    core.handle(inv(txId(5), 100))
    deliver(core, { ...chunk('p', txId(5)), now: 120 })
    assert.deepEqual(sends(core.handle({ type: 'tick', now: 150 })), [], 'the parent delivered: nothing to ask')
    // An announcement of another origin (or none) is fetched at once.
    assert.deepEqual(sends(core.handle({ type: 'message', now: 160, from: 'q', message: { type: 'inv', items: [{ id: txId(6), size: 1000, hops: 2, origin: 9 }] } })), [{ peer: 'q', type: 'getdata' }])
  })

  it('rejects bad origins, and a core without push trees ignores tree messages', () => {
    const core = make()
    const reject = (graft: number[], prune: number[] = []): string[] => core.handle({ type: 'message', now: 1, from: 'p', message: { type: 'tree', graft, prune } })
      .flatMap(e => e.type === 'verdict' ? [`${e.verdict}:${e.code}`] : [])
    assert.deepEqual(reject([0]), ['reject:bad-origin'])
    assert.deepEqual(reject([], [2 ** 32]), ['reject:bad-origin'])
    assert.deepEqual(reject([1.5]), ['reject:bad-origin'])
    assert.deepEqual(reject(Array.from({ length: 1025 }, (_, i) => i + 1)), ['reject:bad-origin'])
    assert.deepEqual(reject([1, 0xffffffff]), [])
    const badInv = core.handle({ type: 'message', now: 1, from: 'p', message: { type: 'inv', items: [{ id: txId(7), size: 1, hops: 1, origin: -1 }] } })
    assert.ok(badInv.some(e => e.type === 'verdict' && e.code === 'bad-item'))
    const plain = createTxGossipCore({ ...QUIET }, createRng(1))
    plain.handle({ type: 'peer-up', now: 0, peer: 'c' })
    assert.deepEqual(plain.handle({ type: 'message', now: 1, from: 'c', message: { type: 'tree', graft: [5], prune: [] } }), [])
  })

  it('remembers at most maxOrigins origins, forgetting the least recently used', () => {
    const trees = new PushTrees(3, 10)
    for (const origin of [1, 2, 3]) trees.addChild(origin, 'c')
    trees.get(1)
    trees.addChild(4, 'c')
    assert.equal(trees.size, 3)
    assert.equal(trees.peek(2), undefined, 'the least recently used went')
    assert.deepEqual(trees.peek(1)?.children, ['c'])
    trees.dropPeer('c')
    assert.deepEqual(trees.peek(1)?.children, [])
  })
})
