/**
 * The STUN message codec (RFC 8489 §5, §14-15): header, attribute TLVs with 32-bit padding, and the
 * FINGERPRINT check. Decoding never throws: a malformed or hostile datagram comes back as a rejection
 * with a bounded reason code, which the transaction core turns into a verdict.
 *
 * Written here rather than taken from a library because the NAT tests depend on exact wire behaviour
 * (which attributes are sent, how unknown ones are judged, where FINGERPRINT sits) and because cores
 * may not import packages that do I/O; see SPEC.md "Why our own codec".
 */
import {
  FINGERPRINT_XOR, HEADER_BYTES, KNOWN_ATTRIBUTES, MAGIC_COOKIE, MAX_MESSAGE_BYTES, TRANSACTION_ID_BYTES, ATTR
} from './constants.ts'
import { crc32 } from './crc32.ts'

/** The four STUN message classes (RFC 8489 §5). */
export type StunClass = 'request' | 'indication' | 'success' | 'error'

/** One attribute as it appears on the wire (value without padding). */
export interface StunAttribute {
  type: number
  value: Uint8Array
}

/** A decoded (or to-be-encoded) STUN message. */
export interface StunMessage {
  cls: StunClass
  method: number
  /** 12 bytes. */
  transactionId: Uint8Array
  attributes: StunAttribute[]
}

/** Why a datagram was not accepted as a STUN message. */
export type DecodeRejection =
  | 'too-short' | 'not-stun' | 'bad-magic-cookie' | 'bad-length' | 'truncated-attribute'
  | 'bad-fingerprint' | 'fingerprint-not-last' | 'unknown-comprehension-required' | 'too-large'

/** The outcome of decoding: a message, or a rejection with its reason. */
export type DecodeResult =
  | { ok: true, message: StunMessage, hasFingerprint: boolean }
  | { ok: false, reason: DecodeRejection, unknownTypes?: number[] }

const CLASS_BITS: Record<StunClass, number> = { request: 0, indication: 1, success: 2, error: 3 }
const CLASSES: StunClass[] = ['request', 'indication', 'success', 'error']

/** Packs method and class into the 14-bit message type (RFC 8489 §5, figure 3). */
export function messageType (method: number, cls: StunClass): number {
  const c = CLASS_BITS[cls]
  return (method & 0x000f) | ((method & 0x0070) << 1) | ((method & 0x0f80) << 2) | ((c & 1) << 4) | ((c & 2) << 7)
}

function splitType (type: number): { method: number, cls: StunClass } {
  const method = (type & 0x000f) | ((type & 0x00e0) >> 1) | ((type & 0x3e00) >> 2)
  const c = ((type >> 4) & 1) | ((type >> 7) & 2)
  return { method, cls: CLASSES[c] as StunClass }
}

const pad4 = (n: number): number => (n + 3) & ~3

/** Options for encodeMessage. */
export interface EncodeOptions {
  /** Append a FINGERPRINT attribute (RFC 8489 §14.7). @default true */
  fingerprint?: boolean
}

/** Encodes a message; padding bytes are zero. */
export function encodeMessage (message: StunMessage, options: EncodeOptions = {}): Uint8Array {
  const withFingerprint = options.fingerprint ?? true
  let bodyLength = message.attributes.reduce((sum, a) => sum + 4 + pad4(a.value.length), 0)
  if (withFingerprint) bodyLength += 8
  const out = new Uint8Array(HEADER_BYTES + bodyLength)
  const view = new DataView(out.buffer)
  view.setUint16(0, messageType(message.method, message.cls))
  view.setUint16(2, bodyLength)
  view.setUint32(4, MAGIC_COOKIE)
  out.set(message.transactionId.subarray(0, TRANSACTION_ID_BYTES), 8)
  let offset = HEADER_BYTES
  for (const attribute of message.attributes) {
    view.setUint16(offset, attribute.type)
    view.setUint16(offset + 2, attribute.value.length)
    out.set(attribute.value, offset + 4)
    offset += 4 + pad4(attribute.value.length)
  }
  if (withFingerprint) {
    view.setUint16(offset, ATTR.FINGERPRINT)
    view.setUint16(offset + 2, 4)
    view.setUint32(offset + 4, (crc32(out, offset) ^ FINGERPRINT_XOR) >>> 0)
  }
  return out
}

/** Quick test from RFC 8489 §5/§7.3: could this datagram be STUN at all (top bits zero, cookie present)? */
export function looksLikeStun (bytes: Uint8Array): boolean {
  if (bytes.length < HEADER_BYTES || ((bytes[0] as number) & 0xc0) !== 0) return false
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  return view.getUint32(4) === MAGIC_COOKIE
}

function checkHeader (bytes: Uint8Array, view: DataView): DecodeRejection | undefined {
  if (bytes.length > MAX_MESSAGE_BYTES) return 'too-large'
  if (bytes.length < HEADER_BYTES) return 'too-short'
  if (((bytes[0] as number) & 0xc0) !== 0) return 'not-stun'
  if (view.getUint32(4) !== MAGIC_COOKIE) return 'bad-magic-cookie'
  const length = view.getUint16(2)
  if ((length & 3) !== 0 || length !== bytes.length - HEADER_BYTES) return 'bad-length'
  return undefined
}

/** Decodes a datagram. Never throws. */
export function decodeMessage (bytes: Uint8Array): DecodeResult {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const headerProblem = checkHeader(bytes, view)
  if (headerProblem !== undefined) return { ok: false, reason: headerProblem }
  const attributes: StunAttribute[] = []
  const unknown: number[] = []
  let hasFingerprint = false
  let offset = HEADER_BYTES
  while (offset < bytes.length) {
    if (hasFingerprint) return { ok: false, reason: 'fingerprint-not-last' }
    if (offset + 4 > bytes.length) return { ok: false, reason: 'truncated-attribute' }
    const type = view.getUint16(offset)
    const length = view.getUint16(offset + 2)
    if (offset + 4 + length > bytes.length) return { ok: false, reason: 'truncated-attribute' }
    if (type === ATTR.FINGERPRINT) {
      // RFC 8489 §14.7: CRC-32 over the message up to (excluding) this attribute, XOR 0x5354554e.
      if (length !== 4 || view.getUint32(offset + 4) !== ((crc32(bytes, offset) ^ FINGERPRINT_XOR) >>> 0)) {
        return { ok: false, reason: 'bad-fingerprint' }
      }
      hasFingerprint = true
    } else {
      attributes.push({ type, value: bytes.slice(offset + 4, offset + 4 + length) })
      // RFC 8489 §15: types 0x0000-0x7FFF are comprehension-required.
      if (type < 0x8000 && !KNOWN_ATTRIBUTES.has(type)) unknown.push(type)
    }
    offset += 4 + pad4(length)
  }
  if (offset !== bytes.length) return { ok: false, reason: 'truncated-attribute' }
  if (unknown.length > 0) return { ok: false, reason: 'unknown-comprehension-required', unknownTypes: unknown }
  const { method, cls } = splitType(view.getUint16(0))
  return { ok: true, message: { cls, method, transactionId: bytes.slice(8, 20), attributes }, hasFingerprint }
}

/** The value of the first attribute of `type`, if present. */
export function findAttribute (message: StunMessage, type: number): Uint8Array | undefined {
  return message.attributes.find(a => a.type === type)?.value
}
