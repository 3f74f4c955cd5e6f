import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { Deferral } from '../../../src/gossip/reconcile/deferral.ts'

/** A Deferral on a hand-driven clock and queue; `check()` stands for the poll timer. */
function setup (maxMs = 10_000) {
  const state = { now: 1000, backlog: undefined as number | undefined, fired: [] as string[] }
  const deferral = new Deferral({ backlogSince: () => state.backlog, fire: key => { state.fired.push(key) }, maxMs, pollMs: 60_000, now: () => state.now })
  return { state, deferral }
}

describe('reconciliation deferred while the outbound queue flushes', () => {
  it('does not defer when the queue is empty', () => {
    const { deferral } = setup()
    assert.equal(deferral.defer('p'), false)
    assert.equal(deferral.deferred, 0)
    deferral.clear()
  })

  it('defers while something queued before the connection is unconfirmed, and fires once it is', () => {
    const { state, deferral } = setup()
    state.backlog = 500
    assert.equal(deferral.defer('p'), true)
    assert.equal(deferral.defer('p'), true) // already waiting: counted once
    assert.equal(deferral.deferred, 1)
    state.now = 2000
    state.backlog = 900 // older entries confirmed, the backlog of before the connection is not
    deferral.check()
    assert.deepEqual(state.fired, [])
    state.backlog = 1500 // only what was queued after the connection is left
    deferral.check()
    assert.deepEqual(state.fired, ['p'])
    assert.equal(deferral.size, 0)
    deferral.clear()
  })

  it('fires when the queue empties', () => {
    const { state, deferral } = setup()
    state.backlog = 1000
    assert.equal(deferral.defer('p'), true)
    state.backlog = undefined
    deferral.check()
    assert.deepEqual(state.fired, ['p'])
    deferral.clear()
  })

  it('waits at most maxMs for a backlog nobody confirms', () => {
    const { state, deferral } = setup(10_000)
    state.backlog = 0
    assert.equal(deferral.defer('a'), true)
    state.now += 5000
    assert.equal(deferral.defer('b'), true)
    state.now += 4999
    deferral.check()
    assert.deepEqual(state.fired, [])
    state.now += 1
    deferral.check()
    assert.deepEqual(state.fired, ['a'])
    state.now += 5000
    deferral.check()
    assert.deepEqual(state.fired, ['a', 'b'])
    deferral.clear()
  })

  it('forgets a cancelled key', () => {
    const { state, deferral } = setup()
    state.backlog = 0
    deferral.defer('p')
    deferral.cancel('p')
    state.backlog = undefined
    deferral.check()
    assert.deepEqual(state.fired, [])
    deferral.clear()
  })

  it('polls by itself until the backlog is gone', async () => {
    let backlog: number | undefined = 0
    const fired = await new Promise<string>(resolve => {
      const deferral = new Deferral({ backlogSince: () => backlog, fire: resolve, maxMs: 600_000, pollMs: 5, now: Date.now })
      assert.equal(deferral.defer('p'), true)
      setTimeout(() => { backlog = undefined }, 20)
    })
    assert.equal(fired, 'p')
  })
})
