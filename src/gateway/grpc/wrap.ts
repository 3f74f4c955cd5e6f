/**
 * Adapters from async functions to grpc-js handlers: admission through the CallGuard, a signal for
 * deadline/cancel, BadRequest markers turned into INVALID_ARGUMENT, errors into statuses, and
 * backpressure on every write (wait for 'drain').
 */
import { once } from 'node:events'
import type {
  handleBidiStreamingCall, handleClientStreamingCall, handleServerStreamingCall, handleUnaryCall, ServerDuplexStream,
  ServerWritableStream
} from '@grpc/grpc-js'
import { BAD_REQUEST, isBadRequest, toStatus, type BadRequest, type CallGuard, type CallScope } from './call-context.ts'

/** Throws the error behind a BadRequest marker; returns the request otherwise. */
export function accept<T> (request: T | BadRequest): T {
  if (isBadRequest(request)) throw request[BAD_REQUEST]
  return request
}

/** Writes one message, waiting for 'drain' when the stream's buffer is full. */
export async function send<T> (call: ServerWritableStream<unknown, T> | ServerDuplexStream<unknown, T>, message: T, signal: AbortSignal): Promise<void> {
  if (!call.write(message)) await once(call, 'drain', { signal })
}

/**
 * Writes from concurrent tasks to one stream, in order, with a single 'drain' wait at a time (many
 * concurrent waits would pile listeners onto the stream).
 */
export function serialWriter<T> (call: ServerDuplexStream<unknown, T>, signal: AbortSignal): (message: T) => Promise<void> {
  let tail: Promise<void> = Promise.resolve()
  return async message => {
    const next = tail.then(async () => send(call, message, signal))
    tail = next.catch(() => {})
    await next
  }
}

/** Requests of a client stream, BadRequest markers thrown as INVALID_ARGUMENT. */
export async function * requests<T> (call: AsyncIterable<unknown>): AsyncGenerator<T> {
  for await (const message of call) yield accept(message as T | BadRequest)
}

/** A unary handler. */
export function unary<Req, Res> (guard: CallGuard, fn: (request: Req, signal: AbortSignal) => Promise<Res>): handleUnaryCall<Req | BadRequest, Res> {
  return (call, callback) => {
    let scope: CallScope
    try {
      scope = guard.begin(call, false)
    } catch (err) {
      callback(toStatus(err, call.getPath()))
      return
    }
    Promise.resolve()
      .then(async () => fn(accept(call.request), scope.signal))
      .then(result => { callback(null, result) }, err => { callback(toStatus(err, call.getPath())) })
      .finally(scope.done)
  }
}

/** A client-streaming handler. */
export function clientStream<Req, Res> (guard: CallGuard, fn: (requests: AsyncIterable<Req>, signal: AbortSignal) => Promise<Res>): handleClientStreamingCall<Req | BadRequest, Res> {
  return (call, callback) => {
    let scope: CallScope
    try {
      scope = guard.begin(call, true)
    } catch (err) {
      callback(toStatus(err, call.getPath()))
      return
    }
    fn(requests<Req>(call), scope.signal)
      .then(result => { callback(null, result) }, err => { callback(toStatus(err, call.getPath())) })
      .finally(scope.done)
  }
}

/** A server-streaming handler: `fn` resolves (or fails) before the first message. */
export function serverStream<Req, Res> (guard: CallGuard, fn: (request: Req, signal: AbortSignal) => Promise<AsyncIterable<Res>> | AsyncIterable<Res>): handleServerStreamingCall<Req | BadRequest, Res> {
  return call => {
    let scope: CallScope
    try {
      scope = guard.begin(call, true)
    } catch (err) {
      call.emit('error', toStatus(err, call.getPath()))
      return
    }
    const run = async (): Promise<void> => {
      const items = await fn(accept(call.request), scope.signal)
      for await (const item of items) await send(call, item, scope.signal)
      call.end()
    }
    run().catch(err => { if (!call.cancelled) call.emit('error', toStatus(err, call.getPath())) }).finally(scope.done)
  }
}

/** A bidirectional handler; `fn` owns reading and writing until it resolves. */
export function bidi<Req, Res> (guard: CallGuard, fn: (call: ServerDuplexStream<Req | BadRequest, Res>, signal: AbortSignal) => Promise<void>): handleBidiStreamingCall<Req | BadRequest, Res> {
  return call => {
    let scope: CallScope
    try {
      scope = guard.begin(call, true)
    } catch (err) {
      call.emit('error', toStatus(err, call.getPath()))
      return
    }
    fn(call, scope.signal)
      .then(() => { call.end() }, err => { if (!call.cancelled) call.emit('error', toStatus(err, call.getPath())) })
      .finally(scope.done)
  }
}
