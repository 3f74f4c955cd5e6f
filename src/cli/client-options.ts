/**
 * Options shared by the commands that talk to a running node's API (status, submit, watch): where
 * it is, how to authenticate, which transports to use. Defaults match the gateway's configuration
 * defaults; the token defaults to $SORCHA_GATEWAY_TOKEN, the same variable the node reads.
 * Registration only: the client library is loaded by the command's action (actions/connect.ts).
 */
import { InvalidArgumentError, Option, type Command } from 'commander'
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

/** Help heading of the client options. */
const API = 'Node API options:'

/** Adds the client options to a command, under their own heading in --help. */
export function addClientOptions (command: Command): Command {
  const options = [
    new Option('--grpc <host:port>', 'gRPC address of the node\'s API').default('127.0.0.1:4200'),
    new Option('--rest <url>', 'REST base URL of the node\'s API (fallback)').default('http://127.0.0.1:4280'),
    new Option('--token <token>', 'API token').env('SORCHA_GATEWAY_TOKEN'),
    new Option('--ca <file>', 'PEM CA bundle that signed the node\'s certificate (TLS; an https:// --rest URL without it uses the system\'s CAs)'),
    new Option('--cert <file>', 'PEM client certificate (mutual TLS)'),
    new Option('--key <file>', 'PEM client key (mutual TLS)'),
    new Option('--transport <kind>', `transport to use, repeatable, in preference order (${TRANSPORTS.join(', ')})`).argParser(transportFlag),
    new Option('--timeout-ms <ms>', 'per-attempt deadline').argParser(positiveInt).default(10_000)
  ]
  for (const option of options) command.addOption(option.helpGroup(API))
  return command
}
