/**
 * The dashboard's routes on the REST listener (docs/dashboard.md): the page and its assets (all in
 * the package: src/dashboard/ui/ and uPlot from node_modules, read once), the login (token or
 * one-time link -> session cookie), and the live feed (SSE). The page reads and acts through the
 * public REST API (/v1/...), which accepts its session cookie together with the DASHBOARD_HEADER.
 */
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { AdminAccess } from '../admin/access.ts'
import { SSE_KEEPALIVE_MS } from '../gateway/constants.ts'
import { UnauthenticatedError } from '../gateway/errors.ts'
import { sessionOf, type DashboardAuth } from './auth.ts'
import type { DashboardFeed } from './feed.ts'

/** The message of a login link that is wrong, used or expired. */
export const BAD_LOGIN_LINK = 'this login link is invalid, expired or already used: run sorcha-peer dashboard for a new one, or log in with the API token'
/** The message of a wrong token on the login form. */
export const BAD_LOGIN_TOKEN = 'that is not this node\'s API token (gateway.token)'
/** The message when the page's data is asked for without a session. */
export const LOGIN_NEEDED = 'log in to the dashboard first (the API token, or a link from sorcha-peer dashboard)'

const UI = join(dirname(fileURLToPath(import.meta.url)), 'ui')
const UPLOT = dirname(createRequire(import.meta.url).resolve('uplot/dist/uPlot.iife.min.js'))

const TYPES: Record<string, string> = { js: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8', html: 'text/html; charset=utf-8' }
/** Served files: name -> path. */
const FILES: Record<string, string> = {
  'app.js': join(UI, 'app.js'),
  'panels.js': join(UI, 'panels.js'),
  'peers.js': join(UI, 'peers.js'),
  'events.js': join(UI, 'events.js'),
  'app.css': join(UI, 'app.css'),
  'uplot.js': join(UPLOT, 'uPlot.iife.min.js'),
  'uplot.css': join(UPLOT, 'uPlot.min.css')
}
const CSP = "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"

/** What the routes need. */
export interface DashboardRouteInit {
  auth: DashboardAuth
  feed: DashboardFeed
  access: AdminAccess
  secure: boolean
  openStream: () => () => void
  stopping: AbortSignal
  /** Takes a token of the listener's rate limit (gateway.rateLimit) or throws RESOURCE_EXHAUSTED. */
  limit: (request: FastifyRequest) => void
}

/** True when a request may use the dashboard: a session cookie, or the API token itself. */
export function authorized (auth: DashboardAuth, request: FastifyRequest): boolean {
  const header = request.headers.authorization
  if (typeof header === 'string' && header.startsWith('Bearer ')) return auth.checkToken(header.slice(7))
  return auth.hasSession(request.headers.cookie)
}

/** Registers /dashboard and below. */
export function dashboardRoutes (app: FastifyInstance, init: DashboardRouteInit): void {
  const { auth, feed, access } = init
  const files = new Map(Object.entries(FILES).map(([name, path]) => [name, readFileSync(path)]))
  const page = readFileSync(join(UI, 'index.html'))
  const hide = { schema: { hide: true } }
  const html = (reply: FastifyReply, status: number, body: string | Buffer): FastifyReply =>
    reply.code(status).header('content-type', TYPES.html).header('content-security-policy', CSP).header('cache-control', 'no-store').send(body)

  app.get('/dashboard', hide, async (_request, reply) => html(reply, 200, page))
  app.get('/dashboard/assets/:name', hide, async (request: FastifyRequest<{ Params: { name: string } }>, reply) => {
    const body = files.get(request.params.name)
    if (body === undefined) return await reply.code(404).type('text/plain').send('no such asset')
    return await reply.type(TYPES[request.params.name.split('.').pop() ?? ''] ?? 'application/octet-stream').header('cache-control', 'no-cache').send(body)
  })
  app.get('/dashboard/session', hide, async request => ({ tokenRequired: auth.required, authenticated: authorized(auth, request) }))
  app.get('/dashboard/login', hide, async (request: FastifyRequest<{ Querystring: { code?: string } }>, reply) => {
    init.limit(request)
    if (!auth.redeemCode(String(request.query.code ?? ''))) {
      return await html(reply, 401, `<!doctype html><meta charset="utf-8"><title>Sorcha Peer</title><p id="login-error">${BAD_LOGIN_LINK}</p><p><a href="/dashboard">Log in with the API token</a></p>`)
    }
    return await reply.code(303).header('set-cookie', auth.cookie(auth.openSession(), init.secure)).header('location', '/dashboard').send()
  })
  app.post('/dashboard/login', { schema: { hide: true, body: { type: 'object', properties: { token: { type: 'string', maxLength: 4096 } }, required: ['token'], additionalProperties: false } } },
    async (request: FastifyRequest<{ Body: { token: string } }>, reply) => {
      init.limit(request)
      if (!auth.required) return await reply.code(204).send()
      if (!auth.checkToken(request.body.token)) throw new UnauthenticatedError('token_invalid', BAD_LOGIN_TOKEN)
      return await reply.code(204).header('set-cookie', auth.cookie(auth.openSession(), init.secure)).send()
    })
  app.post('/dashboard/logout', hide, async (request, reply) => {
    const id = sessionOf(request.headers.cookie)
    if (id !== undefined) auth.closeSession(id)
    return await reply.code(204).header('set-cookie', auth.cookie('', init.secure, 0)).send()
  })
  app.get('/dashboard/feed', hide, async (request, reply) => {
    init.limit(request)
    if (!authorized(auth, request)) throw new UnauthenticatedError('login_required', LOGIN_NEEDED)
    access.check()
    const release = init.openStream()
    reply.hijack()
    const raw = reply.raw
    raw.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' })
    raw.write(': dashboard feed\n\n')
    const keepalive = setInterval(() => { raw.write(': keepalive\n\n') }, SSE_KEEPALIVE_MS)
    const registration: { remove?: () => void } = {}
    let ended = false
    const end = (): void => {
      if (ended) return
      ended = true
      clearInterval(keepalive)
      registration.remove?.()
      init.stopping.removeEventListener('abort', end)
      release()
      raw.end()
    }
    raw.once('close', end)
    init.stopping.addEventListener('abort', end, { once: true })
    registration.remove = await feed.add({ write: text => { if (!ended) raw.write(text) }, backlog: () => raw.writableLength, close: end })
    if (ended) registration.remove()
  })
}
