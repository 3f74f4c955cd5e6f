/**
 * Who may open the dashboard (docs/dashboard.md): with `gateway.token` set, a browser logs in once,
 * either with the token itself or with a one-time login link, and gets a session cookie (HttpOnly,
 * SameSite=Strict, Secure over TLS). A login code is stateless: the expiry, a nonce and an HMAC of
 * both keyed by the token, so `sorcha-peer dashboard` makes one without asking the node; the node
 * accepts each code once, before it expires. Without a token no login is needed (the admin access
 * rule of the listener still applies).
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import type { ApiToken } from '../gateway/api-token.ts'

/** How long a login link works. */
export const LOGIN_CODE_TTL_MS = 5 * 60_000
/** How long a dashboard session lasts. */
export const SESSION_TTL_MS = 12 * 60 * 60_000
/** Sessions held at most (the oldest is dropped beyond). */
export const MAX_SESSIONS = 256
/** The session cookie's name. */
export const SESSION_COOKIE = 'sorcha_dashboard'
/** The header the page sends with every API call made on its cookie (a cross-site form cannot). */
export const DASHBOARD_HEADER = 'x-sorcha-dashboard'

const mac = (token: string, expires: string, nonce: string): Buffer =>
  createHmac('sha256', token).update(`sorcha-dashboard-login\n${expires}\n${nonce}`).digest()

/** A one-time login code for `token`, valid until `nowMs + ttlMs`. */
export function makeLoginCode (token: string, nowMs = Date.now(), ttlMs = LOGIN_CODE_TTL_MS): string {
  const expires = (nowMs + ttlMs).toString(36)
  const nonce = randomBytes(9).toString('base64url')
  return `${expires}.${nonce}.${mac(token, expires, nonce).toString('base64url')}`
}

/** The path of the login link for a code (relative to the REST listener's base URL). */
export function loginPath (code: string): string {
  return `/dashboard/login?code=${encodeURIComponent(code)}`
}

/** Login codes and sessions of one REST listener. */
export class DashboardAuth {
  /** The listener's API token (replaced in place when gateway.tokenFile is reloaded). */
  private readonly token: ApiToken
  private readonly sessions = new Map<string, number>()
  private readonly usedCodes = new Map<string, number>()

  constructor (token: ApiToken) {
    this.token = token
  }

  /** False when the listener has no token: everyone who reaches the page may use it. */
  get required (): boolean {
    return this.token.required
  }

  /** True for the API token itself. */
  checkToken (candidate: string): boolean {
    return this.token.matches(candidate)
  }

  /** True (once) for a code made with this listener's token that has not expired or been used. */
  redeemCode (code: string, nowMs = Date.now()): boolean {
    if (!this.token.required) return true
    this.prune(nowMs)
    const parts = code.split('.')
    if (parts.length !== 3 || code.length > 128) return false
    const [expires, nonce, sig] = parts as [string, string, string]
    if (!/^[0-9a-z]{1,11}$/.test(expires)) return false
    const expiresAtMs = parseInt(expires, 36)
    if (expiresAtMs <= nowMs || expiresAtMs > nowMs + LOGIN_CODE_TTL_MS + 60_000) return false
    const given = Buffer.from(sig, 'base64url')
    const wanted = mac(this.token.value, expires, nonce)
    if (given.length !== wanted.length || !timingSafeEqual(given, wanted)) return false
    if (this.usedCodes.has(code)) return false
    this.usedCodes.set(code, expiresAtMs)
    return true
  }

  /** A new session; returns its cookie value. */
  openSession (nowMs = Date.now()): string {
    this.prune(nowMs)
    const id = randomBytes(32).toString('base64url')
    this.sessions.set(id, nowMs + SESSION_TTL_MS)
    while (this.sessions.size > MAX_SESSIONS) this.sessions.delete(this.sessions.keys().next().value as string)
    return id
  }

  /** Ends a session. */
  closeSession (id: string): void {
    this.sessions.delete(id)
  }

  /** True when the request's cookie header carries a live session (always without a token). */
  hasSession (cookieHeader: string | undefined, nowMs = Date.now()): boolean {
    if (!this.token.required) return true
    const id = sessionOf(cookieHeader)
    const until = id === undefined ? undefined : this.sessions.get(id)
    return until !== undefined && until > nowMs
  }

  /** The Set-Cookie value for a session (`maxAgeS` 0 clears it). */
  cookie (id: string, secure: boolean, maxAgeS = SESSION_TTL_MS / 1000): string {
    return `${SESSION_COOKIE}=${id}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeS}${secure ? '; Secure' : ''}`
  }

  private prune (nowMs: number): void {
    for (const [code, until] of this.usedCodes) if (until <= nowMs) this.usedCodes.delete(code)
    for (const [id, until] of this.sessions) if (until <= nowMs) this.sessions.delete(id)
  }
}

/** The session id in a Cookie header, if any. */
export function sessionOf (cookieHeader: string | undefined): string | undefined {
  if (cookieHeader === undefined) return undefined
  for (const part of cookieHeader.split(';')) {
    const [name, ...rest] = part.trim().split('=')
    if (name === SESSION_COOKIE) return rest.join('=')
  }
  return undefined
}
