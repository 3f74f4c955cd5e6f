/**
 * The failures of the app API, one named class each, shared by the backend, both servers and the
 * client library. Each carries the gRPC status it maps to and a bounded machine-readable `reason`;
 * REST problems (RFC 9457) carry the same `code` string, so an app sees one vocabulary on every
 * transport. The HTTP status of each code follows the table in google.rpc.Code
 * (googleapis/google/rpc/code.proto); a few reasons have a more precise one (413, 415, 431, 405:
 * rest/problem.ts).
 */

/** gRPC status codes used by the gateway (grpc/doc/statuscodes.md). */
export const GRPC_CODE = Object.freeze({
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  DATA_LOSS: 15,
  UNAUTHENTICATED: 16
})

/** A gRPC status name. */
export type GrpcCodeName = keyof typeof GRPC_CODE

/** HTTP status per gRPC code, as in google.rpc.Code. */
export const HTTP_STATUS: Readonly<Record<GrpcCodeName, number>> = Object.freeze({
  OK: 200,
  CANCELLED: 499,
  UNKNOWN: 500,
  INVALID_ARGUMENT: 400,
  DEADLINE_EXCEEDED: 504,
  NOT_FOUND: 404,
  ALREADY_EXISTS: 409,
  PERMISSION_DENIED: 403,
  RESOURCE_EXHAUSTED: 429,
  FAILED_PRECONDITION: 400,
  ABORTED: 409,
  OUT_OF_RANGE: 400,
  UNIMPLEMENTED: 501,
  INTERNAL: 500,
  UNAVAILABLE: 503,
  DATA_LOSS: 500,
  UNAUTHENTICATED: 401
})

/** The gRPC status name for a numeric code (UNKNOWN for anything else). */
export function codeName (code: number): GrpcCodeName {
  const found = (Object.entries(GRPC_CODE) as Array<[GrpcCodeName, number]>).find(([, n]) => n === code)
  return found?.[0] ?? 'UNKNOWN'
}

/** Base of every API failure: a gRPC code, a reason code, a message. */
export class ApiError extends Error {
  override name = 'ApiError'
  readonly code: GrpcCodeName
  /** Bounded snake_case reason, e.g. payload_too_large. */
  readonly reason: string
  /** Milliseconds to wait before retrying, for RESOURCE_EXHAUSTED. */
  retryAfterMs?: number
  /** For a cursor that cannot be resumed (OUT_OF_RANGE): the oldest cursor the node accepts. */
  oldestCursor?: string
  constructor (code: GrpcCodeName, reason: string, message: string) {
    super(message)
    this.code = code
    this.reason = reason
  }
}

/** The request is malformed, oversized or out of range. */
export class InvalidArgumentError extends ApiError {
  override name = 'InvalidArgumentError'
  constructor (reason: string, message: string) { super('INVALID_ARGUMENT', reason, message) }
}

/** The thing asked for does not exist here. */
export class NotFoundError extends ApiError {
  override name = 'NotFoundError'
  constructor (reason: string, message: string) { super('NOT_FOUND', reason, message) }
}

/** The transaction exists and the request asked to reject duplicates. */
export class AlreadyExistsError extends ApiError {
  override name = 'AlreadyExistsError'
  constructor (reason: string, message: string) { super('ALREADY_EXISTS', reason, message) }
}

/** Rate limit or capacity reached; retry later. */
export class ResourceExhaustedError extends ApiError {
  override name = 'ResourceExhaustedError'
  constructor (reason: string, message: string, retryAfterMs?: number) {
    super('RESOURCE_EXHAUSTED', reason, message)
    if (retryAfterMs !== undefined) this.retryAfterMs = retryAfterMs
  }
}

/** The node (or a peer, or a feature) cannot serve this right now. */
export class UnavailableError extends ApiError {
  override name = 'UnavailableError'
  constructor (reason: string, message: string) { super('UNAVAILABLE', reason, message) }
}

/** The deadline passed before the work finished. */
export class DeadlineExceededError extends ApiError {
  override name = 'DeadlineExceededError'
  constructor (reason: string, message: string) { super('DEADLINE_EXCEEDED', reason, message) }
}

