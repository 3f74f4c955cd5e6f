import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Fetches } from '../../../../protocols/tx-gossip/fetches.ts'

test('fetch table: deadlines in order, superseded ones skipped, the queue reused after it empties', () => {
  const f = new Fetches(100, 16)
  for (let round = 0; round < 3; round++) {
    const t0 = round * 1000
    const a = f.create(`a${round}`, 10, 1, 'p')
    const b = f.create(`b${round}`, 20, 1, 'q')
    f.touch(a, t0)
    f.touch(b, t0 + 10)
    f.touch(a, t0 + 20) // supersedes a's first deadline
    assert.equal(f.size, 2)
    assert.equal(f.bytes, 30)
    assert.equal(f.nextDeadline(), t0 + 110)
    assert.deepEqual(f.expired(t0 + 105).map(x => x.id), [])
    assert.deepEqual(f.expired(t0 + 115).map(x => x.id), [`b${round}`])
    assert.equal(f.nextDeadline(), t0 + 120)
    f.delete(a)
    f.delete(b)
    f.delete(b) // not tracked any more: no change
    f.recycle()
    assert.equal(f.size, 0)
    assert.equal(f.bytes, 0)
    // Nothing live is left: no deadline, and the next round starts from an empty queue.
    assert.equal(f.nextDeadline(), undefined)
    assert.deepEqual(f.expired(t0 + 10_000), [])
  }
})

test('fetch table: a recycled record starts clean', () => {
  const f = new Fetches(100, 16)
  const first = f.create('x', 5, 2, 'p')
  first.received = 3
  first.current = 'p'
  first.failed = ['q']
  first.contributors = ['p']
  first.attempts = 2
  f.delete(first)
  f.recycle()
  const second = f.create('y', 7, 4, 'r')
  assert.equal(second, first) // the record is reused...
  assert.deepEqual({ ...second }, { // ...with nothing left of the old fetch
    id: 'y', size: 7, hops: 4, sources: ['r'], failed: undefined, current: undefined, received: 0, contributors: undefined, verifying: false, attempts: 0, seq: -1
  })
  assert.equal(f.get('x'), undefined)
  assert.equal(f.get('y'), second)
})
