/**
 * The Binding method on top of the codec: building requests (optionally with CHANGE-REQUEST, RFC 5780
 * §7.2), reading responses into the addresses the NAT tests need, and building responses (used by the
 * simulator's STUN server and by tests).
 */
import { ATTR, METHOD_BINDING } from './constants.ts'
import {
  decodeAddress, decodeErrorCode, decodeSoftware, encodeAddress, encodeChangeRequest, encodeErrorCode, encodeSoftware,
  type ChangeRequest, type StunError
} from './attributes.ts'
import type { Endpoint } from './ip.ts'
import { encodeMessage, findAttribute, type StunAttribute, type StunMessage } from './message.ts'

/** Options for a Binding request. */
export interface BindingRequestOptions {
  change?: ChangeRequest
  software?: string
  /** @default true */
  fingerprint?: boolean
}

/** Encodes a Binding request with the given 12-byte transaction id. */
export function encodeBindingRequest (transactionId: Uint8Array, options: BindingRequestOptions = {}): Uint8Array {
  const attributes: StunAttribute[] = []
  if (options.software !== undefined) attributes.push({ type: ATTR.SOFTWARE, value: encodeSoftware(options.software) })
  if (options.change !== undefined && (options.change.changeIp || options.change.changePort)) {
    attributes.push({ type: ATTR.CHANGE_REQUEST, value: encodeChangeRequest(options.change) })
  }
  return encodeMessage({ cls: 'request', method: METHOD_BINDING, transactionId, attributes }, { fingerprint: options.fingerprint ?? true })
}

/** What a Binding response tells the client. */
export interface BindingResult {
  /** XOR-MAPPED-ADDRESS if present, else MAPPED-ADDRESS (RFC 8489 §14.1: for RFC 3489 servers). */
  mapped: Endpoint
  /** OTHER-ADDRESS (RFC 5780), or the legacy CHANGED-ADDRESS of RFC 3489 servers. */
  otherAddress?: Endpoint
  /** RESPONSE-ORIGIN (RFC 5780 §7.5): where the server says it sent the response from. */
  responseOrigin?: Endpoint
  software?: string
}

/** Why a Binding response could not be used. */
export type BindingRejection = 'not-binding' | 'missing-mapped-address' | 'bad-address-attribute' | 'bad-error-code'

/** The outcome of reading a response: addresses, a STUN error response, or a rejection. */
export type BindingResponse =
  | { kind: 'success', result: BindingResult }
  | { kind: 'error', error: StunError }
  | { kind: 'rejected', reason: BindingRejection }

function address (message: StunMessage, type: number, xor: boolean): Endpoint | 'bad' | undefined {
  const value = findAttribute(message, type)
  if (value === undefined) return undefined
  return decodeAddress(value, xor ? message.transactionId : undefined) ?? 'bad'
}

/** Reads a decoded success or error response to a Binding request. */
export function readBindingResponse (message: StunMessage): BindingResponse {
  if (message.method !== METHOD_BINDING || (message.cls !== 'success' && message.cls !== 'error')) return { kind: 'rejected', reason: 'not-binding' }
  if (message.cls === 'error') {
    const value = findAttribute(message, ATTR.ERROR_CODE)
    const error = value === undefined ? undefined : decodeErrorCode(value)
    return error === undefined ? { kind: 'rejected', reason: 'bad-error-code' } : { kind: 'error', error }
  }
  const xorMapped = address(message, ATTR.XOR_MAPPED_ADDRESS, true)
  const mapped = address(message, ATTR.MAPPED_ADDRESS, false)
  const other = address(message, ATTR.OTHER_ADDRESS, false) ?? address(message, ATTR.CHANGED_ADDRESS, false)
  const origin = address(message, ATTR.RESPONSE_ORIGIN, false)
  if ([xorMapped, mapped, other, origin].includes('bad')) return { kind: 'rejected', reason: 'bad-address-attribute' }
  const best = (xorMapped ?? mapped) as Endpoint | undefined
  if (best === undefined) return { kind: 'rejected', reason: 'missing-mapped-address' }
  const software = findAttribute(message, ATTR.SOFTWARE)
  const result: BindingResult = { mapped: best }
  if (other !== undefined) result.otherAddress = other as Endpoint
  if (origin !== undefined) result.responseOrigin = origin as Endpoint
  if (software !== undefined) result.software = decodeSoftware(software)
  return { kind: 'success', result }
}

/** What a server puts in a Binding success response. */
export interface BindingResponseFields {
  mapped: Endpoint
  otherAddress?: Endpoint
  responseOrigin?: Endpoint
  software?: string
  /** Also include the plain MAPPED-ADDRESS (as RFC 3489-compatible servers do). */
  plainMapped?: boolean
}

/** Encodes a Binding success response (servers, simulator, tests). */
export function encodeBindingSuccess (transactionId: Uint8Array, fields: BindingResponseFields): Uint8Array {
  const attributes: StunAttribute[] = [{ type: ATTR.XOR_MAPPED_ADDRESS, value: encodeAddress(fields.mapped, transactionId) }]
  if (fields.plainMapped === true) attributes.push({ type: ATTR.MAPPED_ADDRESS, value: encodeAddress(fields.mapped) })
  if (fields.otherAddress !== undefined) attributes.push({ type: ATTR.OTHER_ADDRESS, value: encodeAddress(fields.otherAddress) })
  if (fields.responseOrigin !== undefined) attributes.push({ type: ATTR.RESPONSE_ORIGIN, value: encodeAddress(fields.responseOrigin) })
  if (fields.software !== undefined) attributes.push({ type: ATTR.SOFTWARE, value: encodeSoftware(fields.software) })
  return encodeMessage({ cls: 'success', method: METHOD_BINDING, transactionId, attributes })
}

/** Encodes a Binding error response. */
export function encodeBindingError (transactionId: Uint8Array, error: StunError): Uint8Array {
  return encodeMessage({ cls: 'error', method: METHOD_BINDING, transactionId, attributes: [{ type: ATTR.ERROR_CODE, value: encodeErrorCode(error) }] })
}
