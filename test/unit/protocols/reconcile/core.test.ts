import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createRng } from '../../../../protocols/common/rng.ts'
import { siphash24 } from '../../../../protocols/reconcile/index.ts'
import { Harness, randomItems } from './harness.ts'

const NOW = 1_800_000_000_000
const HOUR = 3_600_000
const DAY = 24 * HOUR

/** Two nodes with `common` shared items and `onlyA`/`onlyB` of their own; A dials B; returns what each needed. */
function reconcile (common: number, onlyA: number, onlyB: number, seed = 1, sameTs = false) {
  const rng = createRng(seed)
  const ts = (items: ReturnType<typeof randomItems>) => sameTs ? items.map(i => ({ ...i, ts: NOW - DAY })) : items
  const shared = ts(randomItems(rng, common, NOW - DAY, NOW - HOUR))
  const a = ts(randomItems(rng, onlyA, NOW - DAY, NOW - HOUR))
  const b = ts(randomItems(rng, onlyB, NOW - DAY, NOW - HOUR))
  const net = new Harness(NOW)
  const A = net.add('a', {}, [...shared, ...a], seed)
  const B = net.add('b', {}, [...shared, ...b], seed + 1)
  net.connect('a', 'b')
  return { net, A, B, a, b }
}

const ids = (items: Array<{ id: string }>): string[] => items.map(i => i.id).sort()

describe('SipHash-2-4', () => {
  it('matches the reference vectors (key 00..0f, message 00..len-1)', () => {
    const key = [0x03020100, 0x07060504, 0x0b0a0908, 0x0f0e0d0c] as const
    const expected: Record<number, string> = { 0: '726fdb47dd0e0e31', 1: '74f839c593dc67fd', 7: 'ab0200f58b01d137', 8: '93f5f5799a932462', 15: 'a129ca6149be45e5', 63: '958a324ceb064572' }
    for (const [length, hex] of Object.entries(expected)) {
      let text = ''
      for (let i = 0; i < Number(length); i++) text += String.fromCharCode(i)
      const [hi, lo] = siphash24(key, text)
      assert.equal(hi.toString(16).padStart(8, '0') + lo.toString(16).padStart(8, '0'), hex, `length ${length}`)
    }
  })
})

describe('reconciliation finds exactly the difference', () => {
  const cases: Array<[number, number, number]> = [[0, 0, 0], [0, 5, 0], [0, 0, 5], [100, 0, 0], [1000, 1, 0], [1000, 0, 1], [5000, 37, 53], [2000, 2000, 2000], [300, 0, 3000], [20_000, 10_000, 10_000]]
  for (const [common, onlyA, onlyB] of cases) {
    it(`${common} shared, ${onlyA} only at A, ${onlyB} only at B`, () => {
      const { A, B, a, b, net } = reconcile(common, onlyA, onlyB)
      assert.deepEqual([...A.needs.keys()].sort(), ids(b))
      assert.deepEqual([...B.needs.keys()].sort(), ids(a))
      assert.deepEqual([...A.verdicts, ...B.verdicts], [])
      assert.equal(A.core.stats().sessionsCompleted, 1)
      assert.equal(B.core.stats().sessionsCompleted, 1)
      if (onlyA + onlyB === 0) assert.ok(net.messages <= 2, `in sync: ${net.messages} messages`)
    })
  }

  it('separates items that share a timestamp (bounds with id prefixes)', () => {
    const { A, B, a, b } = reconcile(3000, 40, 60, 9, true)
    assert.deepEqual([...A.needs.keys()].sort(), ids(b))
    assert.deepEqual([...B.needs.keys()].sort(), ids(a))
  })

  it('holds for many random seeds and sizes', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const rng = createRng(1000 + seed)
      const { A, B, a, b } = reconcile(rng.int(3000), rng.int(200), rng.int(200), seed)
      assert.deepEqual([...A.needs.keys()].sort(), ids(b), `seed ${seed}`)
      assert.deepEqual([...B.needs.keys()].sort(), ids(a), `seed ${seed}`)
    }
  })

  it('leaves out items outside the session window [now - windowMs, now)', () => {
    const rng = createRng(3)
    const net = new Harness(NOW)
    const future = randomItems(rng, 10, NOW + 1, NOW + HOUR)
    const ancient = randomItems(rng, 10, NOW - 30 * DAY, NOW - 8 * DAY)
    const recent = randomItems(rng, 10, NOW - 500, NOW)
    const old = randomItems(rng, 10, NOW - DAY, NOW - HOUR)
    const A = net.add('a', { windowMs: 7 * DAY }, [])
    net.add('b', {}, [...future, ...ancient, ...recent, ...old])
    net.connect('a', 'b')
    assert.deepEqual([...A.needs.keys()].sort(), ids([...recent, ...old]))
  })
})

describe('cost grows with the difference, not the set size', () => {
  it('a fixed difference costs about the same bytes whatever the set size', () => {
    const costs = [1_000, 10_000, 100_000].map(n => {
      const { net } = reconcile(n, 10, 10, 5)
      return { n, bytes: net.bytes, messages: net.messages }
    })
    const [small, , large] = costs
    // 100 × more items: a few more levels of splitting, never 100 × the bytes.
    assert.ok(large!.bytes < 3 * small!.bytes, JSON.stringify(costs))
    // Far below sending every id once (34 bytes each).
    assert.ok(large!.bytes < (100_000 * 34) / 50, JSON.stringify(costs))
    assert.ok(costs.every(c => c.messages <= 12), JSON.stringify(costs))
  })

  it('bytes grow about linearly with the difference', () => {
    const costs = [10, 100, 1000].map(d => ({ d, bytes: reconcile(20_000, d, d, 6).net.bytes }))
    const per = costs.map(c => c.bytes / (2 * c.d))
    // Per differing item: about a kilobyte when differences are sparse (three levels of 16
    // fingerprints to isolate each one), a few hundred bytes when dense; never more as d grows.
    assert.ok(per.every(p => p < 1200), JSON.stringify(costs))
    assert.ok(per[2]! <= per[0]!, JSON.stringify(costs))
    assert.ok(costs[2]!.bytes > 20 * costs[0]!.bytes, JSON.stringify(costs))
  })

  it('a large one-sided difference converges within the round bound, in bounded messages', () => {
    const { A, net } = reconcile(0, 0, 30_000, 7)
    assert.equal(A.needs.size, 30_000)
    assert.equal(A.core.stats().sessionsCompleted, 1)
    assert.ok(A.core.stats().roundsMax < A.core.config.maxRounds)
    // Every message within the item bound: maxItemsPerMessage ids of 32 bytes and their sizes.
    assert.ok(net.bytes / net.messages < A.core.config.maxItemsPerMessage * 40, `${net.bytes} bytes in ${net.messages} messages`)
    assert.ok(net.messages <= 12, `${net.messages} messages`)
  })
})
