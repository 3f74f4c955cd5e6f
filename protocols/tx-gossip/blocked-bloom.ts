/**
 * A blocked Bloom filter (Putze, Sanders and Singler, "Cache-, Hash- and Space-Efficient Bloom
 * Filters", 2007) for the seen-set, which never leaves the node. A key's k bits all lie in one block
 * of 512 bits, 64 bytes (one cache line, two when the array is not aligned), so a lookup or an insert
 * costs one or two memory accesses however large k is. A classic filter at the seen-set's 1e-6 takes k = 21 probes spread over the whole
 * array: up to 21 cache misses for a node whose filter is cold, which is every node in a simulation
 * of 100,000 cores and, for large filters, a real node too. The price is space: blocks fill unevenly
 * (their loads are Poisson), so the same false-positive rate needs more bits; `blockedBloomSize`
 * finds how many.
 *
 * Hashing: the same murmur3 pair (h1, h2) as the wire filter. The block is h1 mod blocks; the k bit
 * positions in it are the top 9 bits of h2·φ, h2·φ², ... (φ = 0x9e3779b9, 32-bit products), as
 * RocksDB's cache-local Bloom filter does. Double hashing ((g + j·s) mod 512) is not good enough
 * inside a block this small: keys whose (g, s) differ by a step share k - 1 bits, which measured ten
 * times the predicted false-positive rate at 1e-4.
 */
import { BLOOM_MAX_K, bloomSize } from './bloom-filter.ts'

/** Bits per block: one 64-byte cache line. */
export const BLOCK_BITS = 512
/** Words (32-bit) per block. */
export const BLOCK_WORDS = BLOCK_BITS / 32
/** The next probe's hash: a 32-bit mixing permutation (C. Wellons' lowbias32), so probes are independent-looking. */
function next (h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d)
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b)
  return (h ^ (h >>> 16)) >>> 0
}

/** P(the k probes of a key hit exactly d distinct bits of a block), d = 0..k. */
function distinctProbes (k: number): Float64Array {
  let r = new Float64Array(k + 1)
  r[0] = 1
  for (let j = 0; j < k; j++) {
    const next = new Float64Array(k + 1)
    for (let d = 0; d <= j; d++) {
      next[d]! += r[d]! * d / BLOCK_BITS
      next[d + 1]! += r[d]! * (BLOCK_BITS - d) / BLOCK_BITS
    }
    r = next
  }
  return r
}

const tables = new Map<number, Float64Array>()

/**
 * fp[load]: the exact probability that a key tests positive in a block holding `load` other keys,
 * k probes each, for load = 0..maxLoad (at least). The usual (1 - e^{-kL/512})^k takes the share
 * of set bits as fixed; in a block of 512 bits it varies, and that formula measured 15-25 % below
 * the true rate at 1e-4 to 2e-5. Exactly: with d distinct probe bits (distinctProbes), the rate is
 * the chance that k·load uniform probes cover all d, computed by a walk over how many are covered.
 */
function falsePositiveByLoad (k: number, maxLoad: number): Float64Array {
  const known = tables.get(k)
  if (known !== undefined && known.length > maxLoad) return known
  const size = Math.max(maxLoad + 1, (known?.length ?? 0) * 2)
  const fp = new Float64Array(size)
  const pd = distinctProbes(k)
  for (let d = 1; d <= k; d++) {
    const weight = pd[d]!
    if (weight === 0) continue
    // q[c]: P(c of the d bits covered so far).
    const q = new Float64Array(d + 1)
    q[0] = 1
    for (let t = 1; t < size * k; t++) {
      for (let c = d; c >= 1; c--) q[c] = q[c]! * (1 - (d - c) / BLOCK_BITS) + q[c - 1]! * (d - c + 1) / BLOCK_BITS
      q[0] = q[0]! * (1 - d / BLOCK_BITS)
      if (t % k === 0) fp[t / k]! += weight * q[d]!
    }
  }
  tables.set(k, fp)
  return fp
}

/** The false-positive rate of one block that holds `load` keys, k probes each. */
export function blockFalsePositiveRate (load: number, k: number): number {
  return falsePositiveByLoad(k, load)[load]!
}

/** The false-positive rate of `blocks` blocks with k bits per key after n keys (Poisson block loads). */
export function blockedBloomFalsePositiveRate (blocks: number, k: number, n: number): number {
  const mean = n / blocks
  // Sum P(load = i) * fp(i) over loads around the mean (±12 standard deviations and beyond 0).
  const spread = 12 * Math.sqrt(mean) + 12
  const lo = Math.max(0, Math.floor(mean - spread))
  const hi = Math.ceil(mean + spread)
  const fp = falsePositiveByLoad(k, hi)
  let total = 0
  // log P(load = i) = i ln(mean) - mean - ln(i!)
  let logFactorial = 0
  for (let i = 1; i <= lo; i++) logFactorial += Math.log(i)
  for (let i = lo; i <= hi; i++) {
    if (i > lo) logFactorial += Math.log(i)
    const p = mean === 0 ? (i === 0 ? 1 : 0) : Math.exp(i * Math.log(mean) - mean - logFactorial)
    total += p * fp[i]!
  }
  return total
}

