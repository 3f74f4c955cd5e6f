/**
 * Checks of API requests, shared by both servers so gRPC and REST reject the same things with the
 * same reason codes. Every rejection is an InvalidArgumentError whose `reason` is a bounded code and
 * whose message names the field.
 */
import { createHash } from 'node:crypto'
import { peerIdFromString } from '@libp2p/peer-id'
import { NOTE_MAX_CHARS } from '../../protocols/connectivity/index.ts'
import { isPeerId, isRegisterId, MODEL_LIMITS } from '../../protocols/models/index.ts'
import { TOPIC_PATTERN } from '../direct/constants.ts'
import type { TransactionSubmission } from './backend.ts'
import { InvalidArgumentError } from './errors.ts'

/** Media types, RFC 6838 restricted names with optional parameters. */
const MEDIA_TYPE = /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,63}\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,63}(?:\s*;.*)?$/
/** Lowercase hex SHA-256. */
const TX_ID = /^[0-9a-f]{64}$/
/** Content type of a submission that names none. */
export const DEFAULT_CONTENT_TYPE = 'application/octet-stream'

/** Lowercase hex SHA-256 of a payload: the transaction id. */
export function txIdOf (payload: Uint8Array): string {
  return createHash('sha256').update(payload).digest('hex')
}

/**
 * @throws InvalidArgumentError unless `value` is a libp2p peer id: the right shape (base58btc) AND a
 *   multihash libp2p can decode. Some strings of the right shape decode to no key, and libp2p then
 *   fails with a bare TypeError (`Invalid URL`) deep inside a dial.
 */
export function checkPeerId (value: string, field = 'peerId'): string {
  let decodes = false
  if (isPeerId(value)) {
    try {
      decodes = peerIdFromString(value).type !== 'url'
    } catch {
      // not a key libp2p knows: rejected below
    }
  }
  if (!decodes) throw new InvalidArgumentError('invalid_peer_id', `${field} is not a libp2p peer id`)
  return value
}

/** @throws InvalidArgumentError unless `value` is a register id */
export function checkRegisterId (value: string, field = 'registerId'): string {
  if (!isRegisterId(value)) throw new InvalidArgumentError('invalid_register_id', `${field} must be 1-128 characters of A-Z a-z 0-9 . _ : - starting with a letter or digit`)
  return value
}

/** @throws InvalidArgumentError unless `value` is a lowercase hex SHA-256 */
export function checkTxId (value: string, field = 'txId'): string {
  if (!TX_ID.test(value)) throw new InvalidArgumentError('invalid_tx_id', `${field} must be 64 lowercase hex characters (SHA-256)`)
  return value
}

/** @throws InvalidArgumentError unless `value` is a direct-message topic */
export function checkTopic (value: string, field = 'topic'): string {
  if (!TOPIC_PATTERN.test(value)) throw new InvalidArgumentError('invalid_topic', `${field} must be 1-128 characters of A-Z a-z 0-9 . _ : / -`)
  return value
}

/**
 * An operator's note for a suspension: at most NOTE_MAX_CHARS (200) characters, no control characters.
 * @throws InvalidArgumentError with reason invalid_note
 */
export function checkNote (value: string, field = 'note'): string {
  if (value.length > NOTE_MAX_CHARS) throw new InvalidArgumentError('invalid_note', `${field} is ${value.length} characters; at most ${NOTE_MAX_CHARS} are allowed`)
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(value)) throw new InvalidArgumentError('invalid_note', `${field} must not contain control characters (line breaks, tabs...)`)
  return value
}

/** @throws InvalidArgumentError when a list is longer than `max` */
export function checkCount<T> (values: T[], max: number, field: string): T[] {
  if (values.length > max) throw new InvalidArgumentError('too_many_items', `${field} has more than ${max} entries`)
  return values
}

/** A limit from a request: 0 means `fallback`; above `max` is an error. */
export function checkLimit (value: number, fallback: number, max: number, field = 'limit'): number {
  if (!Number.isSafeInteger(value) || value < 0 || value > max) throw new InvalidArgumentError('invalid_limit', `${field} must be an integer from 0 to ${max}`)
  return value === 0 ? fallback : value
}

/** The fields of a submission as they arrive on either transport. */
export interface SubmissionInput {
  registerId: string
  payload: Uint8Array
  contentType: string
  expectedTxId: string
}

/**
 * Validates a submission and computes its id.
 * @throws InvalidArgumentError with reasons invalid_register_id, empty_payload, payload_too_large,
 *   invalid_content_type, invalid_tx_id, tx_id_mismatch
 */
export function checkSubmission (input: SubmissionInput, maxTransactionBytes: number): { submission: TransactionSubmission, txId: string } {
  checkRegisterId(input.registerId)
  if (input.payload.byteLength === 0) throw new InvalidArgumentError('empty_payload', 'payload must not be empty')
  if (input.payload.byteLength > maxTransactionBytes) {
    throw new InvalidArgumentError('payload_too_large', `payload is ${input.payload.byteLength} bytes; the most this node accepts is ${maxTransactionBytes}`)
  }
  const contentType = input.contentType === '' ? DEFAULT_CONTENT_TYPE : input.contentType
  if (contentType.length > MODEL_LIMITS.maxContentTypeLength || !MEDIA_TYPE.test(contentType)) {
    throw new InvalidArgumentError('invalid_content_type', 'contentType must be a media type such as application/json')
  }
  const txId = txIdOf(input.payload)
  if (input.expectedTxId !== '' && checkTxId(input.expectedTxId, 'expectedTxId') !== txId) {
    throw new InvalidArgumentError('tx_id_mismatch', `expectedTxId does not match the SHA-256 of the payload (${txId})`)
  }
  return { submission: { registerId: input.registerId, payload: input.payload, contentType }, txId }
}
