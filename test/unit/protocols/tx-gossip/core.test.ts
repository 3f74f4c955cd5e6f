import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createRng } from '../../../../protocols/common/rng.ts'
import {
  BloomFilter, createTxGossipCore, GossipConfigError, pushFanoutMean, roundedCount,
  type GossipEffect, type GossipInput, type TxGossipConfig, type TxGossipCore, type TxKey
} from '../../../../protocols/tx-gossip/index.ts'
import { MiniNet } from './mini-net.ts'

const KB = 1024
const txId = (i: number): string => i.toString(16).padStart(64, '0')

function publishMany (net: MiniNet, count: number, size: number, gapMs = 5, settleMs = 60_000): void {
  for (let i = 0; i < count; i++) {
    net.publish(net.rng.int(net.cores.length), txId(i), size)
    net.run(net.now + gapMs)
  }
  net.run(net.now + settleMs)
}

function assertEveryoneOnce (net: MiniNet, count: number): void {
  net.delivered.forEach((got, node) => {
    for (let i = 0; i < count; i++) assert.equal(got.get(txId(i)), 1, `node ${node} tx ${i}`)
  })
}

describe('tx-gossip core: announce mode', () => {
  it('delivers every transaction to every node exactly once, with about one body per node', () => {
    const net = new MiniNet({ nodes: 30, seed: 1, config: { antiEntropyIntervalMs: 0, antiEntropyOnConnect: false } })
    publishMany(net, 50, 2 * KB)
    assertEveryoneOnce(net, 50)
    const copies = net.bodiesReceived / (50 * 29)
    assert.ok(copies >= 1 && copies < 1.1, `copies per node ${copies}`)
    assert.equal(net.verdicts().filter(v => v.includes(':reject:')).length, 0)
  })

  it('is deterministic for a seed and differs across seeds', () => {
    const trace = (seed: number): string => {
      const net = new MiniNet({ nodes: 12, seed, config: { antiEntropyIntervalMs: 1000 } })
      publishMany(net, 10, 4 * KB)
      net.run(60_000)
      return JSON.stringify(net.effects, (_, v: unknown) => v instanceof BloomFilter ? Array.from(v.bits).join(',') : v)
    }
    assert.equal(trace(7), trace(7))
    assert.notEqual(trace(7), trace(8))
  })

  it('pushes small bodies inline (one round trip less, more copies)', () => {
    const net = new MiniNet({ nodes: 20, seed: 2, config: { inlineThresholdBytes: 256, fanout: 3, antiEntropyIntervalMs: 0, antiEntropyOnConnect: false } })
    publishMany(net, 20, 200)
    assertEveryoneOnce(net, 20)
    assert.ok(!net.effects.some(e => e.type === 'send' && e.message.type === 'getdata'))
    assert.ok(net.bodiesReceived / (20 * 19) > 1.5)
  })

  it('pushes a published body to its first hop (nobody there can hold it yet), and announces larger ones', () => {
    const core = createTxGossipCore({ antiEntropyOnConnect: false, publishPushMaxBytes: 4096, inlineThresholdBytes: 0 }, createRng(12))
    for (const peer of ['a', 'b', 'c']) core.handle({ type: 'peer-up', now: 0, peer })
    const small = core.handle({ type: 'publish', now: 1, id: txId(1), size: 4096 })
    assert.deepEqual(small.filter(e => e.type === 'serve').map(e => e.type === 'serve' ? `${e.peer}:${e.hops}` : '').sort(), ['a:1', 'b:1', 'c:1'])
    assert.ok(!small.some(e => e.type === 'send'))
    const large = core.handle({ type: 'publish', now: 2, id: txId(2), size: 4097 })
    assert.equal(large.filter(e => e.type === 'send' && e.message.type === 'inv').length, 3)
    assert.ok(!large.some(e => e.type === 'serve'))
    // A relay (hop count > 0) announces even small bodies: its neighbours may already hold them.
    core.handle({ type: 'chunk', now: 3, from: 'a', id: txId(3), offset: 0, length: 100, total: 100, hops: 1 })
    const relayed = core.handle({ type: 'verified', now: 4, id: txId(3), ok: true })
    assert.equal(relayed.filter(e => e.type === 'send' && e.message.type === 'inv').length, 2)
  })

  it('stops relaying at the hop limit', () => {
    const edges: Array<[number, number]> = [[0, 1], [1, 2], [2, 3], [3, 4]]
    const net = new MiniNet({ nodes: 5, seed: 3, edges, config: { hopLimit: 2, antiEntropyIntervalMs: 0, antiEntropyOnConnect: false } })
    net.publish(0, txId(1), 4 * KB)
    net.run()
    assert.deepEqual(net.delivered.map(d => d.get(txId(1)) ?? 0), [1, 1, 1, 0, 0])
  })

  it('lets a late joiner catch up through anti-entropy on connect', () => {
    const net = new MiniNet({ nodes: 10, seed: 4, config: { antiEntropyIntervalMs: 0 } })
    publishMany(net, 30, 3 * KB)
    // Node 9 was offline: disconnect it, publish more, reconnect it to one neighbour.
    for (const peer of [...net.cores[9]!.peers()]) net.disconnect(9, Number(peer.slice(1)))
    net.run()
    for (let i = 30; i < 60; i++) { net.publish(net.rng.int(9), txId(i), 3 * KB); net.run(net.now + 5) }
    net.run()
    assert.equal(net.delivered[9]!.size, 30)
    net.connect(9, 0)
    net.run()
    for (let i = 0; i < 60; i++) assert.equal(net.delivered[9]!.get(txId(i)), 1, `tx ${i}`)
  })

  it('recovers announcements lost on a link through periodic anti-entropy rounds', () => {
    const net = new MiniNet({ nodes: 8, seed: 5, extraEdges: 4, config: { antiEntropyIntervalMs: 1000, antiEntropyOnConnect: false, fanout: 1 } })
    net.run(10)
    // With fanout 1 many nodes miss the announcement; anti-entropy must fill in.
    for (let i = 0; i < 10; i++) net.publish(0, txId(i), 2 * KB)
    net.run(60_000)
    assertEveryoneOnce(net, 10)
    assert.ok(net.effects.some(e => e.type === 'trace' && e.event === 'anti-entropy-reply'))
  })

  it('moves a stalled fetch to another announcer and resumes at the bytes already held', () => {
    const core = createTxGossipCore({ requestTimeoutMs: 1000, antiEntropyOnConnect: false }, createRng(1))
    const id = txId(9)
    const total = 10 * 64 * KB
    core.handle({ type: 'peer-up', now: 0, peer: 'a' })
    core.handle({ type: 'peer-up', now: 0, peer: 'b' })
    const first = core.handle({ type: 'message', now: 1, from: 'a', message: { type: 'inv', items: [{ id, size: total, hops: 1 }] } })
    assert.deepEqual(first.find(e => e.type === 'send'), { type: 'send', peer: 'a', message: { type: 'getdata', items: [{ id, offset: 0 }] } })
    assert.equal(core.handle({ type: 'message', now: 2, from: 'b', message: { type: 'inv', items: [{ id, size: total, hops: 2 }] } }).filter(e => e.type === 'send').length, 0)
    const progress: number[] = []
    for (let i = 0; i < 3; i++) {
      const effects = core.handle({ type: 'chunk', now: 10 + i, from: 'a', id, offset: i * 64 * KB, length: 64 * KB, total, hops: 1 })
      assert.ok(effects.some(e => e.type === 'append'))
      for (const e of effects) if (e.type === 'progress') progress.push(e.received)
    }
    assert.deepEqual(progress, [64 * KB, 128 * KB, 192 * KB])
    assert.equal(core.nextWakeup(), 12 + 1000)
    const retry = core.handle({ type: 'tick', now: 1012 })
    assert.deepEqual(retry.find(e => e.type === 'send'), { type: 'send', peer: 'b', message: { type: 'getdata', items: [{ id, offset: 192 * KB }] } })
    // A late chunk from the first source is ignored, not punished.
    assert.ok(core.handle({ type: 'chunk', now: 1013, from: 'a', id, offset: 192 * KB, length: 64 * KB, total, hops: 1 })
      .some(e => e.type === 'verdict' && e.verdict === 'ignore' && e.code === 'not-requested'))
    let last: GossipEffect[] = []
    for (let i = 3; i < 10; i++) last = core.handle({ type: 'chunk', now: 1020 + i, from: 'b', id, offset: i * 64 * KB, length: 64 * KB, total, hops: 2 })
    assert.ok(last.some(e => e.type === 'verify' && e.id === id))
    const done = core.handle({ type: 'verified', now: 1040, id, ok: true })
    assert.ok(done.some(e => e.type === 'deliver' && e.from === 'b' && e.hops === 1))
    assert.ok(done.some(e => e.type === 'verdict' && e.verdict === 'accept' && e.code === 'tx-valid'))
    assert.ok(!done.some(e => e.type === 'send'), 'both neighbours already have it: nobody left to announce to')
    assert.ok(core.holds(id))
  })

  it('answers a batch of verified bodies in one input with the effects of one verified input each, getdata merged', () => {
    const run = (batched: boolean): GossipEffect[] => {
      const core = createTxGossipCore({ antiEntropyOnConnect: false, maxInflightPerSource: 2 }, createRng(3))
      core.handle({ type: 'peer-up', now: 0, peer: 'a' })
      core.handle({ type: 'peer-up', now: 0, peer: 'b' })
      core.handle({ type: 'message', now: 1, from: 'a', message: { type: 'inv', items: [1, 2, 3, 4].map(i => ({ id: txId(i), size: 100, hops: 1 })) } })
      for (const i of [1, 2]) assert.ok(core.handle({ type: 'chunk', now: 2, from: 'a', id: txId(i), offset: 0, length: 100, total: 100, hops: 1 }).some(e => e.type === 'verify'))
      const effects = batched
        ? core.handle({ type: 'verified-many', now: 3, ids: [txId(1), txId(2)] })
        : [...core.handle({ type: 'verified', now: 3, id: txId(1), ok: true }), ...core.handle({ type: 'verified', now: 3, id: txId(2), ok: true })]
      assert.ok(core.holds(txId(1)) && core.holds(txId(2)))
      return effects.filter(e => e.type !== 'schedule')
    }
    const one = run(false)
    const many = run(true)
    const without = (effects: GossipEffect[], type: string): GossipEffect[] => effects.filter(e => e.type !== type)
    assert.deepEqual(without(many, 'send'), without(one, 'send'))
    assert.deepEqual(many.filter(e => e.type === 'deliver').map(e => e.id), [txId(1), txId(2)])
    const asked = (effects: GossipEffect[]): string[] => effects.flatMap(e => e.type === 'send' && e.message.type === 'getdata' ? e.message.items.map(i => i.id) : [])
    assert.deepEqual(asked(many), asked(one))
    assert.deepEqual(asked(many), [txId(3), txId(4)], 'the freed budget asks for the waiting ones')
  })

  it('rejects a sender whose body does not hash to its id and fetches from another', () => {
    const core = createTxGossipCore({ antiEntropyOnConnect: false }, createRng(2))
    const id = txId(3)
    for (const peer of ['a', 'b', 'c']) core.handle({ type: 'peer-up', now: 0, peer })
    core.handle({ type: 'message', now: 1, from: 'a', message: { type: 'inv', items: [{ id, size: 1000, hops: 1 }] } })
    core.handle({ type: 'message', now: 1, from: 'b', message: { type: 'inv', items: [{ id, size: 1000, hops: 1 }] } })
    core.handle({ type: 'chunk', now: 2, from: 'a', id, offset: 0, length: 1000, total: 1000, hops: 1 })
    const bad = core.handle({ type: 'verified', now: 3, id, ok: false })
    assert.ok(bad.some(e => e.type === 'verdict' && e.peer === 'a' && e.verdict === 'reject' && e.code === 'tx-id-mismatch'))
    assert.ok(bad.some(e => e.type === 'discard'))
    assert.deepEqual(bad.find(e => e.type === 'send'), { type: 'send', peer: 'b', message: { type: 'getdata', items: [{ id, offset: 0 }] } })
    core.handle({ type: 'chunk', now: 4, from: 'b', id, offset: 0, length: 1000, total: 1000, hops: 1 })
    const good = core.handle({ type: 'verified', now: 5, id, ok: true })
    const relayed = good.filter(e => e.type === 'send').map(e => e.type === 'send' ? e.peer : '')
    assert.deepEqual(relayed, ['c'], 'a and b announced it: only c hears of it')
    assert.equal(core.stats().rejects, 1)
  })

  it('in a network, rejects a tampering node and still delivers everything', () => {
    const net = new MiniNet({ nodes: 15, seed: 6, extraEdges: 30, config: { antiEntropyIntervalMs: 2000 } })
    net.tamper.add(3)
    // Honest publishers only: a transaction published by the tamperer exists nowhere in valid form.
    for (let i = 0; i < 20; i++) {
      const publisher = net.rng.int(14)
      net.publish(publisher >= 3 ? publisher + 1 : publisher, txId(i), 5 * KB)
      net.run(net.now + 5)
    }
    net.run(60_000)
    net.delivered.forEach((got, node) => {
      if (node === 3) return
      for (let i = 0; i < 20; i++) assert.equal(got.get(txId(i)), 1, `node ${node} tx ${i}`)
    })
    const rejects = net.verdicts().filter(v => v.includes(':reject:'))
    assert.ok(rejects.length > 0)
    assert.ok(rejects.every(v => v.endsWith(':n3:reject:tx-id-mismatch')), rejects.join(' '))
  })

  it('moves on when the asked peer disconnects or answers notfound', () => {
    const core = createTxGossipCore({ antiEntropyOnConnect: false }, createRng(3))
    const id = txId(4)
    for (const peer of ['a', 'b']) core.handle({ type: 'peer-up', now: 0, peer })
    core.handle({ type: 'message', now: 1, from: 'a', message: { type: 'inv', items: [{ id, size: 5000, hops: 1 }] } })
    core.handle({ type: 'message', now: 1, from: 'b', message: { type: 'inv', items: [{ id, size: 5000, hops: 1 }] } })
    const down = core.handle({ type: 'peer-down', now: 2, peer: 'a' })
    assert.deepEqual(down.find(e => e.type === 'send'), { type: 'send', peer: 'b', message: { type: 'getdata', items: [{ id, offset: 0 }] } })
    const gone = core.handle({ type: 'message', now: 3, from: 'b', message: { type: 'notfound', ids: [id] } })
    assert.ok(gone.some(e => e.type === 'trace' && e.event === 'fetch-abandoned'))
    assert.equal(core.stats().inflight, 0)
    // Abandoned, not seen: a later announcement starts it again.
    const again = core.handle({ type: 'message', now: 4, from: 'b', message: { type: 'inv', items: [{ id, size: 5000, hops: 1 }] } })
    assert.ok(again.some(e => e.type === 'send' && e.message.type === 'getdata'))
  })

  it('keeps a part-fetched body when its only source goes, and resumes it from a peer that announces it later', () => {
    const total = 256 * KB
    const start = (): { core: TxGossipCore, id: TxKey } => {
      const core = createTxGossipCore({ requestTimeoutMs: 1000, antiEntropyOnConnect: false }, createRng(5))
      const id = txId(6)
      for (const peer of ['a', 'b']) core.handle({ type: 'peer-up', now: 0, peer })
      core.handle({ type: 'message', now: 1, from: 'a', message: { type: 'inv', items: [{ id, size: total, hops: 1 }] } })
      core.handle({ type: 'chunk', now: 2, from: 'a', id, offset: 0, length: 64 * KB, total, hops: 1 })
      const down = core.handle({ type: 'peer-down', now: 3, peer: 'a' })
      assert.ok(down.some(e => e.type === 'trace' && e.event === 'fetch-waiting'), 'waits for another source')
      assert.ok(!down.some(e => e.type === 'discard'), 'the 64 KiB received are kept')
      return { core, id }
    }
    // b announces it 0.5 s later: asked at once, from the byte where a stopped.
    const { core, id } = start()
    const resumed = core.handle({ type: 'message', now: 500, from: 'b', message: { type: 'inv', items: [{ id, size: total, hops: 1 }] } })
    assert.deepEqual(resumed.find(e => e.type === 'send'), { type: 'send', peer: 'b', message: { type: 'getdata', items: [{ id, offset: 64 * KB }] } })
    // Nobody announces it: given up after the stall budget (three request timeouts), and the part dropped.
    const alone = start()
    const dropped = [1003, 2003, 3003].flatMap(now => alone.core.handle({ type: 'tick', now }))
    assert.ok(dropped.some(e => e.type === 'trace' && e.event === 'fetch-abandoned'))
    assert.ok(dropped.some(e => e.type === 'discard' && e.id === alone.id))
    assert.equal(alone.core.stats().inflight, 0)
  })
})

