/**
 * Encoders and decoders for the attribute values a Binding exchange uses: the address attributes
 * (MAPPED-ADDRESS, XOR-MAPPED-ADDRESS, OTHER-ADDRESS, RESPONSE-ORIGIN, legacy CHANGED-ADDRESS),
 * CHANGE-REQUEST, ERROR-CODE and SOFTWARE (RFC 8489 §14, RFC 5780 §7). Decoders return undefined for a
 * malformed value instead of throwing.
 */
import { CHANGE_IP, CHANGE_PORT, MAGIC_COOKIE, MAX_SOFTWARE_CHARS } from './constants.ts'
import { formatIp, parseIp, type Endpoint } from './ip.ts'

const FAMILY_V4 = 0x01
const FAMILY_V6 = 0x02

function xorMask (transactionId: Uint8Array): Uint8Array {
  // RFC 8489 §14.2: the address is XORed with the magic cookie, then (IPv6) the transaction id.
  const mask = new Uint8Array(16)
  new DataView(mask.buffer).setUint32(0, MAGIC_COOKIE)
  mask.set(transactionId.subarray(0, 12), 4)
  return mask
}

/** Encodes an address attribute value; `xorWith` is the transaction id for XOR-MAPPED-ADDRESS. */
export function encodeAddress (endpoint: Endpoint, xorWith?: Uint8Array): Uint8Array {
  const ip = parseIp(endpoint.address)
  if (ip === undefined) throw new RangeError('not an IP address')
  const out = new Uint8Array(4 + ip.bytes.length)
  const view = new DataView(out.buffer)
  out[1] = ip.family === 4 ? FAMILY_V4 : FAMILY_V6
  const mask = xorWith === undefined ? undefined : xorMask(xorWith)
  view.setUint16(2, mask === undefined ? endpoint.port : endpoint.port ^ (MAGIC_COOKIE >>> 16))
  for (let i = 0; i < ip.bytes.length; i++) out[4 + i] = (ip.bytes[i] as number) ^ (mask?.[i] ?? 0)
  return out
}

/** Decodes an address attribute value; undefined if the family or length is wrong. */
export function decodeAddress (value: Uint8Array, xorWith?: Uint8Array): Endpoint | undefined {
  if (value.length < 4) return undefined
  const family = value[1]
  const size = family === FAMILY_V4 ? 4 : family === FAMILY_V6 ? 16 : 0
  if (size === 0 || value.length !== 4 + size) return undefined
  const view = new DataView(value.buffer, value.byteOffset, value.byteLength)
  const mask = xorWith === undefined ? undefined : xorMask(xorWith)
  const port = mask === undefined ? view.getUint16(2) : view.getUint16(2) ^ (MAGIC_COOKIE >>> 16)
  const bytes = new Uint8Array(size)
  for (let i = 0; i < size; i++) bytes[i] = (value[4 + i] as number) ^ (mask?.[i] ?? 0)
  return { family: size === 4 ? 4 : 6, address: formatIp(bytes), port }
}

/** Which parts of the server's address the response should come from (RFC 5780 §7.2). */
export interface ChangeRequest {
  changeIp: boolean
  changePort: boolean
}

/** Encodes a CHANGE-REQUEST value. */
export function encodeChangeRequest (change: ChangeRequest): Uint8Array {
  const out = new Uint8Array(4)
  out[3] = (change.changeIp ? CHANGE_IP : 0) | (change.changePort ? CHANGE_PORT : 0)
  return out
}

/** Decodes a CHANGE-REQUEST value; undefined if not 4 bytes. */
export function decodeChangeRequest (value: Uint8Array): ChangeRequest | undefined {
  if (value.length !== 4) return undefined
  const flags = value[3] as number
  return { changeIp: (flags & CHANGE_IP) !== 0, changePort: (flags & CHANGE_PORT) !== 0 }
}

/** An ERROR-CODE value: a 300-699 code and its reason phrase. */
export interface StunError {
  code: number
  reason: string
}

/** Encodes an ERROR-CODE value (RFC 8489 §14.8). */
export function encodeErrorCode (error: StunError): Uint8Array {
  const reason = new TextEncoder().encode(error.reason)
  const out = new Uint8Array(4 + reason.length)
  out[2] = Math.floor(error.code / 100) & 0x07
  out[3] = error.code % 100
  out.set(reason, 4)
  return out
}

/** Decodes an ERROR-CODE value; undefined if short or the code is outside 300-699. */
export function decodeErrorCode (value: Uint8Array): StunError | undefined {
  if (value.length < 4) return undefined
  const code = ((value[2] as number) & 0x07) * 100 + (value[3] as number)
  if (code < 300 || code > 699 || (value[3] as number) > 99) return undefined
  return { code, reason: new TextDecoder('utf-8', { fatal: false }).decode(value.subarray(4)) }
}

/** Encodes a SOFTWARE value, cut to 127 characters (RFC 8489 §14.14). */
export function encodeSoftware (text: string): Uint8Array {
  return new TextEncoder().encode(Array.from(text).slice(0, MAX_SOFTWARE_CHARS).join(''))
}

/** Decodes a SOFTWARE value (invalid UTF-8 becomes U+FFFD rather than an error). */
export function decodeSoftware (value: Uint8Array): string {
  return new TextDecoder('utf-8', { fatal: false }).decode(value)
}
