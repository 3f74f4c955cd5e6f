/**
 * Registration of the commands that read the node's configuration: start, id, config, peers, nat.
 * Each declares the configuration flags it uses (the rest would be noise in its --help) and loads its
 * implementation from ../actions/ only when it runs.
 */
import { InvalidArgumentError, Option, type Command } from 'commander'
import { isRegisterId, type PeerStatus } from '../../../protocols/models/index.ts'
import { PEER_ORDER, PEER_STATUS } from '../../gateway/enum-names.ts'
import { useConfigOptions } from '../options.ts'

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value]

/** Parses --status PEER_STATUS_HEALTHY,PEER_STATUS_DEGRADED (or the short names, healthy,degraded). */
function parseStatuses (value: string): PeerStatus[] {
  return value.split(',').filter(s => s.trim() !== '').map(name => {
    const status = PEER_STATUS.parse(name.trim())
    if (status === undefined) throw new InvalidArgumentError(`"${name}" is not a status; allowed: ${PEER_STATUS.allowed}`)
    return status
  })
}

/** Parses --register R (a register id). */
function parseRegister (value: string): string {
  if (!isRegisterId(value)) throw new InvalidArgumentError(`"${value}" is not a register id; allowed: 1-128 characters of A-Z a-z 0-9 . _ : - starting with a letter or digit`)
  return value
}

/** Parses --limit N (a positive integer). */
function parseLimit (value: string): number {
  const n = Number(value)
  if (!Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError('allowed: a positive integer')
  return n
}

type Options = Record<string, unknown>

/** Registers `start`: every setting. */
export function registerStartCommand (program: Command): void {
  useConfigOptions(program.command('start')
    .description('start a node (embedded defaults: data in ./sorcha-data, TCP port 4100, no bootstrap peers = this node is a bootstrap node)'), 'all')
    .action(async (options: Options) => { await (await import('../actions/start.ts')).runStart(options) })
}

/** Registers `id`: the data directory and the addresses. */
export function registerIdCommand (program: Command): void {
  useConfigOptions(program.command('id')
    .description('print the peer id (creating the identity key if the data directory has none) and the addresses peers can dial it at')
    .option('--json', 'print JSON'), ['dataDir', 'listen', 'announce'])
    .action(async (options: Options) => { await (await import('../actions/id.ts')).runId(options) })
}

/** Registers `config`: every setting. */
export function registerConfigCommand (program: Command): void {
  useConfigOptions(program.command('config')
    .description('print the effective configuration (file < SORCHA_* environment < flags) as JSON, secrets masked'), 'all')
    .action(async (options: Options) => { await (await import('../actions/config.ts')).runConfig(options) })
}

/** Registers `peers`: the data directory. */
export function registerPeersCommand (program: Command): void {
  useConfigOptions(program.command('peers')
    .description('print the persisted peer list of the data directory (best score first)')
    .option('--json', 'print a JSON array instead of a table')
    .option('--status <statuses>', `only these statuses, comma-separated (${PEER_STATUS.allowed})`, parseStatuses)
    .addOption(new Option('--order <order>', 'order by').choices(PEER_ORDER.accepted).default('PEER_ORDER_SCORE'))
    .option('--register <id>', 'only the peers that serve this register (or every register), as their records say', parseRegister)
    .option('--limit <n>', 'print at most n peers', parseLimit), ['dataDir'])
    .action(async (options: Options) => { await (await import('../actions/peers.ts')).runPeers(options) })
}

/** Registers `nat`: the NAT settings, the announced addresses (overrides) and logging. */
export function registerNatCommand (program: Command): void {
  useConfigOptions(program.command('nat')
    .description('detect interfaces, the external address, and the NAT mapping/filtering behaviour (STUN RFC 8489/5780, HTTP lookup)')
    .addOption(new Option('--stun <host:port>', 'STUN server to use (repeatable; replaces nat.stunServers)').argParser(collect))
    .addOption(new Option('--http-lookup <url>', 'IP lookup URL to use (repeatable; replaces nat.httpLookup)').argParser(collect))
    .option('--json', 'print the report as JSON'), ['announce', 'nat', 'log'])
    .action(async (options: Options) => { await (await import('../actions/nat.ts')).runNat(options) })
}
