/**
 * JSON Schemas of REST requests (params, query strings, bodies). Hand-written rather than derived
 * from the protos because they carry the validation rules (patterns, sizes) that the proto types
 * cannot express; the same rules are enforced again in validate.ts for gRPC.
 */
import { MAX_BATCH_ITEMS, MAX_PEER_LIMIT, MAX_SUBSCRIBE_REGISTERS, MAX_TOPICS } from '../constants.ts'

const PEER_ID = { type: 'string', pattern: '^(12D3KooW|Qm|16Uiu2HA)[1-9A-HJ-NP-Za-km-z]{44,45}$', description: 'libp2p peer id (base58btc)' }
const REGISTER_ID = { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$', description: 'register id' }
const TX_ID = { type: 'string', pattern: '^[0-9a-f]{64}$', description: 'lowercase hex SHA-256 of the payload' }
const TOPIC = { type: 'string', pattern: '^[A-Za-z0-9._:/-]{1,128}$' }
const BASE64 = { type: 'string', pattern: '^[A-Za-z0-9+/_-]*={0,2}$', contentEncoding: 'base64', description: 'base64 (standard or URL-safe alphabet)' }
const CONTENT_TYPE = { type: 'string', maxLength: 128, description: 'media type; default application/octet-stream' }
const CURSOR = { type: 'string', maxLength: 64, description: 'resume after this event (the id of the last event received)' }

/** Path parameter schemas. */
export const PEER_PARAMS = { type: 'object', properties: { peerId: PEER_ID }, required: ['peerId'], additionalProperties: false }
export const REGISTER_PARAMS = { type: 'object', properties: { registerId: REGISTER_ID }, required: ['registerId'], additionalProperties: false }
export const TX_PARAMS = { type: 'object', properties: { txId: TX_ID }, required: ['txId'], additionalProperties: false }

/** GET /v1/peers */
export const LIST_PEERS_QUERY = {
  type: 'object',
  properties: {
    status: { type: 'array', maxItems: 6, items: { type: 'string', enum: ['PEER_STATUS_UNKNOWN', 'PEER_STATUS_CONNECTING', 'PEER_STATUS_HEALTHY', 'PEER_STATUS_DEGRADED', 'PEER_STATUS_UNREACHABLE', 'PEER_STATUS_BANNED'] } },
    orderBy: { type: 'string', enum: ['lastSeen', 'score'], default: 'lastSeen' },
    ascending: { type: 'boolean', default: false },
    limit: { type: 'integer', minimum: 0, maximum: MAX_PEER_LIMIT, default: 0, description: '0 = server default (100)' }
  },
  additionalProperties: false
}

/** GET /v1/registers/{registerId}/peers */
export const LIMIT_QUERY = {
  type: 'object',
  properties: { limit: { type: 'integer', minimum: 0, maximum: MAX_PEER_LIMIT, default: 0, description: '0 = server default (20)' } },
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
    payload: { ...BASE64, minLength: 1 },
    contentType: CONTENT_TYPE,
    expectedTxId: { ...TX_ID, description: 'optional: the SHA-256 the client computed; a mismatch is rejected' },
    rejectDuplicate: { type: 'boolean', default: false, description: '409 ALREADY_EXISTS instead of duplicate = true' }
  },
  required: ['registerId', 'payload'],
  additionalProperties: false
}

/** POST /v1/transactions */
export const SUBMIT_BODY = { $id: 'SubmitTransactionInput', ...SUBMISSION }

/** POST /v1/transactions/batch */
export const BATCH_BODY = {
  type: 'object',
  properties: {
    transactions: {
      type: 'array',
      minItems: 1,
      maxItems: MAX_BATCH_ITEMS,
      items: {
        type: 'object',
        properties: { clientRef: { type: 'string', maxLength: 128 }, transaction: { $ref: 'SubmitTransactionInput#' } },
        required: ['transaction'],
        additionalProperties: false
      }
    }
  },
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
