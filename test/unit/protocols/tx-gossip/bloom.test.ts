import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createRng } from '../../../../protocols/common/rng.ts'
import { BloomFilter, bloomFalsePositiveRate, bloomSize, murmur3, RotatingBloom } from '../../../../protocols/tx-gossip/index.ts'

/** Distinct pseudo-random 64-character hex keys, like tx ids. */
function keys (seed: number, count: number, prefix: string): string[] {
  const rng = createRng(seed)
  const out = new Array<string>(count)
  for (let i = 0; i < count; i++) {
    out[i] = prefix + i.toString(16).padStart(8, '0') + (rng.int(0x100000000)).toString(16).padStart(8, '0') +
      (rng.int(0x100000000)).toString(16).padStart(8, '0') + '0'.repeat(62 - prefix.length - 24) + 'ff'
  }
  return out
}

describe('murmur3_x86_32', () => {
  it('matches the reference test vectors', () => {
    assert.equal(murmur3('', 0), 0)
    assert.equal(murmur3('', 1), 0x514e28b7)
    assert.equal(murmur3('', 0xffffffff), 0x81f16f39)
    assert.equal(murmur3('test', 0), 0xba6bd213)
    assert.equal(murmur3('Hello, world!', 1234), 0xfaf6cdb3)
    assert.equal(murmur3('The quick brown fox jumps over the lazy dog', 0), 0x2e4ff723)
    assert.equal(murmur3('abc', 0), 0xb3dd93fa)
    assert.equal(murmur3('ab', 0), 0x9bbfd75f)
  })
})

describe('BloomFilter', () => {
  it('sizes m and k from n and p by the standard formulas', () => {
    const { bytes, k } = bloomSize(1000, 0.01)
    assert.equal(bytes, Math.ceil(Math.ceil(-1000 * Math.log(0.01) / Math.LN2 ** 2) / 8))
    assert.equal(k, 7)
    assert.ok(bloomFalsePositiveRate(bytes * 8, k, 1000) <= 0.0101)
  })

  it('has no false negatives', () => {
    const filter = BloomFilter.create(5000, 0.001, 99)
    const items = keys(1, 5000, 'a')
    for (const key of items) filter.add(key)
    for (const key of items) assert.ok(filter.has(key))
    assert.equal(filter.count, 5000)
  })

  for (const p of [0.01, 0.001]) {
    it(`measures a false-positive rate within 20 % of the configured ${p} over 1,000,000 items`, () => {
      const n = 1_000_000
      const filter = BloomFilter.create(n, p, 7)
      // Short sequential keys keep the test fast (building a million 64-character strings costs
      // seconds); murmur3's avalanche makes them as good as random ids for the filter.
      for (let i = 0; i < n; i++) filter.add('in:' + i.toString(16))
      let positives = 0
      for (let i = 0; i < n; i++) if (filter.has('out:' + i.toString(16))) positives++
      const measured = positives / n
      assert.ok(Math.abs(measured - p) / p < 0.2, `measured ${measured} vs configured ${p}`)
    })
  }

  it('survives a round trip through its wire form, and rejects malformed forms', () => {
    const filter = BloomFilter.create(100, 0.01, 0xdeadbeef)
    for (const key of keys(4, 100, 'd')) filter.add(key)
    const copy = BloomFilter.fromWire({ ...filter.toWire(), bits: filter.bits.slice() })!
    for (const key of keys(4, 100, 'd')) assert.ok(copy.has(key))
    assert.equal(copy.k, filter.k)
    assert.equal(copy.salt, 0xdeadbeef)
    assert.equal(BloomFilter.fromWire({ k: 0, salt: 1, bits: new Uint8Array(8) }), undefined)
    assert.equal(BloomFilter.fromWire({ k: 33, salt: 1, bits: new Uint8Array(8) }), undefined)
    assert.equal(BloomFilter.fromWire({ k: 3, salt: -1, bits: new Uint8Array(8) }), undefined)
    assert.equal(BloomFilter.fromWire({ k: 3, salt: 1, bits: new Uint8Array(0) }), undefined)
  })

  it('gives independent false positives under different salts', () => {
    const inserted = keys(5, 2000, 'e')
    const probes = keys(6, 20_000, 'f')
    const fp = (salt: number): Set<string> => {
      const filter = BloomFilter.create(2000, 0.05, salt)
      for (const key of inserted) filter.add(key)
      return new Set(probes.filter(key => filter.has(key)))
    }
    const a = fp(1)
    const b = fp(2)
    const both = [...a].filter(key => b.has(key)).length
    // Independent at ~5 % each: ~0.25 % of probes in both, far from the ~5 % a shared hash would give.
    assert.ok(a.size > 500 && b.size > 500)
    assert.ok(both < a.size / 5, `overlap ${both} of ${a.size}`)
  })

  it('clears in place', () => {
    const filter = BloomFilter.create(10, 0.01)
    filter.add('x')
    filter.clear()
    assert.equal(filter.has('x'), false)
    assert.equal(filter.count, 0)
  })
})

describe('RotatingBloom', () => {
  it('remembers keys for one generation, forgets them after two, rotating on count', () => {
    const seen = new RotatingBloom({ expectedItems: 100, fpRate: 1e-6, generationMs: 1e9 })
    const first = keys(7, 100, 'g')
    for (const key of first) seen.add(key, 0)
    assert.equal(seen.rotations, 0)
    const second = keys(8, 100, 'h')
    for (const key of second) seen.add(key, 0) // the first add rotates: `first` becomes the previous generation
    assert.equal(seen.rotations, 1)
    assert.ok(first.every(key => seen.has(key)))
    seen.add('trigger', 0)
    assert.equal(seen.rotations, 2)
    assert.ok(first.every(key => !seen.has(key)))
    assert.ok(second.every(key => seen.has(key)))
  })

  it('rotates on age', () => {
    const seen = new RotatingBloom({ expectedItems: 1000, fpRate: 1e-6, generationMs: 1000 })
    seen.add('old', 0)
    assert.equal(seen.rotateIfDue(999), false)
    assert.equal(seen.rotateIfDue(1000), true)
    assert.ok(seen.has('old'))
    assert.equal(seen.rotateIfDue(2000), true)
    assert.equal(seen.has('old'), false)
    assert.ok(seen.bytes > 0 && seen.bytes < 10_000)
  })
})
