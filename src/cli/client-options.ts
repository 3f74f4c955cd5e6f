/**
 * Options shared by the commands that talk to a running node's API (status, submit, watch): where
 * it is, how to authenticate, which transports to use. Defaults match the gateway's configuration
 * defaults; the token defaults to $SORCHA_GATEWAY_TOKEN, the same variable the node reads.
 */
import { readFileSync } from 'node:fs'
import { InvalidArgumentError, Option, type Command } from 'commander'
import { SorchaClient } from '../client/index.ts'
import { TRANSPORTS, type TransportKind } from '../client/types.ts'

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
    .option('--ca <file>', 'PEM CA bundle to verify the node (TLS)')
    .option('--cert <file>', 'PEM client certificate (mutual TLS)')
    .option('--key <file>', 'PEM client key (mutual TLS)')
    .option('--transport <kind>', `transport to use, repeatable, in preference order (${TRANSPORTS.join(', ')})`, transportFlag)
    .option('--timeout-ms <ms>', 'per-attempt deadline', positiveInt, 10_000)
}

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
