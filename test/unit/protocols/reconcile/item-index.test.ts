import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createRng } from '../../../../protocols/common/rng.ts'
import { ItemIndex } from '../../../../protocols/reconcile/item-index.ts'
import { randomItems } from './harness.ts'

describe('reconciliation index', () => {
  it('keeps every served scope sorted by (timestamp, id) through inserts in any order, merges and removals', () => {
    const rng = createRng(21)
    const index = new ItemIndex(['*', 'r1'], 1_000_000)
    const reference = new Map<string, { ts: number, register: string }>()
    const items = [...randomItems(rng, 3000, 1000, 2000, 'r1'), ...randomItems(rng, 3000, 1000, 1500, 'r2')]
    // Many share a timestamp (1,000 distinct values for 6,000 items): ids decide.
    for (const [i, item] of items.entries()) {
      assert.equal(index.add(item), true)
      reference.set(item.id, item)
      if (i % 7 === 0) {
        const victim = items[rng.int(i + 1)]!
        assert.equal(index.remove(victim.id), reference.delete(victim.id))
      }
    }
    // An item already indexed is not added twice; a removed one can come back.
    const again = items.find(item => reference.has(item.id))!
    assert.equal(index.add(again), false)
    const back = items.find(item => !reference.has(item.id))!
    assert.equal(index.add(back), true)
    reference.set(back.id, back)
    const expect = (register?: string): string[] => [...reference.entries()]
      .filter(([, v]) => register === undefined || v.register === register)
      .sort(([a, x], [b, y]) => x.ts - y.ts || (a < b ? -1 : 1)).map(([id]) => id)
    assert.deepEqual(index.scope('*')!.ids, expect())
    assert.deepEqual(index.scope('r1')!.ids, expect('r1'))
    // A node serving `*` answers any register's scope from its `*` items (tx-gossip SPEC.md §3.7),
    // rebuilt after a change; a node serving only some registers refuses the others.
    assert.deepEqual(index.scope('r2')!.ids, expect('r2'))
    assert.equal(index.serves('r3'), true)
    const late = items.find(item => item.register === 'r2' && !reference.has(item.id))!
    index.add(late)
    reference.set(late.id, late)
    assert.deepEqual(index.scope('r2')!.ids, expect('r2'))
    const scoped = new ItemIndex(['r1'], 1000)
    assert.equal(scoped.serves('r2'), false)
    assert.equal(scoped.serves('*'), false)
    assert.equal(scoped.scope('r2'), undefined)
    assert.equal(index.size, reference.size)
  })

  it('stays sorted, with every timestamp and size, through loads of a few items (inserted) and of many (merged)', () => {
    const rng = createRng(22)
    const index = new ItemIndex(['*', 'r1'], 1_000_000)
    // Half in random order, half in time order (new transactions: mostly appended).
    const items = [...rng.shuffle([...randomItems(rng, 2000, 500, 900, 'r1'), ...randomItems(rng, 1000, 500, 600, 'r2')]),
      ...randomItems(rng, 3000, 900, 1200, 'r1').sort((a, b) => a.ts - b.ts)]
    const loaded: typeof items = []
    // Batches of 1 to 40 items (a stored batch), one of 2,000 (a store read at start), reading a scope now and then.
    for (let at = 0; at < items.length;) {
      const n = at === 1000 ? 2000 : 1 + rng.int(40)
      const batch = items.slice(at, at + n)
      at += n
      assert.deepEqual(new Set(index.load(batch)), new Set(batch.map(item => item.id)))
      loaded.push(...batch)
      if (rng.int(5) === 0) index.scope('*')
    }
    assert.deepEqual(index.load(items.slice(0, 10)), [], 'indexed items are not loaded twice')
    const check = (register?: string): void => {
      const sorted = loaded.filter(item => register === undefined || item.register === register)
        .sort((a, b) => a.ts - b.ts || (a.id < b.id ? -1 : 1))
      const scope = index.scope(register ?? '*')!
      assert.deepEqual(scope.ids, sorted.map(item => item.id))
      assert.deepEqual(scope.ts, sorted.map(item => item.ts))
      assert.deepEqual(scope.sizes, sorted.map(item => item.size))
    }
    check()
    check('r1')
  })

  it('drops the earliest added items beyond maxItems, and ignores items of scopes it does not serve', () => {
    const index = new ItemIndex(['r1'], 100)
    const items = randomItems(createRng(3), 150, 0, 10_000, 'r1')
    for (const item of items) index.add(item)
    assert.equal(index.size, 100)
    assert.equal(index.has(items[49]!.id), false)
    assert.equal(index.has(items[50]!.id), true)
    assert.equal(index.add({ ...items[0]!, id: 'f'.repeat(64), register: 'other' }), false)
  })
})
