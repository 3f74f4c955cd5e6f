import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Fetches, INLINE_MAX } from '../../../../protocols/tx-gossip/fetches.ts'

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
  first.charged = 'p'
  first.failed = ['q']
  first.contributors = ['p']
  first.attempts = 2
  first.origin = 9
  f.delete(first)
  f.recycle()
  const second = f.create('y', 7, 4, 'r')
  assert.equal(second, first) // the record is reused...
  assert.deepEqual({ ...second }, { // ...with nothing left of the old fetch
    id: 'y', size: 7, hops: 4, register: undefined, origin: undefined, sources: ['r'], failed: undefined, current: undefined, charged: undefined, received: 0, contributors: undefined, verifying: false, attempts: 0, seq: -1, deadline: 0
  })
  assert.equal(f.get('x'), undefined)
  assert.equal(f.get('y'), second)
})

test('fetch table: beyond INLINE_MAX fetches it moves to a Map and back, with the same lookups, order and deadlines', () => {
  const f = new Fetches(100, 64)
  const n = INLINE_MAX + 3
  const records = []
  for (let i = 0; i < n; i++) {
    records.push(f.create(`t${i}`, i + 1, 1, 'p'))
    // Armed in reverse creation order, one millisecond apart, so arming order and creation order differ.
    if (i === INLINE_MAX - 1) for (let j = INLINE_MAX - 1; j >= 0; j--) f.touch(records[j]!, 10 * (INLINE_MAX - j))
  }
  for (let i = INLINE_MAX; i < n; i++) f.touch(records[i]!, 100 + i)
  assert.equal(f.size, n)
  assert.equal(f.bytes, n * (n + 1) / 2)
  for (let i = 0; i < n; i++) assert.equal(f.get(`t${i}`), records[i])
  assert.deepEqual(f.values().map(x => x.id), records.map(x => x.id))
  // The inline deadlines moved over in arming order: t3 (armed at 10), t2, t1, t0, then the rest.
  assert.equal(f.nextDeadline(), 110)
  assert.deepEqual(f.expired(140).map(x => x.id), ['t3', 't2', 't1', 't0'])
  assert.equal(f.nextDeadline(), 100 + INLINE_MAX + 100)
  for (const r of records) f.delete(r)
  f.recycle()
  assert.equal(f.size, 0)
  assert.equal(f.nextDeadline(), undefined)
  // Empty again: back to fields, and a new fetch is found and armed as before.
  const again = f.create('u', 3, 1, 'q')
  f.touch(again, 1000)
  assert.equal(f.get('u'), again)
  assert.equal(f.get('t0'), undefined)
  assert.equal(f.nextDeadline(), 1100)
  assert.deepEqual(f.expired(1100).map(x => x.id), ['u'])
  assert.equal(f.nextDeadline(), undefined)
})

test('fetch table: inline deadlines expire in arming order, and deleting from the middle keeps creation order', () => {
  const f = new Fetches(50, 16)
  const a = f.create('a', 1, 1, 'p')
  const b = f.create('b', 1, 1, 'p')
  const c = f.create('c', 1, 1, 'p')
  f.touch(c, 0)
  f.touch(a, 0)
  f.touch(b, 5)
  assert.equal(f.nextDeadline(), 50)
  f.delete(a)
  assert.deepEqual(f.values().map(x => x.id), ['b', 'c'])
  assert.equal(f.get('a'), undefined)
  assert.deepEqual(f.expired(60).map(x => x.id), ['c', 'b'])
  assert.equal(f.nextDeadline(), undefined)
  f.touch(b, 70)
  assert.equal(f.nextDeadline(), 120)
})
