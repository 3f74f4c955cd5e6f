/**
 * How the CLI tells why a call to a node's API failed: one line per cause, the real cause first,
 * then where and what to do (`connection refused at 127.0.0.1:4200 (gRPC) and :4280 (REST): is the
 * node running?`), each line after `sorcha-peer: `. Exit 1 when the node cannot be reached or
 * answered with an error, 2 when the user's settings are wrong (a token, a --ca file).
 */
import { describeFailures } from '../client/describe.ts'
import { NoTransportError } from '../client/errors.ts'
import { ApiError } from '../gateway/errors.ts'

/** A file named by a client option (--ca, --cert, --key) cannot be read. */
export class ClientFileError extends Error {
  override name = 'ClientFileError'
  readonly option: string
  readonly path: string
  constructor (option: string, path: string, reason: string) {
    super(`cannot read ${option} ${path}: ${reason}`)
    this.option = option
    this.path = path
  }
}

/** The lines and exit code for a failure of the client; undefined for anything else. */
export function clientErrorLines (err: unknown): { lines: string[], exitCode: number } | undefined {
  if (err instanceof NoTransportError) {
    return { lines: err.failures.length > 0 ? describeFailures(err.failures, 'cli') : [err.message], exitCode: 1 }
  }
  if (err instanceof ClientFileError) return { lines: [err.message], exitCode: 2 }
  if (err instanceof ApiError && err.code === 'UNAUTHENTICATED') {
    return {
      lines: [err.reason === 'token_missing'
        ? 'the node requires an API token: pass --token or set SORCHA_GATEWAY_TOKEN'
        : 'the node refused the API token: check --token or SORCHA_GATEWAY_TOKEN'],
      exitCode: 2
    }
  }
  return undefined
}
