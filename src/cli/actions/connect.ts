/** The client behind status, submit and watch, built from their options (client-options.ts). */
import { readFileSync } from 'node:fs'
import { SorchaClient } from '../../client/index.ts'
import type { ClientFlags } from '../client-options.ts'

/** Builds a client from the parsed options. TLS is used when --ca is given (then use https:// for --rest). */
export function clientFrom (flags: ClientFlags): SorchaClient {
  const tls = flags.ca === undefined
    ? undefined
    : { ca: readFileSync(flags.ca), ...(flags.cert === undefined ? {} : { cert: readFileSync(flags.cert) }), ...(flags.key === undefined ? {} : { key: readFileSync(flags.key) }) }
  return new SorchaClient({
    endpoints: { grpc: flags.grpc, rest: flags.rest },
    timeoutMs: flags.timeoutMs,
    ...(flags.token === undefined ? {} : { token: flags.token }),
    ...(tls === undefined ? {} : { tls }),
    ...(flags.transport === undefined ? {} : { transports: flags.transport })
  })
}
