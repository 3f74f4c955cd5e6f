/**
 * Input arbitraries shared by the fuzz targets: arbitrary bytes, and structure-aware mutations of a
 * valid encoding (bit flips, byte overwrites, truncation, extension, insertion, deletion, slice
 * duplication, and length-field tweaks that write a varint or a big-endian length claiming up to
 * 4 GiB at some offset). Mutating valid messages reaches the decoder's deeper branches, which random
 * bytes almost never get past the first tag.
 */
import fc from 'fast-check'
import { framePrefix } from '../../src/gossip/frame-decoder.ts'

/** One mutation of a byte string. */
type Mutation =
  | { kind: 'flip', at: number, bit: number }
  | { kind: 'set', at: number, value: number }
  | { kind: 'truncate', at: number }
  | { kind: 'extend', bytes: Uint8Array }
  | { kind: 'insert', at: number, bytes: Uint8Array }
  | { kind: 'delete', at: number, length: number }
  | { kind: 'duplicate', at: number, length: number }
  | { kind: 'varint', at: number, value: number }
  | { kind: 'u16', at: number, value: number }
  | { kind: 'u32', at: number, value: number }

/** Interesting lengths: around 0, powers of two, limits of our parsers, and 4 GiB - 1. */
export const LENGTHS = [0, 1, 2, 3, 4, 7, 8, 31, 32, 33, 127, 128, 255, 256, 0x3fff, 0x4000, 0xffff, 0x10000, 1 << 20, (1 << 20) + 1, 0x0fffffff, 0x10000000, 0x7fffffff, 0xffffffff]

const position = fc.double({ min: 0, max: 1, noNaN: true })
const smallBytes = fc.uint8Array({ maxLength: 48 })
const lengthValue = fc.oneof(fc.constantFrom(...LENGTHS), fc.nat({ max: 0xffffffff }))

/** Every kind of mutation. */
export const MUTATION_KINDS: ReadonlyArray<Mutation['kind']> = ['flip', 'set', 'truncate', 'extend', 'insert', 'delete', 'duplicate', 'varint', 'u16', 'u32']

/** One mutation to apply: its kind, a position (0 to 1 of the length), a number (bit, byte, length) and bytes to add. */
export interface MutationParams { kind: Mutation['kind'], p: number, n: number, bytes: Uint8Array }

const mutationArb: fc.Arbitrary<MutationParams> = fc.record({
  kind: fc.constantFrom(...MUTATION_KINDS),
  p: position,
  n: lengthValue,
  bytes: smallBytes
})

/** Unsigned LEB128 of `value` (up to 2^32 - 1): the gossip frame prefix is one. */
export const varint = framePrefix

const splice = (bytes: Uint8Array, at: number, remove: number, insert: Uint8Array): Uint8Array => {
  const out = new Uint8Array(bytes.length - remove + insert.length)
  out.set(bytes.subarray(0, at), 0)
  out.set(insert, at)
  out.set(bytes.subarray(at + remove), at + insert.length)
  return out
}

/** `bytes` with mutation `m` applied (a copy; `bytes` is left as it was). */
export function applyMutation (bytes: Uint8Array, m: MutationParams): Uint8Array {
  const at = Math.min(bytes.length, Math.floor(m.p * (bytes.length + 1)))
  const inside = Math.min(Math.max(0, bytes.length - 1), at)
  switch (m.kind) {
    case 'flip': {
      if (bytes.length === 0) return bytes
      const out = bytes.slice()
      out[inside] = (out[inside] as number) ^ (1 << (m.n % 8))
      return out
    }
    case 'set': {
      if (bytes.length === 0) return bytes
      const out = bytes.slice()
      out[inside] = m.n & 0xff
      return out
    }
    case 'truncate': return bytes.slice(0, at)
    case 'extend': return splice(bytes, bytes.length, 0, m.bytes)
    case 'insert': return splice(bytes, at, 0, m.bytes)
    case 'delete': return splice(bytes, at, Math.min(bytes.length - at, 1 + (m.n % 16)), new Uint8Array(0))
    case 'duplicate': return splice(bytes, at, 0, bytes.slice(at, at + 1 + (m.n % 64)))
    // A length field rewritten: the varint at `at` (protobuf lengths, frame prefixes) replaced by one
    // of `n`, or a fixed-width big-endian length (STUN) overwritten in place.
    case 'varint': {
      let end = at
      while (end < bytes.length && ((bytes[end] as number) & 0x80) !== 0 && end - at < 9) end++
      return splice(bytes, at, Math.min(bytes.length - at, end - at + 1), varint(m.n))
    }
    case 'u16':
    case 'u32': {
      const width = m.kind === 'u16' ? 2 : 4
      if (bytes.length < width) return bytes
      const out = bytes.slice()
      const start = Math.min(at, bytes.length - width)
      for (let i = 0; i < width; i++) out[start + i] = Math.floor(m.n / 2 ** (8 * (width - 1 - i))) & 0xff
      return out
    }
  }
}

/** Valid encodings from `valid`, each with 1 to 4 mutations applied. */
export function mutated (valid: fc.Arbitrary<Uint8Array>): fc.Arbitrary<Uint8Array> {
  return fc.tuple(valid, fc.array(mutationArb, { minLength: 1, maxLength: 4 }))
    .map(([bytes, mutations]) => mutations.reduce(applyMutation, bytes))
}

/** Arbitrary bytes (up to `maxLength`). */
export function anyBytes (maxLength = 2048): fc.Arbitrary<Uint8Array> {
  return fc.uint8Array({ maxLength })
}

/**
 * The usual input of a byte decoder: a valid encoding (a quarter of the time, so round trips are
 * checked), a mutated one (half), or arbitrary bytes (a quarter).
 */
export function decoderInput (valid: fc.Arbitrary<Uint8Array>, maxLength = 2048): fc.Arbitrary<Uint8Array> {
  return fc.oneof({ arbitrary: valid, weight: 1 }, { arbitrary: mutated(valid), weight: 2 }, { arbitrary: anyBytes(maxLength), weight: 1 })
}

/** Hex of bytes (counterexamples and corpus files). */
export const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex')
