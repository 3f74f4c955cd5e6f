import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createRng } from '../../../../protocols/common/rng.ts'
import { BloomFilter, bloomFalsePositiveRate, bloomSize, murmur3, murmur3Pair, RotatingBloom, WordArena } from '../../../../protocols/tx-gossip/index.ts'
import { BLOCK_BITS, BlockedBloom, blockFalsePositiveRate, blockedBloomFalsePositiveRate, blockedBloomSize } from '../../../../protocols/tx-gossip/blocked-bloom.ts'

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

describe('BlockedBloom (the seen-set\'s generations)', () => {
  const add = (f: BlockedBloom, key: string): void => { const [h1, h2] = murmur3Pair(key, 0, 0x5bd1e995); f.addHashed(h1, h2) }
  const has = (f: BlockedBloom, key: string): boolean => { const [h1, h2] = murmur3Pair(key, 0, 0x5bd1e995); return f.hasHashed(h1, h2) }

  it('has no false negatives, and clears in place', () => {
    const filter = BlockedBloom.create(5000, 1e-6)
    const items = keys(1, 5000, 'b')
    for (const key of items) add(filter, key)
    assert.ok(items.every(key => has(filter, key)))
    assert.equal(filter.count, 5000)
    filter.clear()
    assert.equal(filter.count, 0)
    assert.ok(items.every(key => !has(filter, key)))
  })

  it('is sized to reach the rate, needing more bits than a classic filter but not twice as many', () => {
    for (const [n, p] of [[256, 5e-7], [100_000, 5e-7], [1000, 0.01], [16, 0.5]] as const) {
      const { blocks, k } = blockedBloomSize(n, p)
      assert.ok(blockedBloomFalsePositiveRate(blocks, k, n) <= p, `${n} at ${p}`)
      const classicBits = bloomSize(n, p).bytes * 8
      assert.ok(blocks * BLOCK_BITS >= classicBits - BLOCK_BITS && blocks * BLOCK_BITS < 2 * classicBits + BLOCK_BITS, `${n} at ${p}: ${blocks} blocks`)
    }
    assert.equal(BlockedBloom.create(100_000, 5e-7).bytes, blockedBloomSize(100_000, 5e-7).blocks * 64)
  })

  for (const [n, p] of [[1_000_000, 0.01], [20_000, 1e-4]] as const) {
    it(`measures the false-positive rate its block loads predict, for ${n} items at ${p}`, () => {
      const filter = BlockedBloom.create(n, p)
      const loads = new Uint32Array(filter.blocks)
      for (let i = 0; i < n; i++) {
        const key = 'in:' + i.toString(16)
        add(filter, key)
        loads[(murmur3Pair(key, 0, 0x5bd1e995)[0] >>> 0) % filter.blocks]!++
      }
      // The rate of this filter: a probe key lands in a uniform block and tests positive at that block's rate.
      let predicted = 0
      for (const load of loads) predicted += blockFalsePositiveRate(load, filter.k) / filter.blocks
      const probes = Math.round(400 / p)
      let positives = 0
      for (let i = 0; i < probes; i++) if (has(filter, 'out:' + i.toString(16))) positives++
      const measured = positives / probes
      // 400 expected positives: a standard deviation of 5 %. Independent probes within a block are what this checks.
      assert.ok(Math.abs(measured - predicted) / predicted < 0.15, `measured ${measured} vs predicted ${predicted}`)
      // Sizing: the expected rate over random key sets reaches the target; this set is within 30 % of it.
      assert.ok(filter.estimatedFalsePositiveRate() <= p)
      assert.ok(Math.abs(predicted - filter.estimatedFalsePositiveRate()) / p < 0.3, `this set ${predicted}, expected ${filter.estimatedFalsePositiveRate()}`)
    })
  }
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
    assert.equal(seen.bytes, 2 * blockedBloomSize(1000, 1e-6 / 2).blocks * 64) // two generations at p/2 each
  })

  it('filters sharing an arena answer as filters of their own do, and never touch each other', () => {
    const options = { expectedItems: 50, fpRate: 1e-6, generationMs: 1000 }
    const words = 2 * blockedBloomSize(50, 1e-6 / 2).blocks * 16
    const arena = new WordArena(words * 5) // five filters per shared array: the fifth starts a second one
    const shared = Array.from({ length: 6 }, () => new RotatingBloom({ ...options, arena }))
    const own = Array.from({ length: 6 }, () => new RotatingBloom(options))
    const probe = keys(11, 400, 'p')
    for (let round = 0; round < 4; round++) {
      for (let f = 0; f < 6; f++) {
        // Each filter takes its own keys at its own pace, so they rotate at different times.
        for (const key of keys(100 * round + f, 20 + 7 * f, `r${round}f${f}`)) {
          shared[f]!.add(key, round * 600)
          own[f]!.add(key, round * 600)
        }
      }
      for (let f = 0; f < 6; f++) {
        assert.equal(shared[f]!.rotations, own[f]!.rotations)
        assert.deepEqual(probe.map(k => shared[f]!.has(k)), probe.map(k => own[f]!.has(k)))
        for (const key of keys(100 * round + f, 20 + 7 * f, `r${round}f${f}`)) assert.ok(shared[f]!.has(key))
      }
    }
    assert.ok(own.some(f => f.rotations > 0) && own.some(f => f.rotations !== own[0]!.rotations))
    // A slice too large for the arena's arrays gets an array of its own.
    const big = new RotatingBloom({ expectedItems: 100_000, fpRate: 1e-6, generationMs: 1000, arena })
    big.add('x', 0)
    assert.ok(big.has('x') && !shared.some(f => f.has('x')))
  })
})
