/**
 * Errors as RFC 9457 problem details (application/problem+json), carrying the same `code` (gRPC
 * status name) and `reason` as the gRPC trailers, so an app handles failures the same way on both.
 */
import type { FastifyError, FastifyReply } from 'fastify'
import { ApiError, HTTP_STATUS, InternalError, InvalidArgumentError, NotFoundError } from '../errors.ts'
import { exposedError } from '../expose.ts'
import { validationFailure } from './validation.ts'

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
    retryAfterMs: { type: 'integer' }
  },
  required: ['type', 'title', 'status', 'detail', 'code', 'reason']
} as const

/** An ApiError as a problem document. */
export function problemOf (err: ApiError): Problem {
  return {
    type: `urn:sorcha:problem:${err.reason}`,
    title: err.code,
    status: HTTP_STATUS[err.code],
    detail: err.message,
    code: err.code,
    reason: err.reason,
    ...(err.retryAfterMs === undefined ? {} : { retryAfterMs: err.retryAfterMs })
  }
}

/** Fastify's own request failures (validation, body parsing, size) as ApiErrors. */
export function fromFastifyError (err: FastifyError): ApiError {
  if (err instanceof ApiError) return err
  if (err.validation !== undefined) return validationFailure(err)
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE': return new InvalidArgumentError('body_too_large', err.message)
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE': return new InvalidArgumentError('unsupported_media_type', err.message)
    case 'FST_ERR_CTP_EMPTY_JSON_BODY': return new InvalidArgumentError('malformed', err.message)
    case 'FST_ERR_CTP_INVALID_JSON_BODY': return new InvalidArgumentError('malformed', err.message)
    case 'FST_ERR_NOT_FOUND': return new NotFoundError('no_route', err.message)
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