describe('tx-gossip core: verdicts and bounds', () => {
  const fresh = (config: Partial<TxGossipConfig> = {}): TxGossipCore => {
    const core = createTxGossipCore({ antiEntropyOnConnect: false, ...config }, createRng(9))
    core.handle({ type: 'peer-up', now: 0, peer: 'p' })
    return core
  }
  const codes = (effects: GossipEffect[]): string[] => effects.flatMap(e => e.type === 'verdict' ? [`${e.verdict}:${e.code}`] : [])

  it('answers malformed or abusive messages with bounded reject codes', () => {
    const core = fresh({ maxItemsPerMessage: 4 })
    const msg = (message: GossipInput & { type: 'message' }): string[] => codes(core.handle(message))
    const items = Array.from({ length: 5 }, (_, i) => ({ id: txId(i), size: 10, hops: 1 }))
    assert.deepEqual(msg({ type: 'message', now: 1, from: 'p', message: { type: 'inv', items } }), ['reject:too-many-items'])
    assert.deepEqual(msg({ type: 'message', now: 1, from: 'p', message: { type: 'inv', items: [{ id: '', size: 1, hops: 1 }] } }), ['reject:bad-item'])
    assert.deepEqual(msg({ type: 'message', now: 1, from: 'p', message: { type: 'inv', items: [{ id: 'x', size: -1, hops: 1 }] } }), ['reject:bad-item'])
    assert.deepEqual(msg({ type: 'message', now: 1, from: 'p', message: { type: 'inv', items: [{ id: 'x', size: 1, hops: 0 }] } }), ['reject:bad-item'])
    assert.deepEqual(msg({ type: 'message', now: 1, from: 'p', message: { type: 'getdata', items: [{ id: 'x', offset: NaN }] } }), ['reject:bad-item'])
    const chunk = (c: Partial<GossipInput & { type: 'chunk' }>): string[] =>
      codes(core.handle({ type: 'chunk', now: 2, from: 'p', id: 'y', offset: 0, length: 10, total: 10, hops: 1, ...c }))
    assert.deepEqual(chunk({ offset: 5 }), ['reject:bad-chunk'])
    assert.deepEqual(chunk({ length: 0 }), ['reject:bad-chunk'])
    assert.deepEqual(chunk({ total: 1_000_000, length: 1000 }), ['reject:unsolicited-chunk'])
    assert.deepEqual(codes(core.handle({ type: 'invalid', now: 3, from: 'p', code: 'malformed-frame' })), ['reject:malformed-frame'])
    assert.equal(core.stats().rejects, 9)
  })

  it('never throws on odd values (shape-preserving fuzz)', () => {
    const core = fresh()
    const rng = createRng(11)
    const odd = [0, 1, -1, 2 ** 53, NaN, Infinity, 0.5, 255, 256, 64 * KB]
    const pick = (): number => odd[rng.int(odd.length)]!
    for (let i = 0; i < 5000; i++) {
      const id = rng.next() < 0.1 ? '' : txId(rng.int(20))
      const inputs: GossipInput[] = [
        { type: 'message', now: i, from: 'p', message: { type: 'inv', items: [{ id, size: pick(), hops: pick() }] } },
        { type: 'message', now: i, from: 'p', message: { type: 'getdata', items: [{ id, offset: pick() }] } },
        { type: 'message', now: i, from: 'p', message: { type: 'notfound', ids: [id] } },
        { type: 'chunk', now: i, from: 'p', id, offset: pick(), length: pick(), total: pick(), hops: pick() },
        { type: 'verified', now: i, id, ok: rng.next() < 0.5 },
        { type: 'tick', now: i }
      ]
      assert.doesNotThrow(() => core.handle(inputs[rng.int(inputs.length)]!))
    }
  })

  it('bounds concurrent fetches, recent entries and neighbours', () => {
    const core = fresh({ maxInflight: 3, recentMax: 5, maxPeers: 2, seenExpectedItems: 100 })
    // 3 in flight, 4 x maxInflight = 12 waiting, the other 5 ignored.
    const items = Array.from({ length: 20 }, (_, i) => ({ id: txId(i), size: 10_000, hops: 1 }))
    const effects = core.handle({ type: 'message', now: 1, from: 'p', message: { type: 'inv', items } })
    const getdata = effects.find(e => e.type === 'send' && e.message.type === 'getdata')
    assert.ok(getdata?.type === 'send' && getdata.message.type === 'getdata' && getdata.message.items.length === 3)
    assert.ok(codes(effects).includes('ignore:inflight-full'))
    // A fetch that ends hands its room to the first waiting announcement.
    const next = core.handle({ type: 'message', now: 1, from: 'p', message: { type: 'notfound', ids: [txId(0)] } })
    assert.deepEqual(next.flatMap(e => e.type === 'send' && e.message.type === 'getdata' ? e.message.items.map(item => item.id) : []), [txId(3)])
    assert.equal(core.stats().inflight, 3)
    for (let i = 100; i < 110; i++) core.handle({ type: 'publish', now: 2, id: txId(i), size: 10 })
    assert.equal(core.stats().recent, 5)
    for (const peer of ['q', 'r', 's']) core.handle({ type: 'peer-up', now: 3, peer })
    assert.equal(core.stats().peers, 2)
  })

  it('bounds the bytes of transactions fetched at once', () => {
    const core = fresh({ maxInflightBytes: 25_000 })
    const items = Array.from({ length: 3 }, (_, i) => ({ id: txId(i), size: 10_000, hops: 1 }))
    const effects = core.handle({ type: 'message', now: 1, from: 'p', message: { type: 'inv', items } })
    const getdata = effects.find(e => e.type === 'send' && e.message.type === 'getdata')
    assert.ok(getdata?.type === 'send' && getdata.message.type === 'getdata' && getdata.message.items.length === 2)
    // The third waits for room rather than being dropped.
    const next = core.handle({ type: 'message', now: 2, from: 'p', message: { type: 'notfound', ids: [txId(0)] } })
    assert.deepEqual(next.flatMap(e => e.type === 'send' && e.message.type === 'getdata' ? e.message.items.map(item => item.id) : []), [txId(2)])
  })

  it('answers a summary with what it lacks, and ignores summaries that come too often', () => {
    const core = createTxGossipCore({ minSummaryGapMs: 1000, antiEntropyOnConnect: false }, createRng(4))
    core.handle({ type: 'peer-up', now: 0, peer: 'p' })
    for (let i = 0; i < 5; i++) core.handle({ type: 'publish', now: 0, id: txId(i), size: 500 })
    const filter = BloomFilter.create(10, 0.001, 5)
    filter.add(txId(0))
    filter.add(txId(1))
    const reply = core.handle({ type: 'message', now: 10, from: 'p', message: { type: 'summary', filter } })
    const inv = reply.find(e => e.type === 'send')
    assert.ok(inv?.type === 'send' && inv.message.type === 'inv')
    assert.deepEqual(inv.message.items.map(item => item.id), [txId(2), txId(3), txId(4)])
    assert.deepEqual(codes(core.handle({ type: 'message', now: 500, from: 'p', message: { type: 'summary', filter } })), ['ignore:summary-too-frequent'])
    assert.deepEqual(codes(core.handle({ type: 'message', now: 600, from: 'stranger', message: { type: 'summary', filter } })), ['ignore:unexpected-summary'])
  })

  it('restores held transactions without relaying them, and refuses a duplicate publish', () => {
    const core = fresh()
    assert.deepEqual(core.handle({ type: 'restore', now: 1, id: txId(1), size: 10, hops: 2 }), [])
    assert.ok(core.holds(txId(1)))
    const dup = core.handle({ type: 'publish', now: 2, id: txId(1), size: 10 })
    assert.ok(dup.some(e => e.type === 'trace' && e.event === 'duplicate-publish'))
    assert.equal(core.stats().published, 0)
  })

  it('checks its configuration', () => {
    assert.throws(() => createTxGossipCore({ fanout: -1 }, createRng(1)), { name: 'GossipConfigError' })
    assert.throws(() => createTxGossipCore({ seenFpRate: 0 }, createRng(1)), (err: unknown) => err instanceof GossipConfigError && err.field === 'seenFpRate')
    assert.throws(() => createTxGossipCore({ recentMax: 10, seenExpectedItems: 5 }, createRng(1)), { name: 'GossipConfigError' })
    assert.throws(() => createTxGossipCore({ mode: 'flood' as 'push' }, createRng(1)), { name: 'GossipConfigError' })
  })
})

