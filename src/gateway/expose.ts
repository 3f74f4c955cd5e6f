/**
 * What the servers tell a client about a failure. ApiErrors are ours and go out as they are; any
 * other error is a failure we did not plan for, and its text may be a library's (`Invalid URL`), a
 * file path or a stack detail: the client gets a fixed INTERNAL "internal error", and the cause is
 * logged here, once, at the boundary that handles it (docs/conventions.md §4).
 */
import { logger } from '../logging/index.ts'
import { ApiError, toApiError } from './errors.ts'

/**
 * The ApiError to send for `err`; logs the cause of anything that is not an ApiError.
 * `where` names the call (an RPC or a route) in the log line.
 */
export function exposedError (err: unknown, where: string): ApiError {
  const api = toApiError(err)
  if (!(err instanceof ApiError) && api.code === 'INTERNAL') {
    logger('sorcha:gateway').error({ where, err }, 'internal failure answered as INTERNAL')
  }
  return api
}
