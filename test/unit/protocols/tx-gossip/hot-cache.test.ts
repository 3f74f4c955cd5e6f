import { test } from 'node:test'
import assert from 'node:assert/strict'
import { emptyHotCache, hotDrop, hotFind, hotPut } from '../../../../protocols/tx-gossip/hot-cache.ts'
import type { Fetch } from '../../../../protocols/tx-gossip/fetches.ts'

test('hot cache: finds what was put, replaces the oldest of four, updates in place, forgets dropped keys', () => {
  const c = emptyHotCache()
  assert.equal(hotFind(c, 'a'), undefined)
  const fetch = { id: 'b' } as Fetch
  hotPut(c, 'a', 1)
  hotPut(c, 'b', fetch)
  hotPut(c, 'c', 3)
  hotPut(c, 'd', 4)
  assert.equal(hotFind(c, 'a'), 1)
  assert.equal(hotFind(c, 'b'), fetch)
  // Updating a cached key keeps its place: 'a' is still the oldest and goes first.
  hotPut(c, 'b', 2)
  assert.equal(hotFind(c, 'b'), 2)
  hotPut(c, 'e', 5)
  assert.equal(hotFind(c, 'a'), undefined)
  assert.deepEqual(['b', 'c', 'd', 'e'].map(k => hotFind(c, k)), [2, 3, 4, 5])
  hotDrop(c, 'c')
  assert.equal(hotFind(c, 'c'), undefined)
  hotDrop(c, 'zzz') // absent: nothing changes
  assert.deepEqual(['b', 'd', 'e'].map(k => hotFind(c, k)), [2, 4, 5])
  // A value of 0 (an entry of size 0, hop 0) is a hit, not a miss.
  hotPut(c, 'f', 0)
  assert.equal(hotFind(c, 'f'), 0)
})
