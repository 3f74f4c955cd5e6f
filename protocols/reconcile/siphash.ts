/**
 * SipHash-2-4 (Aumasson and Bernstein, "SipHash: a fast short-input PRF", 2012) over the ASCII bytes
 * of a string, with a 128-bit key, in 32-bit arithmetic (each 64-bit word is a hi/lo pair of locals).
 * It is a pseudo-random function: without the key, its outputs cannot be predicted or steered, which
 * is what makes the reconciliation fingerprints of SPEC.md §9.4 safe against items chosen to collide.
 */

/** A SipHash key: four 32-bit words, k0 = (w1 << 32) | w0, k1 = (w3 << 32) | w2 (little-endian bytes). */
export type SipKey = readonly [number, number, number, number]

/** The little-endian 32-bit word of `text`'s character codes at `at` (bytes at or beyond `end` are 0). */
function word (text: string, at: number, end: number): number {
  if (at + 4 <= end) {
    return ((text.charCodeAt(at) & 0xff) | ((text.charCodeAt(at + 1) & 0xff) << 8) |
      ((text.charCodeAt(at + 2) & 0xff) << 16) | ((text.charCodeAt(at + 3) & 0xff) << 24)) >>> 0
  }
  let w = 0
  for (let i = 3; i >= 0; i--) w = (w << 8) | (at + i < end ? text.charCodeAt(at + i) & 0xff : 0)
  return w >>> 0
}

/**
 * SipHash-2-4 of the bytes of `text` (each character's code & 0xff: the ASCII of a hex tx id) under
 * `key`. Writes the 64-bit result into `out` as [hi, lo] and returns it.
 */
export function siphash24 (key: SipKey, text: string, out: [number, number] = [0, 0]): [number, number] {
  const [k0l, k0h, k1l, k1h] = key
  // "somepseudorandomlygeneratedbytes"
  let v0h = (k0h ^ 0x736f6d65) >>> 0; let v0l = (k0l ^ 0x70736575) >>> 0
  let v1h = (k1h ^ 0x646f7261) >>> 0; let v1l = (k1l ^ 0x6e646f6d) >>> 0
  let v2h = (k0h ^ 0x6c796765) >>> 0; let v2l = (k0l ^ 0x6e657261) >>> 0
  let v3h = (k1h ^ 0x74656462) >>> 0; let v3l = (k1l ^ 0x79746573) >>> 0
  const length = text.length
  const whole = length - (length % 8)
  let lo: number
  let t: number
  // Blocks, then the last one (remaining bytes, length in the top byte), then finalization.
  for (let at = 0; at <= whole; at += 8) {
    const last = at === whole
    const mh = last ? (word(text, at + 4, length) | ((length & 0xff) << 24)) >>> 0 : word(text, at + 4, length)
    const ml = word(text, at, length)
    v3h = (v3h ^ mh) >>> 0; v3l = (v3l ^ ml) >>> 0
    for (let r = 0; r < (last ? 6 : 2); r++) {
      if (last && r === 2) {
        v0h = (v0h ^ mh) >>> 0; v0l = (v0l ^ ml) >>> 0
        v2l = (v2l ^ 0xff) >>> 0
      }
      // v0 += v1; v1 <<<= 13; v1 ^= v0; v0 <<<= 32
      lo = (v0l + v1l) >>> 0; v0h = (v0h + v1h + (lo < v0l ? 1 : 0)) >>> 0; v0l = lo
      t = v1h; v1h = ((v1h << 13) | (v1l >>> 19)) >>> 0; v1l = ((v1l << 13) | (t >>> 19)) >>> 0
      v1h = (v1h ^ v0h) >>> 0; v1l = (v1l ^ v0l) >>> 0
      t = v0h; v0h = v0l; v0l = t
      // v2 += v3; v3 <<<= 16; v3 ^= v2
      lo = (v2l + v3l) >>> 0; v2h = (v2h + v3h + (lo < v2l ? 1 : 0)) >>> 0; v2l = lo
      t = v3h; v3h = ((v3h << 16) | (v3l >>> 16)) >>> 0; v3l = ((v3l << 16) | (t >>> 16)) >>> 0
      v3h = (v3h ^ v2h) >>> 0; v3l = (v3l ^ v2l) >>> 0
      // v0 += v3; v3 <<<= 21; v3 ^= v0
      lo = (v0l + v3l) >>> 0; v0h = (v0h + v3h + (lo < v0l ? 1 : 0)) >>> 0; v0l = lo
      t = v3h; v3h = ((v3h << 21) | (v3l >>> 11)) >>> 0; v3l = ((v3l << 21) | (t >>> 11)) >>> 0
      v3h = (v3h ^ v0h) >>> 0; v3l = (v3l ^ v0l) >>> 0
      // v2 += v1; v1 <<<= 17; v1 ^= v2; v2 <<<= 32
      lo = (v2l + v1l) >>> 0; v2h = (v2h + v1h + (lo < v2l ? 1 : 0)) >>> 0; v2l = lo
      t = v1h; v1h = ((v1h << 17) | (v1l >>> 15)) >>> 0; v1l = ((v1l << 17) | (t >>> 15)) >>> 0
      v1h = (v1h ^ v2h) >>> 0; v1l = (v1l ^ v2l) >>> 0
      t = v2h; v2h = v2l; v2l = t
    }
    if (!last) { v0h = (v0h ^ mh) >>> 0; v0l = (v0l ^ ml) >>> 0 }
  }
  out[0] = (v0h ^ v1h ^ v2h ^ v3h) >>> 0
  out[1] = (v0l ^ v1l ^ v2l ^ v3l) >>> 0
  return out
}
