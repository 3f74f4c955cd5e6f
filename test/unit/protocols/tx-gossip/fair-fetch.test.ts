import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createRng } from '../../../../protocols/common/rng.ts'
import { createTxGossipCore, type GossipEffect, type InvItem, type TxGossipConfig, type TxGossipCore } from '../../../../protocols/tx-gossip/index.ts'

const MIB = 1024 * 1024
const fakeId = (i: number): string => 'f' + i.toString(16).padStart(63, '0')
const honestId = (i: number): string => 'a' + i.toString(16).padStart(63, '0')

function core (config: Partial<TxGossipConfig> = {}): TxGossipCore {
  const c = createTxGossipCore({ antiEntropyOnConnect: false, antiEntropyIntervalMs: 0, ...config }, createRng(3))
  c.handle({ type: 'peers-up', now: 0, peers: ['evil', 'honest'] })
  return c
}

/** The ids requested of `peer` by these effects. */
function requested (effects: GossipEffect[], peer: string): string[] {
  return effects.flatMap(e => e.type === 'send' && e.peer === peer && e.message.type === 'getdata' ? e.message.items.map(item => item.id) : [])
}

function verdicts (effects: GossipEffect[], peer: string): string[] {
  return effects.flatMap(e => e.type === 'verdict' && e.peer === peer ? [`${e.verdict}:${e.code}`] : [])
}

/** `count` fake announcements from `evil`, `perMessage` a message, ids from `first`. */
function flood (c: TxGossipCore, now: number, count: number, size: number, first = 0, perMessage = 1024): GossipEffect[] {
  const out: GossipEffect[] = []
  for (let i = 0; i < count; i += perMessage) {
    const items: InvItem[] = []
    for (let j = i; j < Math.min(count, i + perMessage); j++) items.push({ id: fakeId(first + j), size, hops: 1 })
    out.push(...c.handle({ type: 'message', now, from: 'evil', message: { type: 'inv', items } }))
  }
  return out
}

/** Runs ticks up to `until`, every `stepMs`, collecting effects. */
function runTo (c: TxGossipCore, from: number, until: number, stepMs = 100): GossipEffect[] {
  const out: GossipEffect[] = []
  for (let now = from; now <= until; now += stepMs) out.push(...c.handle({ type: 'tick', now }))
  return out
}

