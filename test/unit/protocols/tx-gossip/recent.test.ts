import { test } from 'node:test'
import assert from 'node:assert/strict'
import { entryHops, entrySize, packEntry, Recent } from '../../../../protocols/tx-gossip/recent.ts'

test('recent list: first in, first out at its bound; entries change only through add', () => {
  const recent = new Recent(3)
  assert.equal(recent.add('a', packEntry(100, 1)), undefined)
  assert.equal(recent.add('b', packEntry(200, 2)), undefined)
  assert.equal(recent.add('a', packEntry(999, 9)), undefined) // already remembered: unchanged
  assert.equal(recent.add('c', packEntry(300, 300)), undefined)
  assert.equal(recent.add('d', packEntry(400, 4)), 'a') // full: the oldest goes
  assert.deepEqual([...recent.keys()], ['b', 'c', 'd'])
  assert.equal(recent.get('a'), undefined)
  const c = recent.get('c')!
  assert.equal(entrySize(c), 300)
  assert.equal(entryHops(c), 255) // hops are clamped to a byte
  assert.equal(recent.size, 3)
  assert.throws(() => recent.set(), TypeError)
  assert.throws(() => recent.delete(), TypeError)
  assert.equal(recent.size, 3)
})

test('recent list: evicts in insertion order over many rounds of its bound (the order queue and its compaction)', () => {
  const max = 700
  const recent = new Recent(max)
  const evicted: string[] = []
  const n = 5000
  for (let i = 0; i < n; i++) {
    const out = recent.add(`t${i}`, packEntry(i, 1))
    if (out !== undefined) evicted.push(out)
    if (i % 7 === 3) assert.equal(recent.add(`t${i - 3}`, packEntry(0, 0)), undefined) // held or evicted: never re-added
  }
  assert.deepEqual(evicted, Array.from({ length: n - max }, (_, i) => `t${i}`))
  assert.deepEqual([...recent.keys()], Array.from({ length: max }, (_, i) => `t${n - max + i}`))
})

test('recent list: a bound of 0 keeps the last one only', () => {
  const recent = new Recent(0)
  assert.equal(recent.add('a', 1), undefined)
  assert.equal(recent.add('b', 1), 'a')
  assert.equal(recent.add('c', 1), 'b')
  assert.deepEqual([...recent.keys()], ['c'])
})