describe('tx-gossip core: plain push mode', () => {
  it('rounds the fanout at random so its mean is exact', () => {
    const rng = createRng(5)
    let sum = 0
    for (let i = 0; i < 100_000; i++) sum += roundedCount(3.3, rng.next())
    assert.ok(Math.abs(sum / 100_000 - 3.3) < 0.01)
  })

  it('forwards full bodies to ~ln(N)+c uniformly chosen neighbours on first receipt, with no pull and no anti-entropy', () => {
    const n = 60
    const edges: Array<[number, number]> = []
    for (let a = 0; a < n; a++) for (let b = a + 1; b < n; b++) edges.push([a, b])
    const mean = pushFanoutMean(n, 2)
    const net = new MiniNet({ nodes: n, seed: 8, edges, config: { mode: 'push', pushFanoutMean: mean } })
    for (let i = 0; i < 40; i++) net.publish(net.rng.int(n), txId(i), 300)
    net.run()
    const serves = net.effects.filter(e => e.type === 'serve').length
    const relays = net.effects.filter(e => e.type === 'deliver').length + 40
    assert.ok(Math.abs(serves / relays - mean) / mean < 0.05, `mean fanout ${serves / relays} vs ${mean}`)
    assert.ok(!net.effects.some(e => e.type === 'send'), 'no inv, getdata or summary in push mode')
    // Delivered at most once everywhere; coverage close to the theory (most nodes get most transactions).
    let reached = 0
    net.delivered.forEach(got => { for (const count of got.values()) { assert.equal(count, 1); reached++ } })
    assert.ok(reached / (n * 40) > 0.95, `coverage ${reached / (n * 40)}`)
  })
})
