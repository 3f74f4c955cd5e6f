/**
 * Errors as RFC 9457 problem details (application/problem+json), carrying the same `code` (gRPC
 * status name) and `reason` as the gRPC trailers, so an app handles failures the same way on both.
 * Every error the REST server answers is one, whatever its status: those of the routes, Fastify's
 * own (404, 405, 413, 415...), and those Node's HTTP parser answers before Fastify sees the request
 * (431 headers too large, 400 malformed HTTP, 408 too slow), written to the socket by rawProblem.
 */
import type { FastifyError, FastifyReply } from 'fastify'
import { ApiError, DeadlineExceededError, HTTP_STATUS, InternalError, InvalidArgumentError, NotFoundError } from '../errors.ts'
import { exposedError } from '../expose.ts'
import { validationFailure } from './validation.ts'
import { nodeHttp } from '../../node/http-listener.ts'

/** Media type of problem documents. */
export const PROBLEM_JSON = 'application/problem+json'

/** The body of a problem response. */
export interface Problem {
  type: string
  title: string
  status: number
  detail: string
  code: string
  reason: string
  retryAfterMs?: number
  /** For cursor_expired and cursor_unknown: the oldest cursor the node accepts. */
  oldestCursor?: string
}

/** The JSON Schema of a problem document (for the OpenAPI document). */
export const PROBLEM_SCHEMA = {
  $id: 'Problem',
  type: 'object',
  description: 'RFC 9457 problem details; code is the gRPC status name, reason a bounded machine-readable code',
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    code: { type: 'string' },
    reason: { type: 'string' },
    retryAfterMs: { type: 'integer' },
    oldestCursor: { type: 'string', description: 'for reasons cursor_expired and cursor_unknown: the oldest cursor the node accepts' }
  },
  required: ['type', 'title', 'status', 'detail', 'code', 'reason']
} as const

/**
 * HTTP statuses more precise than the gRPC code's (google.rpc.Code maps them all to 400, 404...):
 * the status a plain HTTP client or proxy understands (RFC 9110 §15.5).
 */
const STATUS_BY_REASON: Readonly<Record<string, number>> = Object.freeze({
  method_not_allowed: 405,
  body_too_large: 413,
  unsupported_media_type: 415,
  headers_too_large: 431,
  request_timeout: 408,
  // A resume cursor the node can no longer serve (OUT_OF_RANGE): gone for good, as RFC 9110 §15.5.11 says.
  cursor_expired: 410,
  cursor_unknown: 410,
  // A direct message no app on the recipient node was listening for (FAILED_PRECONDITION).
  no_listener: 409
})

/** An ApiError as a problem document. */
export function problemOf (err: ApiError): Problem {
  return {
    type: `urn:sorcha:problem:${err.reason}`,
    title: err.code,
    status: STATUS_BY_REASON[err.reason] ?? HTTP_STATUS[err.code],
    detail: err.message,
    code: err.code,
    reason: err.reason,
    ...(err.retryAfterMs === undefined ? {} : { retryAfterMs: err.retryAfterMs }),
    ...(err.oldestCursor === undefined ? {} : { oldestCursor: err.oldestCursor })
  }
}

/** The route that takes raw transactions up to the transaction limit rather than gateway.maxMessageBytes. */
const UPLOAD_ROUTE = '/v1/transactions/upload'

/** A body over the limit of its route (also answered before `100 Continue`). */
export function bodyTooLarge (limitBytes: number, route: string | undefined, lengthBytes?: number): InvalidArgumentError {
  const size = lengthBytes === undefined ? 'the body is larger than' : `the body is ${lengthBytes} bytes, more than`
  const why = route === UPLOAD_ROUTE ? 'NodeInfo.maxTransactionBytes' : `gateway.maxMessageBytes; POST ${UPLOAD_ROUTE} takes large transactions`
  return new InvalidArgumentError('body_too_large', `${size} the ${limitBytes} bytes this route accepts (${why})`)
}

/** Fastify's own request failures (validation, body parsing, size) as ApiErrors. */
export function fromFastifyError (err: FastifyError, bodyLimit: number, route?: string): ApiError {
  if (err instanceof ApiError) return err
  if (err.validation !== undefined) return validationFailure(err)
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE': return bodyTooLarge(bodyLimit, route)
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE': return new InvalidArgumentError('unsupported_media_type', `${err.message}; this route takes application/json`)
    case 'FST_ERR_CTP_EMPTY_JSON_BODY': return new InvalidArgumentError('malformed', err.message)
    case 'FST_ERR_CTP_INVALID_JSON_BODY': return new InvalidArgumentError('malformed', err.message)
    case 'FST_ERR_NOT_FOUND': return new NotFoundError('no_route', err.message)
    // The router's refusals echo the whole URL in their message: a fixed line instead.
    case 'FST_ERR_MAX_PARAM_LENGTH': return new InvalidArgumentError('path_too_long', 'a path parameter is longer than 256 characters')
    case 'FST_ERR_BAD_URL': return new InvalidArgumentError('malformed', 'the URL path is not validly percent-encoded')
    default: break
  }
  if (err instanceof SyntaxError || (err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500)) {
    return new InvalidArgumentError(err instanceof SyntaxError ? 'malformed' : 'invalid_request', err.message)
  }
  const api = exposedError(err, 'REST')
  return api.code === 'INTERNAL' ? new InternalError('internal', 'internal error') : api
}

/** Sends a problem response. */
export async function sendProblem (reply: FastifyReply, err: ApiError): Promise<void> {
  const problem = problemOf(err)
  if (err.retryAfterMs !== undefined) reply.header('retry-after', String(Math.max(1, Math.ceil(err.retryAfterMs / 1000))))
  await reply.code(problem.status).type(PROBLEM_JSON).send(problem)
}

/**
 * The problem for an error of Node's HTTP parser (the server's 'clientError' event), which answers
 * before any route or hook runs; undefined when there is no one left to answer (connection reset).
 */
export function clientErrorProblem (err: NodeJS.ErrnoException): ApiError | undefined {
  switch (err.code) {
    case 'ECONNRESET': return undefined
    case 'HPE_HEADER_OVERFLOW': return new InvalidArgumentError('headers_too_large', `the request headers are larger than the ${nodeHttp.maxHeaderSize} bytes the server accepts`)
    case 'ERR_HTTP_REQUEST_TIMEOUT': return new DeadlineExceededError('request_timeout', 'the request did not arrive in time')
    default: return new InvalidArgumentError('bad_http', 'the request is not valid HTTP/1.1')
  }
}

/** A whole HTTP/1.1 problem response, for writing to a socket; it closes the connection. */
export function rawProblem (err: ApiError): string {
  const problem = problemOf(err)
  const body = JSON.stringify(problem)
  return `HTTP/1.1 ${problem.status} ${nodeHttp.STATUS_CODES[problem.status] ?? ''}\r\ncontent-type: ${PROBLEM_JSON}\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`
}
