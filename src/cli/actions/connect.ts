/** The client behind status, submit and watch, built from their options (client-options.ts). */
import { readFileSync } from 'node:fs'
import { SorchaClient } from '../../client/index.ts'
import { ClientFileError } from '../client-errors.ts'
import type { ClientFlags } from '../client-options.ts'

/** Reads a PEM file named by a client option. @throws ClientFileError */
function readPem (option: string, path: string): Buffer {
  try {
    return readFileSync(path)
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    throw new ClientFileError(option, path, code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a directory' : 'unreadable')
  }
}

/**
 * Builds a client from the parsed options. Both transports use TLS when --ca or --cert is given or
 * --rest is an https:// URL; without --ca the system's CAs verify the node.
 */
export function clientFrom (flags: ClientFlags): SorchaClient {
  const useTls = flags.ca !== undefined || flags.cert !== undefined || flags.rest.startsWith('https://')
  const tls = !useTls
    ? undefined
    : {
        ...(flags.ca === undefined ? {} : { ca: readPem('--ca', flags.ca) }),
        ...(flags.cert === undefined ? {} : { cert: readPem('--cert', flags.cert) }),
        ...(flags.key === undefined ? {} : { key: readPem('--key', flags.key) })
      }
  return new SorchaClient({
    endpoints: { grpc: flags.grpc, rest: flags.rest },
    timeoutMs: flags.timeoutMs,
    ...(flags.token === undefined ? {} : { token: flags.token }),
    ...(tls === undefined ? {} : { tls }),
    ...(flags.transport === undefined ? {} : { transports: flags.transport })
  })
}
