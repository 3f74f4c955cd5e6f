/**
 * What every gRPC call goes through: authentication, the per-client rate limit, the stream limit,
 * an AbortSignal that fires when the client cancels or the deadline passes, and the mapping of
 * ApiErrors to gRPC statuses (with the reason in the `sorcha-reason` trailer).
 */
import type { status as Status} from '@grpc/grpc-js';
import { Metadata, type ServerUnaryCall, type StatusObject } from '@grpc/grpc-js'
import type { InvalidArgumentError} from '../errors.ts';
import {
  ApiError, DeadlineExceededError, GRPC_CODE, ResourceExhaustedError,
  UnavailableError
} from '../errors.ts'
import { exposedError } from '../expose.ts'
import type { ApiToken } from '../api-token.ts'
import type { RateLimiter } from '../rate-limiter.ts'

/** The parts of a grpc-js server call the guard uses (every call kind has them). */
export interface ServerSurfaceCall {
  readonly metadata: ServerUnaryCall<unknown, unknown>['metadata']
  getPeer: () => string
  getDeadline: ServerUnaryCall<unknown, unknown>['getDeadline']
  on: (event: 'cancelled', listener: () => void) => unknown
  removeListener: (event: 'cancelled', listener: () => void) => unknown
}

/** Trailer carrying an error's reason code. */
export const REASON_METADATA = 'sorcha-reason'
/** Trailer carrying how long to wait before retrying, in ms. */
export const RETRY_AFTER_METADATA = 'sorcha-retry-after-ms'
/** Trailer carrying the oldest cursor the node accepts (OUT_OF_RANGE for a cursor). */
export const OLDEST_CURSOR_METADATA = 'sorcha-oldest-cursor'

/** Marks a request the deserializer could not accept (malformed or oversized). */
export const BAD_REQUEST = Symbol('bad-request')

/** A request object that failed to deserialize. */
export interface BadRequest {
  [BAD_REQUEST]: InvalidArgumentError
}

/** True for the marker object of a request that failed to deserialize. */
export function isBadRequest (value: unknown): value is BadRequest {
  return typeof value === 'object' && value !== null && BAD_REQUEST in value
}

/**
 * Any failure as a grpc-js status (for callbacks and stream 'error' events): an ApiError as it is,
 * anything else as INTERNAL "internal error" with its cause logged (`where` names the RPC).
 */
export function toStatus (err: unknown, where = 'grpc'): Partial<StatusObject> & Error {
  const api = exposedError(err, where)
  const metadata = new Metadata()
  metadata.set(REASON_METADATA, api.reason)
  if (api.retryAfterMs !== undefined) metadata.set(RETRY_AFTER_METADATA, String(api.retryAfterMs))
  if (api.oldestCursor !== undefined) metadata.set(OLDEST_CURSOR_METADATA, api.oldestCursor)
  return Object.assign(new Error(api.message), { code: GRPC_CODE[api.code] as Status, details: api.message, metadata })
}

/** Options of the call guard. */
export interface CallGuardInit {
  /** The bearer token calls must carry (none when not required). */
  token: ApiToken
  limiter: RateLimiter
  maxStreams: number
}

/** A started call: its signal, and `done()` to release what it holds. */
export interface CallScope {
  signal: AbortSignal
  done: () => void
}

/** The client's address without its port, from grpc-js's "ipv4:1.2.3.4:5" / "ipv6:[::1]:5" form. */
export function clientKey (peer: string): string {
  const address = peer.replace(/^(ipv4|ipv6|unix):/, '')
  const v6 = /^\[([^\]]+)\]/.exec(address)
  if (v6 !== null) return v6[1] as string
  const colon = address.lastIndexOf(':')
  return colon > 0 ? address.slice(0, colon) : address
}

/** Admission for gRPC calls. */
export class CallGuard {
  private readonly token: ApiToken
  private readonly limiter: RateLimiter
  private readonly maxStreams: number
  private streams = 0
  private readonly active = new Set<AbortController>()

  constructor (init: CallGuardInit) {
    this.token = init.token
    this.limiter = init.limiter
    this.maxStreams = init.maxStreams
  }

  /** Streaming calls open now. */
  get openStreams (): number {
    return this.streams
  }

  /**
   * Admits a call: token, rate limit, stream slot; then builds its signal.
   * @throws UnauthenticatedError, ResourceExhaustedError
   */
  begin (call: ServerSurfaceCall, streaming: boolean): CallScope {
    this.token.check(call.metadata.get('authorization')[0])
    this.limiter.take(clientKey(call.getPeer()))
    if (streaming) {
      if (this.streams >= this.maxStreams) throw new ResourceExhaustedError('too_many_streams', `the server holds its maximum of ${this.maxStreams} streams`)
      this.streams++
    }
    const controller = new AbortController()
    this.active.add(controller)
    const onCancel = (): void => { controller.abort(cancelReason(call.getDeadline(), Date.now())) }
    call.on('cancelled', onCancel)
    const deadline = call.getDeadline()
    const ms = deadline instanceof Date ? deadline.getTime() - Date.now() : deadline - Date.now()
    const timer = Number.isFinite(ms)
      ? setTimeout(() => { controller.abort(new DeadlineExceededError('deadline', 'the deadline passed')) }, Math.max(0, ms))
      : undefined
    let released = false
    return {
      signal: controller.signal,
      done: () => {
        if (released) return
        released = true
        if (streaming) this.streams--
        clearTimeout(timer)
        this.active.delete(controller)
        call.removeListener('cancelled', onCancel)
      }
    }
  }

  /** Aborts every call in progress (server shutdown): streams end with UNAVAILABLE. */
  abortAll (): void {
    for (const controller of this.active) controller.abort(new UnavailableError('shutting_down', 'the server is shutting down'))
  }

  /** Takes one rate-limit token for an item inside a stream. */
  takeItem (call: ServerSurfaceCall): void {
    this.limiter.take(clientKey(call.getPeer()))
  }
}

/**
 * A cancel that arrives this close to the call's deadline is reported as the deadline. A gRPC client
 * cancels the call when its own deadline passes; the server's copy (the grpc-timeout header, counted
 * from when the call arrived here) ends later by the one-way delay and however long the call waited
 * for this event loop, which on a busy machine is tens of milliseconds or more. A client that really
 * cancels in its deadline's last quarter second is reported as timing out: only the reason differs.
 */
export const DEADLINE_CANCEL_SLACK_MS = 250

/**
 * Why a cancelled call was cancelled: its deadline (`deadline` as grpc-js gives it: a Date, or a
 * number of ms, Infinity for none) passed or is within DEADLINE_CANCEL_SLACK_MS of `now`, or the
 * client cancelled it.
 */
export function cancelReason (deadline: Date | number, now: number): ApiError {
  const at = deadline instanceof Date ? deadline.getTime() : deadline
  return Number.isFinite(at) && at - DEADLINE_CANCEL_SLACK_MS <= now
    ? new DeadlineExceededError('deadline', 'the deadline passed')
    : new ApiError('CANCELLED', 'cancelled', 'the client cancelled the call')
}
