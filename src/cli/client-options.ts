/**
 * Options shared by the commands that talk to a running node's API (status, submit, watch): where
 * it is, how to authenticate, which transports to use. Defaults match the gateway's configuration
 * defaults; the token defaults to $SORCHA_GATEWAY_TOKEN, the same variable the node reads.
 */
import { readFileSync } from 'node:fs'
import { InvalidArgumentError, Option, type Command } from 'commander'
import { SorchaClient } from '../client/index.ts'
import { TRANSPORTS, type TransportKind } from '../client/types.ts'
import { ClientFileError } from './client-errors.ts'

/** Parsed client options. */
export interface ClientFlags {
  grpc: string
  rest: string
  token?: string
  ca?: string
  cert?: string
  key?: string
  transport?: TransportKind[]
  timeoutMs: number
}

/** A positive integer flag value, or a usage error. */
export function positiveInt (value: string): number {
  const n = Number(value)
  if (!/^\d+$/.test(value) || n < 1) throw new InvalidArgumentError('must be a positive integer')
  return n
}

const transportFlag = (value: string, previous: TransportKind[] = []): TransportKind[] => {
  if (!(TRANSPORTS as readonly string[]).includes(value)) throw new InvalidArgumentError(`must be one of ${TRANSPORTS.join(', ')}`)
  return [...previous, value as TransportKind]
}

/** Adds the client options to a command. */
export function addClientOptions (command: Command): Command {
  return command
    .option('--grpc <host:port>', 'gRPC address of the node\'s API', '127.0.0.1:4200')
    .option('--rest <url>', 'REST base URL of the node\'s API (fallback)', 'http://127.0.0.1:4280')
    .addOption(new Option('--token <token>', 'API token').env('SORCHA_GATEWAY_TOKEN'))
    .option('--ca <file>', 'PEM CA bundle that signed the node\'s certificate (TLS; an https:// --rest URL without it uses the system\'s CAs)')
    .option('--cert <file>', 'PEM client certificate (mutual TLS)')
    .option('--key <file>', 'PEM client key (mutual TLS)')
    .option('--transport <kind>', `transport to use, repeatable, in preference order (${TRANSPORTS.join(', ')})`, transportFlag)
    .option('--timeout-ms <ms>', 'per-attempt deadline', positiveInt, 10_000)
}

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
 * Builds a client from the parsed options. Both transports use TLS when --ca is given or --rest is
 * an https:// URL; without --ca the system's CAs verify the node.
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
