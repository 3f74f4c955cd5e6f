import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { backoffDelayMs } from '../../../protocols/common/backoff.ts'
import { createRng } from '../../../protocols/common/rng.ts'

describe('Rng', () => {
  it('replays the same sequence from the same seed, and a different one from another', () => {
    const a = createRng(42)
    const b = createRng(42)
    const c = createRng(43)
    const seqA = Array.from({ length: 100 }, () => a.next())
    assert.deepEqual(seqA, Array.from({ length: 100 }, () => b.next()))
    assert.notDeepEqual(seqA, Array.from({ length: 100 }, () => c.next()))
  })

  it('is roughly uniform (chi-square over 10 buckets, 100k draws)', () => {
    const rng = createRng(7)
    const buckets = new Array<number>(10).fill(0)
    for (let i = 0; i < 100_000; i++) buckets[rng.int(10)]!++
    const chi2 = buckets.reduce((sum, n) => sum + (n - 10_000) ** 2 / 10_000, 0)
    assert.ok(chi2 < 27.88, `chi2=${chi2}`) // p = 0.001 critical value for 9 degrees of freedom
  })

  it('samples distinct elements and shuffles in place', () => {
    const rng = createRng(1)
    const items = Array.from({ length: 50 }, (_, i) => i)
    const sample = rng.sample(items, 10)
    assert.equal(new Set(sample).size, 10)
    assert.equal(rng.sample(items, 100).length, 50)
    assert.equal(rng.pick([]), undefined)
    const shuffled = rng.shuffle(items.slice())
    assert.deepEqual(shuffled.slice().sort((x, y) => x - y), items)
    assert.notDeepEqual(shuffled, items)
  })

  it('forks independent, reproducible streams', () => {
    const f1 = createRng(5).fork(1)
    const f1again = createRng(5).fork(1)
    const f2 = createRng(5).fork(2)
    const x = f1.next()
    assert.equal(x, f1again.next())
    assert.notEqual(x, f2.next())
  })
})

describe('backoffDelayMs', () => {
  it('doubles up to the cap, with equal jitter in [d/2, d]', () => {
    const rng = createRng(3)
    const options = { initialMs: 1000, maxMs: 60_000 }
    for (let attempt = 0; attempt < 12; attempt++) {
      const ceiling = Math.min(60_000, 1000 * 2 ** attempt)
      for (let i = 0; i < 50; i++) {
        const d = backoffDelayMs(attempt, options, rng)
        assert.ok(d >= ceiling / 2 && d <= ceiling, `attempt ${attempt}: ${d}`)
      }
    }
  })

  it('spreads a crowd: 100 joiners at attempt 3 do not retry in the same 10 ms', () => {
    const rng = createRng(9)
    const delays = Array.from({ length: 100 }, () => backoffDelayMs(3, { initialMs: 1000, maxMs: 60_000 }, rng))
    const buckets = new Set(delays.map(d => Math.floor(d / 10)))
    assert.ok(buckets.size > 80, `only ${buckets.size} distinct 10 ms slots`)
  })
})