describe('tx-gossip core: fair fetch scheduling (SPEC.md §3.6)', () => {
  it('a flood of 20,480 announced ids takes at most one source\'s share, and an honest announcement is requested at once', () => {
    const c = core()
    const effects = flood(c, 1, 20_480, 300)
    assert.equal(requested(effects, 'evil').length, c.config.maxInflightPerSource)
    assert.equal(c.stats().inflight, c.config.maxInflightPerSource)
    // Its queue is bounded (maxItemsPerMessage per source); the rest is ignored.
    assert.equal(c.stats().waiting, c.config.maxItemsPerMessage)
    assert.ok(verdicts(effects, 'evil').includes('ignore:inflight-full'))
    const honest = c.handle({ type: 'message', now: 2, from: 'honest', message: { type: 'inv', items: [{ id: honestId(1), size: 100, hops: 1 }] } })
    assert.deepEqual(requested(honest, 'honest'), [honestId(1)])
  })

  it('a few huge fake announcements take one fetch of the byte budget, not all of it', () => {
    const c = core()
    const effects = flood(c, 1, 20, 60 * MIB)
    assert.equal(requested(effects, 'evil').length, 1)
    const honest = c.handle({
      type: 'message',
      now: 2,
      from: 'honest',
      message: { type: 'inv', items: [{ id: honestId(1), size: 100, hops: 1 }, { id: honestId(2), size: 50 * MIB, hops: 1 }] }
    })
    assert.deepEqual(requested(honest, 'honest'), [honestId(1), honestId(2)])
  })

  it('a source that does not serve loses credit and is reported (unserved-fetch); serving wins credit back', () => {
    const c = core({ maxInflightPerSource: 16, requestTimeoutMs: 1000 })
    flood(c, 0, 64, 300)
    assert.equal(c.stats().inflight, 16)
    const timeouts = runTo(c, 100, 1000)
    // One verdict per peer and tick, however many of its fetches timed out.
    assert.deepEqual(verdicts(timeouts, 'evil'), ['ignore:unserved-fetch'])
    // Every fetch re-asks the only source (SPEC.md §3.3); the third timeout abandons them, and what
    // waits now starts at the source's lowered credit: one fetch at a time.
    runTo(c, 1100, 3000)
    assert.equal(c.stats().inflight, 1)
    // Honest: serving a transaction after a failure raises its credit by one each time.
    const h = core({ maxInflightPerSource: 4, requestTimeoutMs: 1000 })
    const items = Array.from({ length: 8 }, (_, i) => ({ id: honestId(i), size: 10, hops: 1 }))
    const first = h.handle({ type: 'message', now: 0, from: 'honest', message: { type: 'inv', items } })
    assert.equal(requested(first, 'honest').length, 4)
    const nf = h.handle({ type: 'message', now: 1, from: 'honest', message: { type: 'notfound', ids: [honestId(0), honestId(1)] } })
    assert.deepEqual(verdicts(nf, 'honest'), ['ignore:unserved-fetch'])
    // Credit 4 -> 2 -> 1: the two freed slots start nothing while two fetches are still charged to it.
    assert.deepEqual(requested(nf, 'honest'), [])
    for (const i of [2, 3]) {
      h.handle({ type: 'chunk', now: 2, from: 'honest', id: honestId(i), offset: 0, length: 10, total: 10, hops: 1 })
      h.handle({ type: 'verified', now: 2, id: honestId(i), ok: true })
    }
    // Two deliveries: credit 1 -> 3, nothing charged: three of the waiting four start.
    assert.equal(h.stats().inflight, 3)
    assert.equal(h.stats().waiting, 1)
  })

  it('a withholding source that announced an honest transaction first delays it by one request timeout at most', () => {
    const c = core({ requestTimeoutMs: 1000 })
    const first = c.handle({ type: 'message', now: 0, from: 'evil', message: { type: 'inv', items: [{ id: honestId(1), size: 5000, hops: 1 }] } })
    assert.deepEqual(requested(first, 'evil'), [honestId(1)])
    c.handle({ type: 'message', now: 10, from: 'honest', message: { type: 'inv', items: [{ id: honestId(1), size: 5000, hops: 1 }] } })
    const moved = runTo(c, 100, 1000)
    assert.deepEqual(requested(moved, 'honest'), [honestId(1)])
    assert.ok(verdicts(moved, 'evil').includes('ignore:unserved-fetch'))
  })

  it('an announcement waiting in a withholding source\'s queue starts at once when an honest source announces it', () => {
    const c = core({ maxInflightPerSource: 2 })
    flood(c, 0, 10, 300)
    // The honest id is announced by the flooder too, behind its share: it waits in its queue...
    c.handle({ type: 'message', now: 1, from: 'evil', message: { type: 'inv', items: [{ id: honestId(1), size: 300, hops: 1 }] } })
    // ...and an honest announcement does not wait behind it.
    const honest = c.handle({ type: 'message', now: 2, from: 'honest', message: { type: 'inv', items: [{ id: honestId(1), size: 300, hops: 1 }] } })
    assert.deepEqual(requested(honest, 'honest'), [honestId(1)])
  })

  it('hands freed room out round-robin over the sources that wait, and forgets a source that leaves', () => {
    const c = core({ maxInflight: 4, maxInflightPerSource: 4, requestTimeoutMs: 1000 })
    c.handle({ type: 'peer-up', now: 0, peer: 'third' })
    flood(c, 0, 10, 300)
    for (const peer of ['honest', 'third']) {
      const items = Array.from({ length: 3 }, (_, i) => ({ id: `${peer}-${i}`, size: 300, hops: 1 }))
      assert.deepEqual(requested(c.handle({ type: 'message', now: 1, from: peer, message: { type: 'inv', items } }), peer), [])
    }
    assert.equal(c.stats().waiting, 6 + 6)
    // The flooder's four fetches are abandoned after three timeouts; its credit is 1 by then.
    const freed = runTo(c, 100, 3000)
    // The flooder's retries, then one new fetch at its credit; the freed room goes one per source per pass.
    assert.deepEqual(requested(freed, 'evil').slice(8), [fakeId(4)])
    assert.deepEqual(requested(freed, 'honest'), ['honest-0', 'honest-1'])
    assert.deepEqual(requested(freed, 'third'), ['third-0'])
    assert.equal(c.stats().waiting, 5 + 1 + 2)
    // Gone: its queue is dropped, and its abandoned fetch's room goes to the next in turn.
    const down = c.handle({ type: 'peer-down', now: 3001, peer: 'evil' })
    assert.deepEqual(requested(down, 'third'), ['third-1'])
    assert.equal(c.stats().waiting, 1 + 1)
  })
})
