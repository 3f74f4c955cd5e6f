/**
 * MurmurHash3 x86_32 (Austin Appleby, public domain reference implementation, SMHasher) over the
 * low 8 bits of each UTF-16 code unit of a string, i.e. over the bytes of an ASCII key. Bloom
 * filter bits travel on the wire (SPEC.md §5), so the hash must be specified exactly; murmur3 is
 * the de facto choice for Bloom filters (Cassandra, Guava) and is fast in plain JavaScript.
 *
 * Both hashes of a key are computed in one pass (same blocks, two seeds), which halves the cost of
 * the Kirsch-Mitzenmacher double hashing used by the filter.
 */

const C1 = 0xcc9e2d51
const C2 = 0x1b873593

/** Second seed of the pair: the first seed XOR this constant (SPEC.md §5.2). */
export const MURMUR_SEED2_XOR = 0x5bd1e995

function mixBlock (k: number): number {
  k = Math.imul(k, C1)
  k = (k << 15) | (k >>> 17)
  return Math.imul(k, C2)
}

function step (h: number, k: number): number {
  h ^= k
  h = (h << 13) | (h >>> 19)
  return (Math.imul(h, 5) + 0xe6546b64) | 0
}

function finalMix (h: number, length: number): number {
  h ^= length
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return h >>> 0
}

/** murmur3_x86_32 of an ASCII key with one seed, as an unsigned 32-bit integer. */
export function murmur3 (key: string, seed: number): number {
  const pair = murmur3Pair(key, seed, seed)
  return pair[0]
}

const out: [number, number] = [0, 0]

/**
 * murmur3_x86_32 of an ASCII key under two seeds at once. Returns a shared tuple (overwritten by
 * the next call) so that the hot path of a Bloom lookup allocates nothing; copy it to keep it.
 */
export function murmur3Pair (key: string, seedA: number, seedB: number): readonly [number, number] {
  const length = key.length
  const blocks = length & ~3
  let ha = seedA | 0
  let hb = seedB | 0
  let i = 0
  for (; i < blocks; i += 4) {
    const k = mixBlock((key.charCodeAt(i) & 0xff) | ((key.charCodeAt(i + 1) & 0xff) << 8) |
      ((key.charCodeAt(i + 2) & 0xff) << 16) | ((key.charCodeAt(i + 3) & 0xff) << 24))
    ha = step(ha, k)
    hb = step(hb, k)
  }
  const rest = length & 3
  if (rest > 0) {
    let tail = key.charCodeAt(i) & 0xff
    if (rest > 1) tail |= (key.charCodeAt(i + 1) & 0xff) << 8
    if (rest > 2) tail |= (key.charCodeAt(i + 2) & 0xff) << 16
    const k = mixBlock(tail)
    ha ^= k
    hb ^= k
  }
  out[0] = finalMix(ha, length)
  out[1] = finalMix(hb, length)
  return out
}