const sizes = new Map<string, { blocks: number, k: number }>()

/**
 * Blocks and k for `expectedItems` keys at `fpRate`: the fewest blocks that reach it, with their best
 * k. Remembered per (expectedItems, fpRate): the search takes milliseconds and every core asks twice.
 */
export function blockedBloomSize (expectedItems: number, fpRate: number): { blocks: number, k: number } {
  const n = Math.max(1, Math.ceil(expectedItems))
  const target = Math.min(0.5, Math.max(1e-12, fpRate))
  const id = `${n}/${target}`
  let size = sizes.get(id)
  if (size === undefined) { size = searchSize(n, target); sizes.set(id, size) }
  return { ...size }
}

function searchSize (n: number, target: number): { blocks: number, k: number } {
  // A classic filter's size is the lower bound; grow by 1/64 steps until the blocked one reaches the rate.
  let blocks = Math.max(1, Math.ceil(bloomSize(n, target).bytes * 8 / BLOCK_BITS))
  for (;;) {
    let bestK = 1
    let bestRate = Infinity
    for (let k = 1; k <= BLOOM_MAX_K; k++) {
      const rate = blockedBloomFalsePositiveRate(blocks, k, n)
      if (rate < bestRate) { bestRate = rate; bestK = k }
    }
    if (bestRate <= target) return { blocks, k: bestK }
    blocks += Math.max(1, Math.ceil(blocks / 64))
  }
}

/**
 * Sets the k bits of the key (h1, h2) in a filter of `blocks` blocks stored in `words` from index
 * `base` on. (Functions over a word array rather than methods, so that a rotating filter can keep
 * both of its generations in one array: one object fewer to reach per lookup.)
 */
export function addToBlock (words: Int32Array, base: number, blocks: number, k: number, h1: number, h2: number): void {
  const at = base + ((h1 >>> 0) % blocks) * BLOCK_WORDS
  let h = h2
  for (let j = 0; j < k; j++) {
    h = next(h)
    const g = h >>> 23
    words[at + (g >>> 5)]! |= 1 << (g & 31)
  }
}

/** True if all k bits of the key (h1, h2) are set in the filter stored at `base` (see addToBlock). */
export function blockHas (words: Int32Array, base: number, blocks: number, k: number, h1: number, h2: number): boolean {
  const at = base + ((h1 >>> 0) % blocks) * BLOCK_WORDS
  let h = h2
  for (let j = 0; j < k; j++) {
    h = next(h)
    const g = h >>> 23
    if ((words[at + (g >>> 5)]! & (1 << (g & 31))) === 0) return false
  }
  return true
}

/** A blocked Bloom filter over hash pairs; local to the node, never on the wire. */
export class BlockedBloom {
  readonly k: number
  readonly blocks: number
  private readonly words: Int32Array
  private inserted = 0

  private constructor (blocks: number, k: number) {
    this.blocks = blocks
    this.k = k
    this.words = new Int32Array(blocks * BLOCK_WORDS)
  }

  /** An empty filter sized for `expectedItems` keys at `fpRate`. */
  static create (expectedItems: number, fpRate: number): BlockedBloom {
    const { blocks, k } = blockedBloomSize(expectedItems, fpRate)
    return new BlockedBloom(blocks, k)
  }

  /** Bytes of the bit array. */
  get bytes (): number {
    return this.words.byteLength
  }

  /** Keys added since creation or the last clear (duplicates counted again). */
  get count (): number {
    return this.inserted
  }

  /** Adds the key whose murmur3 pair is (h1, h2). */
  addHashed (h1: number, h2: number): void {
    addToBlock(this.words, 0, this.blocks, this.k, h1, h2)
    this.inserted++
  }

  /** True if the key whose murmur3 pair is (h1, h2) may have been added; false if it certainly was not. */
  hasHashed (h1: number, h2: number): boolean {
    return blockHas(this.words, 0, this.blocks, this.k, h1, h2)
  }

  /** Empties the filter in place (no allocation). */
  clear (): void {
    this.words.fill(0)
    this.inserted = 0
  }

  /** The expected false-positive rate at the current fill. */
  estimatedFalsePositiveRate (): number {
    return blockedBloomFalsePositiveRate(this.blocks, this.k, this.inserted)
  }
}
