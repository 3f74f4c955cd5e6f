/**
 * JSON Schemas of REST requests (params, query strings, bodies). Hand-written rather than derived
 * from the protos because they carry the validation rules (patterns, sizes) that the proto types
 * cannot express; the same rules are enforced again in validate.ts for gRPC. A field's `x-reason`
 * is the reason a rejection of it carries, the same as validate.ts gives on gRPC.
 */
import { PEER_ORDER, PEER_STATUS } from '../enum-names.ts'
import { DEFAULT_LIST_LIMIT, MAX_BATCH_ITEMS, MAX_LIST_LIMIT, MAX_PEER_LIMIT, MAX_SUBSCRIBE_REGISTERS, MAX_TOPICS } from '../constants.ts'

const PEER_ID = { type: 'string', 'x-reason': 'invalid_peer_id', pattern: '^(12D3KooW|Qm|16Uiu2HA)[1-9A-HJ-NP-Za-km-z]{44,45}$', description: 'a libp2p peer id (base58btc, e.g. 12D3KooW...)' }
const REGISTER_ID = { type: 'string', 'x-reason': 'invalid_register_id', pattern: '^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$', description: 'a register id: 1-128 characters of A-Z a-z 0-9 . _ : - starting with a letter or digit' }
const TX_ID = { type: 'string', 'x-reason': 'invalid_tx_id', pattern: '^[0-9a-f]{64}$', description: 'a transaction id: the lowercase hex SHA-256 of the payload (64 characters)' }
const TOPIC = { type: 'string', 'x-reason': 'invalid_topic', pattern: '^[A-Za-z0-9._:/-]{1,128}$', description: 'a topic: 1-128 characters of A-Z a-z 0-9 . _ : / -' }
// Checked by decodeBase64 (validation.ts), not by a pattern: a regular expression strict enough to
// reject a dangling character overflows V8's stack on a 16 MiB body.
const BASE64 = { type: 'string', 'x-reason': 'invalid_base64', contentEncoding: 'base64', description: 'base64 (the standard or the URL-safe alphabet, padded or not)' }
const CONTENT_TYPE = { type: 'string', maxLength: 128, description: 'media type; default application/octet-stream' }
const CURSOR = { type: 'string', maxLength: 64, description: 'resume after this event (the id of the last event received); valid across node restarts' }

/** Path parameter schemas. */
export const PEER_PARAMS = { type: 'object', properties: { peerId: PEER_ID }, required: ['peerId'], additionalProperties: false }
export const REGISTER_PARAMS = { type: 'object', properties: { registerId: REGISTER_ID }, required: ['registerId'], additionalProperties: false }
export const TX_PARAMS = { type: 'object', properties: { txId: TX_ID }, required: ['txId'], additionalProperties: false }

/** GET /v1/peers */
export const LIST_PEERS_QUERY = {
  type: 'object',
  properties: {
    status: { type: 'array', maxItems: PEER_STATUS.names.length, items: { type: 'string', enum: PEER_STATUS.accepted }, description: `repeatable; none = every status. ${PEER_STATUS.names.join(', ')} (also ${Object.keys(PEER_STATUS.aliases).join(', ')})` },
    orderBy: { type: 'string', enum: PEER_ORDER.accepted, default: 'PEER_ORDER_LAST_SEEN', description: `${PEER_ORDER.names.join(', ')} (also ${Object.keys(PEER_ORDER.aliases).join(', ')}); unspecified = last seen` },
    ascending: { type: 'boolean', default: false },
    limit: { type: 'integer', minimum: 0, maximum: MAX_PEER_LIMIT, default: 0, description: '0 = server default (100)' }
  },
  additionalProperties: false
}

/** GET /v1/registers/{registerId}/peers */
export const LIMIT_QUERY = {
  type: 'object',
  properties: {
    limit: { type: 'integer', minimum: 0, maximum: MAX_PEER_LIMIT, default: 0, description: '0 = server default (20)' },
    includeDht: { type: 'boolean', default: false, description: 'also look up the register\'s providers in the DHT (at most 10 s)' }
  },
  additionalProperties: false
}

