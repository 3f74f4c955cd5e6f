/**
 * SipHash-2-4 (Aumasson and Bernstein, "SipHash: a fast short-input PRF", 2012) over the ASCII bytes
 * of a string, with a 128-bit key, in 32-bit arithmetic (each 64-bit word is a hi/lo pair). It is a
 * pseudo-random function: without the key, its outputs cannot be predicted or steered, which is what
 * makes the reconciliation fingerprints of SPEC.md §9.4 safe against items chosen to collide.
 */

/** A SipHash key: four 32-bit words, k0 = (w1 << 32) | w0, k1 = (w3 << 32) | w2 (little-endian bytes). */
export type SipKey = readonly [number, number, number, number]

// The state v0..v3 as hi/lo pairs, reused (the function is synchronous and not re-entrant).
const v = new Uint32Array(8)

function add (a: number, b: number): void {
  // v[a] += v[b] (64-bit), a and b index the hi word.
  const lo = (v[a + 1]! + v[b + 1]!) >>> 0
  v[a] = (v[a]! + v[b]! + (lo < v[a + 1]! ? 1 : 0)) >>> 0
  v[a + 1] = lo
}

function rotl (a: number, n: number): void {
  let hi = v[a]!
  let lo = v[a + 1]!
  if (n >= 32) {
    const t = hi
    hi = lo
    lo = t
    n -= 32
  }
  if (n === 0) {
    v[a] = hi
    v[a + 1] = lo
    return
  }
  v[a] = ((hi << n) | (lo >>> (32 - n))) >>> 0
  v[a + 1] = ((lo << n) | (hi >>> (32 - n))) >>> 0
}

function xor (a: number, b: number): void {
  v[a] = (v[a]! ^ v[b]!) >>> 0
  v[a + 1] = (v[a + 1]! ^ v[b + 1]!) >>> 0
}

function swapHalves (a: number): void {
  const t = v[a]!
  v[a] = v[a + 1]!
  v[a + 1] = t
}

// v0 at 0, v1 at 2, v2 at 4, v3 at 6 (hi word first).
function sipRound (): void {
  add(0, 2); rotl(2, 13); xor(2, 0); swapHalves(0)
  add(4, 6); rotl(6, 16); xor(6, 4)
  add(0, 6); rotl(6, 21); xor(6, 0)
  add(4, 2); rotl(2, 17); xor(2, 4); swapHalves(4)
}

function absorb (hi: number, lo: number): void {
  v[6] = (v[6]! ^ hi) >>> 0
  v[7] = (v[7]! ^ lo) >>> 0
  sipRound()
  sipRound()
  v[0] = (v[0]! ^ hi) >>> 0
  v[1] = (v[1]! ^ lo) >>> 0
}

/** The little-endian 32-bit word of `text`'s character codes at `at` (bytes beyond `end` are 0). */
function word (text: string, at: number, end: number): number {
  let w = 0
  for (let i = 3; i >= 0; i--) w = (w << 8) | (at + i < end ? text.charCodeAt(at + i) & 0xff : 0)
  return w >>> 0
}

/**
 * SipHash-2-4 of the bytes of `text` (each character's code & 0xff: the ASCII of a hex tx id) under
 * `key`. Writes the 64-bit result into `out` as [hi, lo] and returns it.
 */
export function siphash24 (key: SipKey, text: string, out: [number, number] = [0, 0]): [number, number] {
  const [k0lo, k0hi, k1lo, k1hi] = key
  // "somepseudorandomlygeneratedbytes"
  v[0] = (k0hi ^ 0x736f6d65) >>> 0; v[1] = (k0lo ^ 0x70736575) >>> 0
  v[2] = (k1hi ^ 0x646f7261) >>> 0; v[3] = (k1lo ^ 0x6e646f6d) >>> 0
  v[4] = (k0hi ^ 0x6c796765) >>> 0; v[5] = (k0lo ^ 0x6e657261) >>> 0
  v[6] = (k1hi ^ 0x74656462) >>> 0; v[7] = (k1lo ^ 0x79746573) >>> 0
  const length = text.length
  const whole = length - (length % 8)
  for (let at = 0; at < whole; at += 8) absorb(word(text, at + 4, length), word(text, at, length))
  // The last block: the remaining bytes, and the length's low byte as the top byte.
  const lastHi = (word(text, whole + 4, length) | ((length & 0xff) << 24)) >>> 0
  absorb(lastHi, word(text, whole, length))
  v[5] = (v[5]! ^ 0xff) >>> 0
  sipRound(); sipRound(); sipRound(); sipRound()
  out[0] = (v[0]! ^ v[2]! ^ v[4]! ^ v[6]!) >>> 0
  out[1] = (v[1]! ^ v[3]! ^ v[5]! ^ v[7]!) >>> 0
  return out
}
