/**
 * The API token check both servers make (REST header, gRPC metadata: `authorization: Bearer <token>`),
 * compared in constant time. The token can be replaced while the servers run (a reload of
 * gateway.tokenFile): the next request is checked against the new one.
 */
import { createHash, timingSafeEqual } from 'node:crypto'
import { UnauthenticatedError } from './errors.ts'

const digest = (token: string): Buffer => createHash('sha256').update(token).digest()

/** The token apps must present; empty = none required. */
export class ApiToken {
  private hash: Buffer | undefined
  private current: string

  constructor (token: string) {
    this.current = token
    this.hash = token === '' ? undefined : digest(token)
  }

  /** The token itself ('' = none): the dashboard's login links are keyed by it. */
  get value (): string {
    return this.current
  }

  /** True when no token is required, or `candidate` is the token (constant time). */
  matches (candidate: string): boolean {
    if (this.hash === undefined) return true
    return candidate !== '' && timingSafeEqual(digest(candidate), this.hash)
  }

  /** Whether a token is required. */
  get required (): boolean {
    return this.hash !== undefined
  }

  /** Replaces the token (for requests from now on). */
  set (token: string): void {
    this.current = token
    this.hash = token === '' ? undefined : digest(token)
  }

  /**
   * Checks an authorization header value.
   * @throws UnauthenticatedError (token_missing, token_invalid)
   */
  check (header: unknown): void {
    if (this.hash === undefined) return
    const token = typeof header === 'string' && header.startsWith('Bearer ') ? header.slice(7) : ''
    if (token === '' || !this.matches(token)) {
      throw new UnauthenticatedError(token === '' ? 'token_missing' : 'token_invalid', 'a valid API token is required (authorization: Bearer <token>)')
    }
  }
}