/** POST /v1/peers/{peerId}/messages */
export const SEND_MESSAGE_BODY = {
  type: 'object',
  properties: { topic: TOPIC, payload: BASE64 },
  required: ['topic', 'payload'],
  additionalProperties: false
}

/** GET /v1/messages/stream */
export const MESSAGES_QUERY = {
  type: 'object',
  properties: { topic: { type: 'array', maxItems: MAX_TOPICS, items: TOPIC, description: 'repeatable; none = every topic' } },
  additionalProperties: false
}

const SUBMISSION = {
  type: 'object',
  properties: {
    registerId: REGISTER_ID,
    payload: { ...BASE64, description: `${BASE64.description}; not empty` },
    contentType: CONTENT_TYPE,
    expectedTxId: { ...TX_ID, description: 'the transaction id the client computed (64 lowercase hex characters); optional, a mismatch is rejected' },
    rejectDuplicate: { type: 'boolean', default: false, description: '409 ALREADY_EXISTS instead of duplicate = true' }
  },
  required: ['registerId', 'payload'],
  additionalProperties: false
}

/** POST /v1/transactions */
export const SUBMIT_BODY = { $id: 'SubmitTransactionInput', ...SUBMISSION }

/** One item of POST /v1/transactions/batch. */
export const BATCH_ITEM = {
  type: 'object',
  description: 'checked on its own: an item that is not valid gets an error acknowledgement and the others go on, as on SubmitStream',
  properties: { clientRef: { type: 'string', maxLength: 128, description: 'echoed in the acknowledgement' }, transaction: { $ref: 'SubmitTransactionInput#' } },
  required: ['transaction'],
  additionalProperties: false
}

/** POST /v1/transactions/batch, as documented (items as BATCH_ITEM). */
export const BATCH_BODY = {
  type: 'object',
  properties: { transactions: { type: 'array', minItems: 1, maxItems: MAX_BATCH_ITEMS, items: BATCH_ITEM } },
  required: ['transactions'],
  additionalProperties: false
}

/** POST /v1/transactions/batch, as the request is checked: the envelope only, items one by one after. */
export const BATCH_ENVELOPE = {
  type: 'object',
  properties: { transactions: { type: 'array', minItems: 1, maxItems: MAX_BATCH_ITEMS } },
  required: ['transactions'],
  additionalProperties: false
}

/** POST /v1/transactions/upload (raw body) */
export const UPLOAD_QUERY = {
  type: 'object',
  properties: {
    registerId: REGISTER_ID,
    contentType: CONTENT_TYPE,
    expectedTxId: TX_ID,
    rejectDuplicate: { type: 'boolean', default: false }
  },
  required: ['registerId'],
  additionalProperties: false
}

/** GET /v1/transactions */
export const LIST_TRANSACTIONS_QUERY = {
  type: 'object',
  properties: {
    registerId: { type: 'array', maxItems: MAX_SUBSCRIBE_REGISTERS, items: REGISTER_ID, description: 'repeatable; none = every register' },
    since: { ...CURSOR, description: 'list what was stored after this cursor (a TransactionEvent cursor or a nextCursor); none = from the oldest the node holds' },
    limit: { type: 'integer', minimum: 0, maximum: MAX_LIST_LIMIT, default: 0, description: `0 = server default (${DEFAULT_LIST_LIMIT})` }
  },
  additionalProperties: false
}

/** GET /v1/transactions/stream */
export const SUBSCRIBE_QUERY = {
  type: 'object',
  properties: {
    registerId: { type: 'array', maxItems: MAX_SUBSCRIBE_REGISTERS, items: REGISTER_ID, description: 'repeatable; none = every register' },
    cursor: CURSOR,
    includePayload: { type: 'boolean', default: false }
  },
  additionalProperties: false
}

/** POST /v1/connectivity/suspend (the body is optional; its length and characters are checked as on gRPC). */
export const SUSPEND_BODY = {
  type: ['object', 'null'],
  properties: { note: { type: 'string', 'x-reason': 'invalid_note', description: 'why, in the operator\'s words: at most 200 characters, no control characters' } },
  additionalProperties: false
}
