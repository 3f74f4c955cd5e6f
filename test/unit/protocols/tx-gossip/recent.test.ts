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
