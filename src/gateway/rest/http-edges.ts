/**
 * The edges of HTTP where Node or Fastify would answer on their own, in their own format: every
 * answer here is application/problem+json too.
 *
 * - Node's HTTP parser rejects a request before Fastify sees it (headers over `http.maxHeaderSize`:
 *   431; malformed HTTP: 400; too slow: 408): the server's 'clientError' handler writes the problem.
 * - `Expect: 100-continue` (RFC 9110 §10.1.1): Node would send `100 Continue` at once; here it is sent
 *   only after the request passed the token check and the rate limit, and when its Content-Length
 *   fits the route's body limit; otherwise the answer is the error (413...), without `100 Continue`.
 * - A path that exists with another method: 405 with `Allow`, rather than Fastify's 404.
 * - While the server closes: 503 `shutting_down`, rather than Fastify's own 503 body.
 * - The router's own refusals (a path parameter too long, a bad percent-encoding): 400.
 */
import type { IncomingMessage } from 'node:http'
import type { Socket } from 'node:net'
import type { FastifyInstance, FastifyServerOptions } from 'fastify'
import { UnavailableError, UnimplementedError, type ApiError } from '../errors.ts'
import { bodyTooLarge, clientErrorProblem, fromFastifyError, rawProblem, sendProblem } from './problem.ts'

/** Marks a request whose client waits for `100 Continue` before it sends the body. */
const AWAITING_CONTINUE = Symbol('awaiting-continue')
type Raw = IncomingMessage & { [AWAITING_CONTINUE]?: boolean }

/**
 * Longest path parameter the router accepts: above every valid id (register ids have up to 128
 * characters; Fastify's default of 100 refused the longer ones, in its own JSON).
 */
export const MAX_PATH_PARAM_CHARS = 256

/**
 * Fastify server options for the edges: problem answers from the HTTP parser and from the router (a
 * path parameter above MAX_PATH_PARAM_CHARS, a malformed percent-encoding: found by fuzzing, these
 * were Fastify's own JSON echoing the URL), no built-in 503.
 */
export function edgeServerOptions (): Pick<FastifyServerOptions, 'clientErrorHandler' | 'return503OnClosing' | 'routerOptions' | 'frameworkErrors'> {
  return {
    clientErrorHandler: answerClientError,
    return503OnClosing: false,
    routerOptions: { maxParamLength: MAX_PATH_PARAM_CHARS },
    frameworkErrors: (err, _request, reply) => { sendProblem(reply, fromFastifyError(err, 0)).catch(() => {}) }
  }
}

function answerClientError (err: NodeJS.ErrnoException, socket: Socket): void {
  const problem = clientErrorProblem(err)
  if (problem === undefined || socket.destroyed) return
  if (!socket.writable || socket.bytesWritten > 0) {
    socket.destroy()
    return
  }
  // Half-close after the answer and let the client finish sending (what it has not sent yet would
  // otherwise turn the close into a reset that can overtake the answer); drop the socket after a grace.
  socket.end(rawProblem(problem))
  socket.resume()
  setTimeout(() => { socket.destroy() }, 2_000).unref()
}

/** A route as registered (method and URL pattern). */
export interface RouteEntry {
  method: string
  url: string
}

/**
 * Installs the hooks: 100-continue after admission, `connection: close` on an answer given without
 * reading the body the client held back, and the shutdown answer.
 */
export function installEdges (app: FastifyInstance, options: { defaultBodyLimit: number, stopping: AbortSignal }): void {
  app.server.on('checkContinue', (req: Raw, res) => {
    req[AWAITING_CONTINUE] = true
    app.server.emit('request', req, res)
  })
  app.addHook('onRequest', async () => {
    if (options.stopping.aborted) throw new UnavailableError('shutting_down', 'the server is shutting down')
  })
  // preParsing runs after every onRequest hook (token, rate limit) and before the body is read.
  app.addHook('preParsing', async (request, reply, payload) => {
    const raw = request.raw as Raw
    if (raw[AWAITING_CONTINUE] !== true) return payload
    const limit = request.routeOptions.bodyLimit ?? options.defaultBodyLimit
    const length = Number(request.headers['content-length'])
    if (Number.isFinite(length) && length > limit) throw bodyTooLarge(limit, request.routeOptions.url, length)
    raw[AWAITING_CONTINUE] = false
    reply.raw.writeContinue()
    return payload
  })
  app.addHook('onSend', async (request, reply, payload) => {
    // The client never sent the body it held back: the connection cannot carry another request.
    if ((request.raw as Raw)[AWAITING_CONTINUE] === true) reply.header('connection', 'close')
    return payload
  })
}

/** The 405 for a path that a route serves with other methods; undefined when no route has the path. */
export function methodNotAllowed (routes: readonly RouteEntry[], method: string, url: string): { error: ApiError, allow: string } | undefined {
  const path = url.split('?')[0] ?? ''
  const allowed = [...new Set(routes.filter(r => r.url !== '*' && patternOf(r.url).test(path)).map(r => r.method))]
  if (allowed.length === 0 || allowed.includes(method)) return undefined
  const allow = allowed.sort().join(', ')
  return { error: new UnimplementedError('method_not_allowed', `${method} is not allowed on ${path}; allowed: ${allow}`), allow }
}

const patterns = new Map<string, RegExp>()

/** '/v1/peers/:peerId' -> /^\/v1\/peers\/[^/]+$/ */
function patternOf (url: string): RegExp {
  let re = patterns.get(url)
  if (re === undefined) {
    re = new RegExp(`^${url.split('/').map(part => part.startsWith(':') ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('/')}$`)
    patterns.set(url, re)
  }
  return re
}
