import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createRng } from '../../../../protocols/common/rng.ts'
import { createReconcileCore, type ReconcileEffect } from '../../../../protocols/reconcile/index.ts'
import { PendingNeeds } from '../../../../protocols/reconcile/pending.ts'
import type { IndexedItem } from '../../../../protocols/reconcile/index.ts'
import { Harness, randomItems } from './harness.ts'

const NOW = 1_800_000_000_000
const DAY = 86_400_000
const items = (seed: number, n: number) => randomItems(createRng(seed), n, NOW - DAY, NOW - 60_000)
const starts = (effects: ReconcileEffect[]): number => effects.filter(e => e.type === 'trace' && e.event === 'session-start').length

describe('reconciliation core: when sessions run', () => {
  it('reconciles on connections this node opened, not on those it accepted', () => {
    const core = createReconcileCore({}, createRng(1))
    assert.equal(starts(core.handle({ type: 'peer-up', now: NOW, peer: 'in', outbound: false })), 0)
    assert.equal(starts(core.handle({ type: 'peer-up', now: NOW, peer: 'out', outbound: true })), 1)
  })

  it('runs an on-connect session the runtime deferred when told to connect, only with a neighbour', () => {
    const core = createReconcileCore({}, createRng(1))
    // Deferred: the runtime announces the connection as not opened here, then sends connect.
    assert.equal(starts(core.handle({ type: 'peer-up', now: NOW, peer: 'p', outbound: false })), 0)
    assert.equal(starts(core.handle({ type: 'connect', now: NOW + 1000, peer: 'gone' })), 0)
    assert.equal(starts(core.handle({ type: 'connect', now: NOW + 1000, peer: 'p' })), 1)
    const off = createReconcileCore({ onConnect: false }, createRng(1))
    off.handle({ type: 'peer-up', now: NOW, peer: 'p', outbound: false })
    assert.equal(starts(off.handle({ type: 'connect', now: NOW, peer: 'p' })), 0)
  })

  it('does not reconcile again with a peer it reconciled with less than minPeerGapMs ago', () => {
    const core = createReconcileCore({ minPeerGapMs: 30_000, sessionTimeoutMs: 1000 }, createRng(1))
    assert.equal(starts(core.handle({ type: 'peer-up', now: NOW, peer: 'p', outbound: true })), 1)
    core.handle({ type: 'tick', now: NOW + 2000 }) // the unanswered session times out
    core.handle({ type: 'peer-down', now: NOW + 2000, peer: 'p' })
    assert.equal(starts(core.handle({ type: 'peer-up', now: NOW + 5000, peer: 'p', outbound: true })), 0)
    core.handle({ type: 'peer-down', now: NOW + 5000, peer: 'p' })
    assert.equal(starts(core.handle({ type: 'peer-up', now: NOW + 40_000, peer: 'p', outbound: true })), 1)
  })

  it('runs a periodic round with a random neighbour, jittered around intervalMs', () => {
    const core = createReconcileCore({ intervalMs: 60_000, onConnect: false }, createRng(1))
    core.handle({ type: 'peer-up', now: NOW, peer: 'p', outbound: true })
    const at = core.nextWakeup()!
    assert.ok(at >= NOW + 30_000 && at < NOW + 90_000, String(at - NOW))
    assert.equal(starts(core.handle({ type: 'tick', now: at - 1 })), 0)
    assert.equal(starts(core.handle({ type: 'tick', now: at })), 1)
  })

  it('starts no second session while the needs of the first are still arriving', () => {
    const net = new Harness(NOW)
    const held = items(1, 200)
    const A = net.add('a', {}, [])
    net.add('b', {}, held)
    net.add('c', {}, held)
    net.connect('a', 'b')
    net.connect('a', 'c')
    // The session with b found 200 needs; c waits until they arrive (no pull yet).
    assert.equal(A.core.stats().sessionsStarted, 1)
    assert.equal(A.core.stats().pendingNeeds, 200)
    net.pull = true
    for (const item of held) net.feed('a', { type: 'add', now: NOW, item })
    assert.equal(A.core.stats().sessionsStarted, 2)
    assert.equal(A.needs.size, 200) // the session with c found nothing more
  })

  it('forgets needs that never arrive after pullTimeoutMs, then reconciles again', () => {
    const net = new Harness(NOW)
    const A = net.add('a', { pullTimeoutMs: 10_000 }, [])
    net.add('b', {}, items(2, 20))
    net.add('c', {}, [])
    net.connect('a', 'b')
    net.connect('a', 'c')
    assert.equal(A.core.stats().sessionsStarted, 1)
    net.now += 10_001
    net.tick('a')
    assert.equal(A.core.stats().pendingNeeds, 0)
    assert.equal(A.core.stats().sessionsStarted, 2)
  })

  it('drops needs at once when every peer they were asked from has gone, then reconciles with the others', () => {
    const net = new Harness(NOW)
    const A = net.add('a', {}, [])
    const held = items(4, 20)
    net.add('b', {}, held)
    net.add('c', {}, held.slice(0, 5))
    net.connect('a', 'b')
    assert.equal(A.core.stats().pendingNeeds, 20)
    net.connect('a', 'c') // queued behind b's needs
    assert.equal(A.core.stats().sessionsStarted, 1)
    const effects = A.core.handle({ type: 'peer-down', now: NOW + 1000, peer: 'b' })
    assert.deepEqual(effects.filter(e => e.type === 'trace' && e.event === 'needs-dropped').map(e => (e as { data: unknown }).data), [{ peer: 'b', needs: 20 }])
    assert.equal(A.core.stats().pendingNeeds, 0, 'not held until pullTimeoutMs')
    net.tick('a')
    assert.equal(A.core.stats().sessionsStarted, 2, 'the session with c starts without waiting for b\'s needs to expire')
  })

  it('keeps a need while another peer it was asked from is still there', () => {
    const pending = new PendingNeeds<string>(100, 60_000)
    const [x, y] = items(5, 2) as [IndexedItem, IndexedItem]
    pending.add([x, y], NOW, 'b')
    pending.add([x], NOW, 'c')
    assert.equal(pending.dropSource('b'), 1, 'y had only b')
    assert.equal(pending.size, 1)
    assert.equal(pending.arrived(x.id), true, 'x is still awaited from c')
    assert.equal(pending.dropSource('c'), 0)
  })

  it('cascades: a node that caught up reconciles with its other neighbours, and they catch up too', () => {
    const net = new Harness(NOW)
    net.pull = true
    const fresh = items(3, 300)
    const A = net.add('a', {}, fresh)
    const B = net.add('b', {}, [])
    const C = net.add('c', {}, [])
    const D = net.add('d', {}, [])
    net.connect('b', 'c')
    net.connect('c', 'd')
    net.now += 60_000
    net.connect('a', 'b')
    assert.equal(B.needs.size, 300)
    assert.equal(C.needs.size, 300)
    assert.equal(D.needs.size, 300)
    for (const node of [B, C, D]) assert.equal(node.core.stats().indexed, 300)
    assert.ok(B.traces.includes('cascade') && C.traces.includes('cascade'))
    assert.equal(A.core.stats().needs, 0)
  })

  it('needs younger than settleMs (maybe still in flight by push) are pulled but start no cascade', () => {
    const run = (age: number): { b: number, c: number, cascaded: boolean } => {
      const net = new Harness(NOW)
      net.pull = true
      net.add('a', { settleMs: 2000 }, randomItems(createRng(8), 50, NOW - age - 1000, NOW - age))
      const B = net.add('b', { settleMs: 2000 }, [])
      const C = net.add('c', {}, [])
      net.connect('b', 'c')
      net.now += 60_000
      net.connect('a', 'b')
      return { b: B.needs.size, c: C.needs.size, cascaded: B.traces.includes('cascade') }
    }
    assert.deepEqual(run(-60_000), { b: 50, c: 0, cascaded: false }) // published in the last second
    assert.deepEqual(run(0), { b: 50, c: 50, cascaded: true }) // a minute old
  })

  it('a resync (connectivity back) reconciles with resyncPeers neighbours at once, gap or not', () => {
    const core = createReconcileCore({ resyncPeers: 2 }, createRng(4))
    for (const peer of ['p', 'q', 'r']) core.handle({ type: 'peer-up', now: NOW, peer, outbound: false })
    const effects = core.handle({ type: 'resync', now: NOW + 1 })
    assert.equal(starts(effects), 1) // one outbound session at a time (maxOutboundSessions)
    assert.equal(core.stats().sessionsStarted, 1)
  })

  it('drops a session whose peer stops answering after sessionTimeoutMs', () => {
    const core = createReconcileCore({ sessionTimeoutMs: 5000 }, createRng(1))
    core.handle({ type: 'peer-up', now: NOW, peer: 'p', outbound: true })
    const effects = core.handle({ type: 'tick', now: NOW + 5000 })
    assert.ok(effects.some(e => e.type === 'trace' && e.event === 'session-timeout'))
    assert.equal(core.stats().sessionsFailed, 1)
  })

  it('is deterministic: the same seed and inputs give the same effects', () => {
    const run = (): string => {
      const net = new Harness(NOW)
      net.pull = true
      const log: string[] = []
      for (const [name, seed] of [['a', 1], ['b', 2], ['c', 3]] as const) net.add(name, {}, items(seed, 500), seed)
      net.connect('a', 'b')
      net.connect('b', 'c')
      net.connect('c', 'a')
      for (const [name, node] of net.nodes) log.push(name, JSON.stringify(node.core.stats()), [...node.needs.keys()].join(','), node.traces.join(','))
      return `${log.join('|')}|${net.bytes}|${net.messages}`
    }
    assert.equal(run(), run())
  })
})
