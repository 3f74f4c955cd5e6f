/**
 * A fuzz target for a generated protobuf codec used on the network or on disk: arbitrary and mutated
 * encodings of valid messages go to `decode`, which must return a message or throw the protobuf
 * reader's Error (every call site catches it and turns it into a verdict or a skipped record); a
 * decoded message re-encodes to bytes that decode to the same message, is no larger than its input
 * allows, and is given to `judge` (what the node does next), which must not throw.
 */
import { isDeepStrictEqual } from 'node:util'
import fc from 'fast-check'
import { decoderInput } from './mutate.ts'
import { expect, expectTypedError, type FuzzTarget } from './target.ts'

/** The part of a ts-proto codec a target uses. */
export interface ProtoCodec<T> {
  encode: (message: T) => { finish: () => Uint8Array }
  decode: (bytes: Uint8Array) => T
}

/** Errors a generated decoder throws on bad input (the reader's Error; RangeError for a too-deep group nesting). */
export const PROTO_DECODE_ERRORS = ['Error', 'RangeError']

/** A message in comparable form: plain objects, bytes as hex. */
export const plain = (value: unknown): unknown =>
  JSON.parse(JSON.stringify(value, (_key, v: unknown) => v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v) ?? 'null')

/**
 * Checks one input against a codec; returns the decoded message, or undefined when decode threw.
 * Without `full` (the fast mode's cheap executions) the re-encoding checks are left out.
 */
export function checkProto<T> (codec: ProtoCodec<T>, bytes: Uint8Array, judge: (message: T) => void, full = true, maxGrowth = 64): T | undefined {
  let message: T
  try {
    message = codec.decode(bytes)
  } catch (err) {
    expectTypedError(err, PROTO_DECODE_ERRORS, 'decode')
    return undefined
  }
  if (!full) {
    judge(message)
    return message
  }
  const again = codec.encode(message).finish()
  // Default values are not encoded and repeated scalars may pack, so a re-encoding is at most a small multiple of the input.
  expect(again.length <= maxGrowth * (bytes.length + 16), `re-encoding grew from ${bytes.length} to ${again.length} bytes`)
  expect(isDeepStrictEqual(plain(codec.decode(again)), plain(message)), 'decode(encode(decode(x))) differs from decode(x)')
  judge(message)
  return message
}

/** Builds a target over `codec` fed from valid messages `valid`. */
export function protoTarget<T> (options: { name: string, description: string, files: string[], wire: boolean, codec: ProtoCodec<T>, valid: fc.Arbitrary<T>, judge?: (message: T) => void, testRuns?: number }): FuzzTarget {
  const { codec, valid } = options
  const judge = options.judge ?? ((): void => {})
  const encoded = valid.map(m => codec.encode(m).finish())
  return {
    name: options.name,
    description: options.description,
    files: options.files,
    wire: options.wire,
    testRuns: options.testRuns ?? 800,
    property: () => fc.property(fc.oneof(
      decoderInput(encoded).map(bytes => ({ bytes })),
      valid.map(message => ({ message }))
    ), input => {
      if ('bytes' in input) {
        checkProto(codec, input.bytes, judge)
        return
      }
      const decoded = checkProto(codec, codec.encode(input.message).finish(), judge)
      expect(decoded !== undefined && isDeepStrictEqual(plain(decoded), plain(input.message)), 'a valid message does not round-trip')
    }),
    fast: { inputs: decoderInput(encoded), check: (bytes, full) => { checkProto(codec, bytes, judge, full) } }
  }
}
