/** Fuzz targets of the STUN codec (protocols/stun): messages and the attribute values a Binding uses. */
import { isDeepStrictEqual } from 'node:util'
import fc from 'fast-check'
import { decodeAddress, decodeChangeRequest, decodeErrorCode, decodeSoftware, encodeAddress, encodeChangeRequest, encodeErrorCode } from '../../../protocols/stun/attributes.ts'
import { ATTR, MAX_MESSAGE_BYTES } from '../../../protocols/stun/constants.ts'
import { decodeMessage, encodeMessage, type StunMessage } from '../../../protocols/stun/message.ts'
import { decoderInput } from '../mutate.ts'
import { plain } from '../proto-target.ts'
import { expect, type FuzzTarget } from '../target.ts'

const REJECTIONS = ['too-short', 'not-stun', 'bad-magic-cookie', 'bad-length', 'truncated-attribute', 'bad-fingerprint', 'fingerprint-not-last', 'unknown-comprehension-required', 'too-large']
const attrType = fc.oneof(fc.constantFrom(...Object.values(ATTR).filter(t => t !== ATTR.FINGERPRINT)), fc.integer({ min: 0x8000, max: 0xffff }).filter(t => t !== ATTR.FINGERPRINT))
const messageArb: fc.Arbitrary<StunMessage> = fc.record({
  cls: fc.constantFrom('request' as const, 'indication' as const, 'success' as const, 'error' as const),
  method: fc.nat({ max: 0xfff }),
  transactionId: fc.uint8Array({ minLength: 12, maxLength: 12 }),
  attributes: fc.array(fc.record({ type: attrType, value: fc.uint8Array({ maxLength: 40 }) }), { maxLength: 5 })
})
const encodedArb = fc.tuple(messageArb, fc.boolean()).map(([m, fingerprint]) => encodeMessage(m, { fingerprint }))

export const stunMessage: FuzzTarget = {
  name: 'stun-message',
  description: 'decodeMessage on arbitrary and mutated datagrams (length fields, FINGERPRINT, padding): a message or a rejection code; attributes within the datagram; valid messages round-trip',
  files: ['protocols/stun/message.ts', 'protocols/stun/crc32.ts'],
  wire: true,
  testRuns: 1500,
  property: () => fc.property(fc.oneof(
    decoderInput(encodedArb, 700).map(bytes => ({ bytes })),
    fc.tuple(messageArb, fc.boolean()).map(([message, fingerprint]) => ({ message, fingerprint }))
  ), input => {
    const bytes = 'bytes' in input ? input.bytes : encodeMessage(input.message, { fingerprint: input.fingerprint })
    const result = checkStun(bytes, true)
    if ('message' in input) {
      expect(result !== undefined, 'a valid message was rejected')
      expect(isDeepStrictEqual(plain(result.message), plain(input.message)) && result.hasFingerprint === input.fingerprint, 'a valid message does not round-trip')
    }
  }),
  fast: { inputs: decoderInput(encodedArb, 700), check: (bytes, full) => { checkStun(bytes, full) } }
}

/** decodeMessage's contract for one datagram: a message within the datagram, or a rejection code; with `full`, a stable re-encoding. */
function checkStun (bytes: Uint8Array, full: boolean): Extract<ReturnType<typeof decodeMessage>, { ok: true }> | undefined {
  const result = decodeMessage(bytes)
  if (!result.ok) {
    expect(REJECTIONS.includes(result.reason), `unknown rejection ${result.reason}`)
    return undefined
  }
  expect(bytes.length <= MAX_MESSAGE_BYTES, 'accepted a datagram above the limit')
  const held = result.message.attributes.reduce((n, a) => n + 4 + a.value.length, 20)
  expect(held <= bytes.length, 'attributes hold more than the datagram')
  if (full) {
    const again = decodeMessage(encodeMessage(result.message, { fingerprint: result.hasFingerprint }))
    expect(again.ok && isDeepStrictEqual(plain(again.message), plain(result.message)), 'a decoded message does not survive re-encoding')
  }
  return result
}

const endpointArb = fc.oneof(
  fc.ipV4().map(address => ({ family: 4 as const, address })),
  fc.ipV6().map(address => ({ family: 6 as const, address }))
).chain(e => fc.nat({ max: 65535 }).map(port => ({ ...e, port })))
const valueArb = fc.oneof(
  fc.tuple(endpointArb, fc.option(fc.uint8Array({ minLength: 12, maxLength: 12 }), { nil: undefined })).map(([e, x]) => encodeAddress(e, x)),
  fc.record({ changeIp: fc.boolean(), changePort: fc.boolean() }).map(encodeChangeRequest),
  fc.record({ code: fc.integer({ min: 300, max: 699 }), reason: fc.string({ maxLength: 30 }) }).map(encodeErrorCode)
)

export const stunAttributes: FuzzTarget = {
  name: 'stun-attributes',
  description: 'decodeAddress (plain and XOR), decodeChangeRequest, decodeErrorCode, decodeSoftware on arbitrary and mutated values: a value or undefined; decoded values re-encode to what was decoded',
  files: ['protocols/stun/attributes.ts', 'protocols/stun/ip.ts'],
  wire: true,
  testRuns: 1500,
  property: () => fc.property(decoderInput(valueArb, 64), fc.uint8Array({ minLength: 12, maxLength: 12 }), checkAttributes),
  // The transaction id (for XOR addresses) is the input's first 12 bytes.
  fast: { inputs: fc.tuple(fc.uint8Array({ minLength: 12, maxLength: 12 }), decoderInput(valueArb, 64)).map(([tid, value]) => Buffer.concat([tid, value])), check: bytes => { checkAttributes(bytes.subarray(12), bytes.length >= 12 ? bytes.subarray(0, 12) : new Uint8Array(12)) } }
}

/** The attribute decoders' contract for one value: a value or undefined; decoded values re-encode to it. */
function checkAttributes (value: Uint8Array, tid: Uint8Array): void {
  for (const xor of [undefined, tid]) {
    const endpoint = decodeAddress(value, xor)
    if (endpoint !== undefined) {
      expect(Buffer.from(encodeAddress(endpoint, xor)).subarray(1).equals(value.subarray(1)), 'an address does not re-encode to its value')
    }
  }
  const change = decodeChangeRequest(value)
  expect(change === undefined || value.length === 4, 'a CHANGE-REQUEST of the wrong length was accepted')
  const error = decodeErrorCode(value)
  expect(error === undefined || (error.code >= 300 && error.code <= 699 && error.reason.length <= value.length), 'an ERROR-CODE outside 300-699 or longer than its value')
  expect(decodeSoftware(value).length <= value.length, 'SOFTWARE longer than its value')
}

export const STUN_TARGETS = [stunMessage, stunAttributes]
