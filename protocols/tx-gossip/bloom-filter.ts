/**
 * A Bloom filter whose bits go on the wire (SPEC.md §5): anti-entropy summaries carry one, so the
 * layout and the hashing are part of the protocol and written here rather than taken from a library.
 *
 * Layout: m = 8 * bytes.length bits; bit i is bit (i mod 8), least significant first, of byte
 * floor(i / 8). Hashing: h1, h2 = murmur3_x86_32(key) with seeds (salt, salt XOR 0x5bd1e995); the k
 * probe positions are g_j = (h1 + j * h2) mod m for j = 0..k-1 (Kirsch and Mitzenmacher, "Less
 * Hashing, Same Performance", 2006), with h2 mod m replaced by 1 when it is 0.
 */
import { MURMUR_SEED2_XOR, murmur3Pair } from './murmur3.ts'

/** Most hash functions a filter may use; more gains nothing below a 1e-9 false-positive rate. */
export const BLOOM_MAX_K = 32
/** Most bytes of bits in one filter (2^29 bits); a larger announced filter is malformed. */
export const BLOOM_MAX_BYTES = 64 * 1024 * 1024

/** A filter's wire form (SPEC.md §5.1, message BloomFilter in tx_gossip.proto). */
export interface BloomFilterWire {
  /** Number of probe positions per key, 1..32. */
  k: number
  /** Seed of the hash pair; a fresh salt per summary makes false positives independent across rounds. */
  salt: number
  /** The bit array, m = 8 * bits.length. */
  bits: Uint8Array
}

/** Bits and probes for `expectedItems` keys at false-positive rate `fpRate` (SPEC.md §6.2). */
export function bloomSize (expectedItems: number, fpRate: number): { bytes: number, k: number } {
  const n = Math.max(1, Math.ceil(expectedItems))
  const p = Math.min(0.5, Math.max(1e-12, fpRate))
  // m = -n ln p / (ln 2)^2 minimises m for the target rate; k = (m/n) ln 2 is then optimal.
  const bits = Math.ceil(-n * Math.log(p) / (Math.LN2 * Math.LN2))
  const bytes = Math.min(BLOOM_MAX_BYTES, Math.max(1, Math.ceil(bits / 8)))
  const k = Math.min(BLOOM_MAX_K, Math.max(1, Math.round((bytes * 8 / n) * Math.LN2)))
  return { bytes, k }
}

/** The false-positive rate of a filter with m bits and k probes after n insertions. */
export function bloomFalsePositiveRate (mBits: number, k: number, n: number): number {
  return Math.pow(1 - Math.exp(-k * n / mBits), k)
}

/** A Bloom filter over ASCII keys (tx ids as lower-case hex in the node). */
export class BloomFilter {
  readonly k: number
  readonly salt: number
  readonly bits: Uint8Array
  /** m, the number of bits. */
  readonly size: number
  private inserted = 0

  private constructor (bits: Uint8Array, k: number, salt: number) {
    this.bits = bits
    this.k = k
    this.salt = salt >>> 0
    this.size = bits.length * 8
  }

  /** An empty filter sized for `expectedItems` keys at `fpRate`. */
  static create (expectedItems: number, fpRate: number, salt = 0): BloomFilter {
    const { bytes, k } = bloomSize(expectedItems, fpRate)
    return new BloomFilter(new Uint8Array(bytes), k, salt)
  }

  /** A filter from its wire form; undefined when the form is malformed (empty or oversized bits, bad k). */
  static fromWire (wire: BloomFilterWire): BloomFilter | undefined {
    const { k, salt, bits } = wire
    if (!Number.isInteger(k) || k < 1 || k > BLOOM_MAX_K) return undefined
    if (!Number.isInteger(salt) || salt < 0 || salt > 0xffffffff) return undefined
    if (bits.length === 0 || bits.length > BLOOM_MAX_BYTES) return undefined
    return new BloomFilter(bits, k, salt)
  }

  /** The wire form (shares the bit array; copy it to keep a snapshot). */
  toWire (): BloomFilterWire {
    return { k: this.k, salt: this.salt, bits: this.bits }
  }

  /** Keys added since creation or the last clear (duplicates counted again). */
  get count (): number {
    return this.inserted
  }

  /** Adds a key. */
  add (key: string): void {
    const pair = murmur3Pair(key, this.salt, this.salt ^ MURMUR_SEED2_XOR)
    this.addHashed(pair[0], pair[1])
  }

  /** True if the key may have been added; false if it certainly was not. */
  has (key: string): boolean {
    const pair = murmur3Pair(key, this.salt, this.salt ^ MURMUR_SEED2_XOR)
    return this.hasHashed(pair[0], pair[1])
  }

  /** `add` with the key's hash pair already computed (under this filter's salt). */
  addHashed (h1: number, h2: number): void {
    const m = this.size
    let g = h1 % m
    const stride = (h2 % m) || 1
    const bits = this.bits
    for (let j = 0; j < this.k; j++) {
      bits[g >>> 3]! |= 1 << (g & 7)
      g += stride
      if (g >= m) g -= m
    }
    this.inserted++
  }

  /** `has` with the key's hash pair already computed (under this filter's salt). */
  hasHashed (h1: number, h2: number): boolean {
    const m = this.size
    let g = h1 % m
    const stride = (h2 % m) || 1
    const bits = this.bits
    for (let j = 0; j < this.k; j++) {
      if ((bits[g >>> 3]! & (1 << (g & 7))) === 0) return false
      g += stride
      if (g >= m) g -= m
    }
    return true
  }

  /** Empties the filter in place (no allocation). */
  clear (): void {
    this.bits.fill(0)
    this.inserted = 0
  }

  /** The expected false-positive rate at the current fill. */
  estimatedFalsePositiveRate (): number {
    return bloomFalsePositiveRate(this.size, this.k, this.inserted)
  }
}
