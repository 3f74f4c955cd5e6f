/**
 * Validation of the core models (protos/sorcha/p2p/v1/models.proto). Pure: no I/O, no clock.
 * A model from a peer, a file or an API request is decoded, then validated here; an invalid one is
 * described by the first field that is wrong and why, never thrown at the caller unless it asks.
 */
import type {
  PeerNode, TransactionNotification} from '../../protos/gen/sorcha/p2p/v1/models.ts';
import { PeerRole, PeerSource, PeerStatus, type PeerCapabilities
} from '../../protos/gen/sorcha/p2p/v1/models.ts'

/** The outcome of validating a model: fine, or the first field at fault. */
export type Validation = { ok: true } | { ok: false, field: string, reason: string }

/** A model failed validation; `field` names the offending field. */
export class InvalidModelError extends Error {
  override name = 'InvalidModelError'
  readonly field: string
  constructor (model: string, field: string, reason: string) {
    super(`invalid ${model}: ${field} ${reason}`)
    this.field = field
  }
}

/** Bounds on model contents; documented in docs/models.md (a test keeps the two equal). */
export const MODEL_LIMITS = Object.freeze({
  maxAddresses: 32,
  maxAddressLength: 512,
  maxProtocols: 64,
  maxProtocolLength: 256,
  maxRegisters: 1024,
  maxRoles: 8,
  maxBanReasonLength: 256,
  maxContentTypeLength: 128,
  maxHopCount: 255,
  txIdBytes: 32
})

const BASE58 = '[1-9A-HJ-NP-Za-km-z]'
/** libp2p peer ids in base58btc: Ed25519 (12D3KooW…), RSA/SHA-256 (Qm…), secp256k1 (16Uiu2…). */
const PEER_ID = new RegExp(`^(?:12D3KooW${BASE58}{44}|Qm${BASE58}{44}|16Uiu2HA${BASE58}{45})$`)
/** Register ids: 1 to 128 characters of letters, digits and . _ : - (a GUID in hex fits). */
const REGISTER_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/
/** A multiaddr's text form: /proto/value segments, no spaces. */
const MULTIADDR = /^(?:\/[^/\s]+)+$/
/** A media type, RFC 6838 restricted-name characters, optional parameters. */
const MEDIA_TYPE = /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,63}\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,63}(?:\s*;.*)?$/

const ok: Validation = Object.freeze({ ok: true })
const fail = (field: string, reason: string): Validation => ({ ok: false, field, reason })

const isEnumMember = (values: Record<string, number>, value: number): boolean =>
  value >= 0 && Object.values(values).includes(value)
const isCount = (n: number): boolean => Number.isSafeInteger(n) && n >= 0

/** True for a syntactically valid libp2p peer id string. */
export const isPeerId = (value: string): boolean => PEER_ID.test(value)
/** True for a valid register id. */
export const isRegisterId = (value: string): boolean => REGISTER_ID.test(value)

function firstFailure (checks: Array<[boolean, string, string]>): Validation {
  for (const [good, field, reason] of checks) if (!good) return fail(field, reason)
  return ok
}

/** Validates a peer's advertised capabilities. */
export function validateCapabilities (caps: PeerCapabilities, prefix = 'capabilities'): Validation {
  const badProtocol = caps.protocols.findIndex(p => !p.startsWith('/') || p.length > MODEL_LIMITS.maxProtocolLength)
  const badRegister = caps.registers.findIndex(r => !isRegisterId(r))
  const badRole = caps.roles.findIndex(r => !isEnumMember(PeerRole, r))
  return firstFailure([
    [caps.protocols.length <= MODEL_LIMITS.maxProtocols, `${prefix}.protocols`, `has more than ${MODEL_LIMITS.maxProtocols} entries`],
    [badProtocol < 0, `${prefix}.protocols[${badProtocol}]`, 'is not a protocol id (/name/version, at most 256 characters)'],
    [caps.registers.length <= MODEL_LIMITS.maxRegisters, `${prefix}.registers`, `has more than ${MODEL_LIMITS.maxRegisters} entries`],
    [badRegister < 0, `${prefix}.registers[${badRegister}]`, 'is not a register id (1-128 of A-Z a-z 0-9 . _ : -)'],
    [new Set(caps.registers).size === caps.registers.length, `${prefix}.registers`, 'has duplicates'],
    [!caps.allRegisters || caps.registers.length === 0, `${prefix}.allRegisters`, 'is set while registers lists some (serving every register lists none)'],
    [caps.roles.length <= MODEL_LIMITS.maxRoles, `${prefix}.roles`, `has more than ${MODEL_LIMITS.maxRoles} entries`],
    [badRole < 0, `${prefix}.roles[${badRole}]`, 'is not a known role'],
    [isCount(caps.maxTransactionBytes), `${prefix}.maxTransactionBytes`, 'is not a non-negative integer']
  ])
}

