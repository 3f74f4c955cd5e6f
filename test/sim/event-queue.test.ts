import { test } from 'node:test'
import assert from 'node:assert/strict'
import { EventQueue } from '../../simulations/engine/event-queue.ts'
import { createRng } from '../../protocols/common/rng.ts'

test('pops events in time order, equal times in push order, across growth', () => {
  const q = new EventQueue(16)
  const rng = createRng(7)
  const pushed: Array<[number, number]> = []
  for (let i = 0; i < 5000; i++) {
    const t = rng.int(100) // many ties
    q.push(t, 1, i, 0)
    pushed.push([t, i])
  }
  pushed.sort((a, b) => a[0] - b[0] || a[1] - b[1])
  const popped: Array<[number, number]> = []
  while (q.size > 0) {
    const slot = q.pop()
    popped.push([q.time(slot), q.a(slot)])
    q.release(slot)
  }
  assert.deepEqual(popped, pushed)
  assert.equal(q.pop(), -1)
  assert.equal(q.peekTime(), Infinity)
})

test('recycles slots and keeps payloads until release', () => {
  const q = new EventQueue(16)
  for (let round = 0; round < 3; round++) {
    for (let i = 0; i < 40; i++) q.push(i, 2, i, 1 - i, { i })
    for (let i = 0; i < 40; i++) {
      const slot = q.pop()
      assert.equal(q.kind(slot), 2)
      assert.equal(q.b(slot), 1 - i)
      assert.deepEqual(q.payload(slot), { i })
      q.release(slot)
      assert.equal(q.payload(slot), undefined)
    }
  }
  assert.equal(q.pushed, 120)
})

test('refuses to grow past its maximum', () => {
  const q = new EventQueue(16, 3)
  q.push(1, 1, 0, 0)
  q.push(2, 1, 0, 0)
  q.push(3, 1, 0, 0)
  assert.throws(() => q.push(4, 1, 0, 0), { name: 'EventQueueFullError' })
})