/** A token or client certificate is required and missing or wrong. */
export class UnauthenticatedError extends ApiError {
  override name = 'UnauthenticatedError'
  constructor (reason: string, message: string) { super('UNAUTHENTICATED', reason, message) }
}

/** The server does not offer this operation. */
export class UnimplementedError extends ApiError {
  override name = 'UnimplementedError'
  constructor (reason: string, message: string) { super('UNIMPLEMENTED', reason, message) }
}

/** The request names a position outside what the node holds (a resume cursor). */
export class OutOfRangeError extends ApiError {
  override name = 'OutOfRangeError'
  constructor (reason: string, message: string) { super('OUT_OF_RANGE', reason, message) }
}

/**
 * A resume cursor older than the journal's retention: transactions after it were dropped, so the
 * subscription cannot go on without a gap. `oldestCursor` is the oldest cursor the node accepts
 * (resuming there replays everything it still holds).
 */
export class CursorExpiredError extends OutOfRangeError {
  override name = 'CursorExpiredError'
  constructor (message: string, oldestCursor: string) {
    super('cursor_expired', message)
    this.oldestCursor = oldestCursor
  }
}

/**
 * A cursor in the right format that this node's journal did not issue: from another node or data
 * directory (another epoch), or ahead of anything it stored. `oldestCursor` as for CursorExpiredError.
 */
export class UnknownCursorError extends OutOfRangeError {
  override name = 'UnknownCursorError'
  constructor (message: string, oldestCursor: string) {
    super('cursor_unknown', message)
    this.oldestCursor = oldestCursor
  }
}

/** The peer is up but cannot take the request now (a direct message no app is listening for). */
export class FailedPreconditionError extends ApiError {
  override name = 'FailedPreconditionError'
  constructor (reason: string, message: string) { super('FAILED_PRECONDITION', reason, message) }
}

/** The call was cancelled by the client. */
export class CancelledError extends ApiError {
  override name = 'CancelledError'
  constructor (reason: string, message: string) { super('CANCELLED', reason, message) }
}

/** A bug or an unexpected failure on the server. */
export class InternalError extends ApiError {
  override name = 'InternalError'
  constructor (reason: string, message: string) { super('INTERNAL', reason, message) }
}

/** The caller may not make this call here (the admin API on an open listener without a token). */
export class PermissionDeniedError extends ApiError {
  override name = 'PermissionDeniedError'
  constructor (reason: string, message: string) { super('PERMISSION_DENIED', reason, message) }
}

const CLASSES: Partial<Record<GrpcCodeName, new (reason: string, message: string) => ApiError>> = {
  INVALID_ARGUMENT: InvalidArgumentError,
  NOT_FOUND: NotFoundError,
  ALREADY_EXISTS: AlreadyExistsError,
  RESOURCE_EXHAUSTED: ResourceExhaustedError,
  UNAVAILABLE: UnavailableError,
  DEADLINE_EXCEEDED: DeadlineExceededError,
  UNAUTHENTICATED: UnauthenticatedError,
  UNIMPLEMENTED: UnimplementedError,
  CANCELLED: CancelledError,
  INTERNAL: InternalError,
  OUT_OF_RANGE: OutOfRangeError,
  FAILED_PRECONDITION: FailedPreconditionError,
  PERMISSION_DENIED: PermissionDeniedError
}

/** Rebuilds the named error for a code received over the wire (client side). */
export function apiError (code: GrpcCodeName, reason: string, message: string, oldestCursor?: string): ApiError {
  if (code === 'OUT_OF_RANGE' && reason === 'cursor_expired') return new CursorExpiredError(message, oldestCursor ?? '')
  if (code === 'OUT_OF_RANGE' && reason === 'cursor_unknown') return new UnknownCursorError(message, oldestCursor ?? '')
  const Class = CLASSES[code]
  return Class === undefined ? new ApiError(code, reason, message) : new Class(reason, message)
}

/** Any thrown value as an ApiError; unknown failures become INTERNAL without leaking their text. */
export function toApiError (err: unknown): ApiError {
  if (err instanceof ApiError) return err
  if ((err as { name?: string } | undefined)?.name === 'AbortError') return new CancelledError('aborted', 'the call was cancelled')
  return new InternalError('internal', 'internal error')
}
