import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { AwaitedIds } from '../../../src/gossip/reconcile/awaited.ts'

describe('ids awaited after reconciliation found them missing', () => {
  it('counts an arrival once', () => {
    const awaited = new AwaitedIds(10)
    awaited.add([{ id: 'a' }, { id: 'b' }])
    assert.equal(awaited.arrived('a'), true)
    assert.equal(awaited.arrived('a'), false)
    assert.equal(awaited.arrived('c'), false)
    assert.equal(awaited.size, 1)
  })

  it('forgets the oldest tenth at once when full', () => {
    const awaited = new AwaitedIds(100)
    awaited.add(Array.from({ length: 101 }, (_, i) => ({ id: `t${i}` })))
    assert.equal(awaited.size, 91)
    assert.equal(awaited.arrived('t9'), false)
    assert.equal(awaited.arrived('t10'), true)
    assert.equal(awaited.arrived('t100'), true)
  })
})