/** Validates a peer-list entry. */
export function validatePeerNode (node: PeerNode): Validation {
  const badAddress = node.addresses.findIndex(a => a.length > MODEL_LIMITS.maxAddressLength || !MULTIADDR.test(a))
  const result = firstFailure([
    [isPeerId(node.peerId), 'peerId', 'is not a libp2p peer id'],
    [node.addresses.length <= MODEL_LIMITS.maxAddresses, 'addresses', `has more than ${MODEL_LIMITS.maxAddresses} entries`],
    [badAddress < 0, `addresses[${badAddress}]`, 'is not a multiaddr'],
    [new Set(node.addresses).size === node.addresses.length, 'addresses', 'has duplicates'],
    [isEnumMember(PeerStatus, node.status), 'status', 'is not a known status'],
    [isEnumMember(PeerSource, node.source), 'source', 'is not a known source'],
    [isCount(node.firstSeenMs), 'firstSeenMs', 'is not a non-negative integer'],
    [isCount(node.lastSeenMs), 'lastSeenMs', 'is not a non-negative integer'],
    [node.lastSeenMs === 0 || node.firstSeenMs <= node.lastSeenMs, 'lastSeenMs', 'is before firstSeenMs'],
    [isCount(node.consecutiveFailures), 'consecutiveFailures', 'is not a non-negative integer'],
    [Number.isFinite(node.latencyMs) && node.latencyMs >= 0, 'latencyMs', 'is not a non-negative number'],
    [Number.isFinite(node.score) && node.score >= 0 && node.score <= 100, 'score', 'is not between 0 and 100'],
    [node.learnedFrom === '' || isPeerId(node.learnedFrom), 'learnedFrom', 'is not a libp2p peer id'],
    [node.learnedFrom !== node.peerId, 'learnedFrom', 'names the peer itself'],
    [isCount(node.bannedUntilMs), 'bannedUntilMs', 'is not a non-negative integer'],
    [node.banReason.length <= MODEL_LIMITS.maxBanReasonLength, 'banReason', `is longer than ${MODEL_LIMITS.maxBanReasonLength} characters`],
    [node.banCode.length <= MODEL_LIMITS.maxBanReasonLength, 'banCode', `is longer than ${MODEL_LIMITS.maxBanReasonLength} characters`],
    [isCount(node.banCount), 'banCount', 'is not a non-negative integer'],
    [isCount(node.lastBanMs), 'lastBanMs', 'is not a non-negative integer']
  ])
  if (!result.ok || node.capabilities === undefined) return result
  return validateCapabilities(node.capabilities)
}

const TX_ID_REASON = `is not ${MODEL_LIMITS.txIdBytes} bytes (a SHA-256 digest)`
const HOP_COUNT_REASON = `is not an integer from 0 to ${MODEL_LIMITS.maxHopCount}`

/**
 * Validates a transaction announcement. The checks run in order and stop at the first failure,
 * without building a list of them (once per received body and per submission).
 */
export function validateTransactionNotification (tx: TransactionNotification): Validation {
  if (tx.txId.length !== MODEL_LIMITS.txIdBytes) return fail('txId', TX_ID_REASON)
  if (!isRegisterId(tx.registerId)) return fail('registerId', 'is not a register id (1-128 of A-Z a-z 0-9 . _ : -)')
  if (!isPeerId(tx.sender)) return fail('sender', 'is not a libp2p peer id')
  if (!(isCount(tx.timestampMs) && tx.timestampMs > 0)) return fail('timestampMs', 'is not a positive integer')
  if (!isCount(tx.sizeBytes)) return fail('sizeBytes', 'is not a non-negative integer')
  if (!(tx.contentType.length <= MODEL_LIMITS.maxContentTypeLength && MEDIA_TYPE.test(tx.contentType))) return fail('contentType', 'is not a media type such as application/json')
  if (!(isCount(tx.hopCount) && tx.hopCount <= MODEL_LIMITS.maxHopCount)) return fail('hopCount', HOP_COUNT_REASON)
  return ok
}

interface Codec<T> {
  encode: (message: T) => { finish: () => Uint8Array }
  decode: (bytes: Uint8Array) => T
}

/** Decodes bytes and validates the result; malformed bytes are a failure, not an exception. */
export function decodeValid<T> (codec: Codec<T>, validate: (m: T) => Validation, bytes: Uint8Array): { ok: true, value: T } | { ok: false, field: string, reason: string } {
  let value: T
  try {
    value = codec.decode(bytes)
  } catch (err) {
    return { ok: false, field: '(bytes)', reason: `cannot be decoded: ${(err as Error).message}` }
  }
  const result = validate(value)
  return result.ok ? { ok: true, value } : result
}

/** Structural equality: two models are equal when their canonical encodings are. */
export function modelEquals<T> (codec: Codec<T>, a: T, b: T): boolean {
  const x = codec.encode(a).finish()
  const y = codec.encode(b).finish()
  return x.length === y.length && x.every((byte, i) => byte === y[i])
}

/** Throws InvalidModelError if the model is invalid; for trusted-input assertions in tests and adapters. */
export function assertValid<T> (model: string, validate: (m: T) => Validation, value: T): T {
  const result = validate(value)
  if (!result.ok) throw new InvalidModelError(model, result.field, result.reason)
  return value
}

