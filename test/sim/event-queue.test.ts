import { test } from 'node:test'
import assert from 'node:assert/strict'
import { EventQueue } from '../../simulations/engine/event-queue.ts'
import { createRng } from '../../protocols/common/rng.ts'

/** Pops every event: its time and the field `read` picks. */
function drain (q: EventQueue, read: (slot: number) => number): Array<[number, number]> {
  const popped: Array<[number, number]> = []
  while (q.size > 0) {
    const slot = q.pop()
    popped.push([q.time(slot), read(slot)])
    q.release(slot)
  }
  return popped
}

/** Removes and returns the earliest entry, by (time, sequence), of a reference list of pending events. */
function takeEarliest<E extends [number, number, ...number[]]> (pending: E[]): E {
  let best = 0
  for (let i = 1; i < pending.length; i++) {
    const [t, s] = pending[i]!
    const [bt, bs] = pending[best]!
    if (t < bt || (t === bt && s < bs)) best = i
  }
  return pending.splice(best, 1)[0]!
}

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
  assert.deepEqual(drain(q, slot => q.a(slot)), pushed)
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

test('numbers travel as payloads, small non-negative integers in the record itself, and are gone after release', () => {
  const q = new EventQueue(16)
  const payloads: unknown[] = [0, 7, 0x7fffffff, 0x80000000, -1, 2.5, Number.NaN, { n: 1 }, 'text']
  for (const [i, payload] of payloads.entries()) q.push(i, 1, i, 0, payload)
  for (const expected of payloads) {
    const slot = q.pop()
    assert.equal(q.payload(slot), expected)
    q.release(slot)
    assert.equal(q.payload(slot), undefined)
  }
  assert.equal(q.pop(), -1)
})

test('refuses to grow past its maximum', () => {
  const q = new EventQueue(16, 3)
  q.push(1, 1, 0, 0)
  q.push(2, 1, 0, 0)
  q.push(3, 1, 0, 0)
  assert.throws(() => q.push(4, 1, 0, 0), { name: 'EventQueueFullError' })
})

test('matches a (time, sequence) reference under interleaved pushes and pops, near and far, past and present', () => {
  for (const bucketMs of [1, 0.25, 7]) {
    const q = new EventQueue(16, 1_000_000, bucketMs)
    const rng = createRng(11)
    // Reference: pending events as [time, seq, a], kept unsorted; the minimum is taken on each pop.
    const pending: Array<[number, number, number]> = []
    let seq = 0
    let now = 0
    const pushOne = (): void => {
      const r = rng.next()
      // Same bucket, near future, exact ties, the past, and far beyond the ring (overflow heap).
      const t = r < 0.1 ? now : r < 0.2 ? now - rng.next() * 3 : r < 0.3 ? Math.floor(now) + 2 : r < 0.9 ? now + rng.next() * 40 : now + 20_000 + rng.next() * 60_000
      q.push(t, 1, seq, 0, seq % 3 === 0 ? { seq } : undefined, t / 2, seq)
      pending.push([t, seq, seq])
      seq++
    }
    for (let step = 0; step < 20_000; step++) {
      if (pending.length === 0 || rng.next() < 0.5) { pushOne(); continue }
      const [t, s] = takeEarliest(pending)
      assert.equal(q.peekTime(), t)
      const slot = q.pop()
      assert.equal(q.time(slot), t)
      assert.equal(q.a(slot), s)
      assert.equal(q.c(slot), t / 2)
      assert.equal(q.d(slot), s)
      assert.deepEqual(q.payload(slot), s % 3 === 0 ? { seq: s } : undefined)
      q.release(slot)
      assert.equal(q.payload(slot), undefined)
      now = Math.max(now, t)
      assert.equal(q.size, pending.length)
    }
  }
})

test('jumps over long idle stretches to events far ahead', () => {
  const q = new EventQueue(16)
  const times = [5, 1e6, 3e7 + 0.5, 3e7 + 0.25, 1e6]
  for (const [i, t] of times.entries()) q.push(t, 1, i, 0)
  const popped: number[] = []
  for (let slot = q.pop(); slot >= 0; slot = q.pop()) { popped.push(q.a(slot)); q.release(slot) }
  assert.deepEqual(popped, [0, 1, 4, 3, 2])
})

test('keyed pushes pop in (time, key) order whatever the push order, far times and big keys included', () => {
  const rng = createRng(3)
  const events: Array<[number, number]> = []
  for (let i = 0; i < 4000; i++) {
    const time = rng.int(3) === 0 ? 1e6 + rng.int(50) : rng.int(200) // some beyond the bucket ring
    const key = (1 + rng.int(2 ** 21 - 2)) * 2 ** 32 + i // event-keys.ts: origin × 2^32 + n
    events.push([time, key])
  }
  const sorted = events.slice().sort((a, b) => a[0] - b[0] || a[1] - b[1])
  for (const order of [events, events.slice().reverse(), rng.shuffle(events.slice())]) {
    const q = new EventQueue(16)
    for (const [time, key] of order) q.pushKeyed(time, key, 1, 0, 0, undefined, key)
    assert.deepEqual(drain(q, slot => q.c(slot)), sorted)
  }
})

test('batches: the earliest events before the end, from one bucket, with events pushed meanwhile found in their place', () => {
  for (const bucketMs of [1, 0.25]) {
    const q = new EventQueue(16, 1_000_000, bucketMs)
    const rng = createRng(5)
    // Reference: pending [time, seq]; every handled event must be the earliest of them.
    const pending: Array<[number, number]> = []
    let seq = 0
    const pushAt = (t: number): void => {
      q.push(t, 1, seq, 0, seq % 4 === 0 ? { seq } : undefined)
      pending.push([t, seq++])
    }
    for (let i = 0; i < 300; i++) pushAt(rng.next() * 50)
    const handle = (slot: number): number => {
      const [t, s] = takeEarliest(pending)
      assert.equal(q.time(slot), t)
      assert.equal(q.a(slot), s)
      assert.deepEqual(q.payload(slot), s % 4 === 0 ? { seq: s } : undefined)
      q.release(slot)
      // Handling an event queues others: at its own time (ahead of the rest of the batch), soon, later.
      const r = rng.next()
      if (r < 0.3) pushAt(t)
      else if (r < 0.5) pushAt(t + rng.next() * 0.5)
      else if (r < 0.8) pushAt(t + 1 + rng.next() * 30)
      return t
    }
    const slots = new Int32Array(8)
    let handled = 0
    for (const end of [20, 40, Infinity]) {
      for (let n = q.popBatch(slots, 8, end); n > 0; n = q.popBatch(slots, 8, end)) {
        for (let i = 0; i < n; i++) {
          assert.ok(q.time(slots[i]!) < end)
          assert.equal(Math.floor(q.time(slots[i]!) / bucketMs), Math.floor(q.time(slots[0]!) / bucketMs), 'one bucket per batch')
        }
        for (let i = 0; i < n; i++) {
          while (q.pendingBefore(slots[i]!)) { handle(q.pop()); handled++ }
          handle(slots[i]!)
          handled++
        }
      }
      assert.ok(pending.every(([t]) => t >= end), `nothing before ${end} is left`)
    }
    assert.equal(pending.length, 0)
    assert.equal(q.size, 0)
    assert.ok(handled > 300)
  }
})
