/**
 * Registration of `sorcha-peer admin <command>`: the operator's controls over a running node's Admin
 * API (docs/admin.md). The actions load the client library and nothing of the node.
 */
import { InvalidArgumentError, type Command } from 'commander'
import type * as AdminActionsModule from '../actions/admin.ts'
import { addClientOptions, type ClientFlags } from '../client-options.ts'

type AdminActions = typeof AdminActionsModule

/** Options of every admin command. */
export type AdminFlags = ClientFlags & { json?: boolean }
/** Options of `admin ban`. */
export type BanFlags = AdminFlags & { reason?: string, duration?: number }
/** Options of `admin registers`. */
export type RegistersFlags = AdminFlags & { follow?: string[], unfollow?: string[] }
/** Options of `admin log-level`. */
export type LogLevelFlags = AdminFlags & { subsystem?: string }

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }

/** A duration flag: a whole number with a unit (ms, s, m, h, d), e.g. 30m or 7d; 0 = until unbanned. */
export function durationFlag (value: string): number {
  const match = /^(\d+)(ms|s|m|h|d)?$/.exec(value.trim())
  if (match === null) throw new InvalidArgumentError('must be a whole number with a unit: ms, s, m, h or d (e.g. 30m, 7d); 0 = until unbanned')
  const ms = Number(match[1]) * (UNITS[match[2] ?? 'ms'] ?? 1)
  if (!Number.isSafeInteger(ms)) throw new InvalidArgumentError('is too long')
  return ms
}

type Action = (...args: any[]) => Promise<void> // eslint-disable-line @typescript-eslint/no-explicit-any
const load = async (): Promise<AdminActions> => import('../actions/admin.ts')

/** Registers `admin` and its commands. */
export function registerAdminCommands (program: Command): void {
  const admin = program.command('admin')
    .description('operate a running node through its Admin API: peers, dial, disconnect, ban, unban, log-level, registers, info, stats')
  const sub = (name: string, description: string, action: Action): Command => {
    const command = addClientOptions(admin.command(name).description(description).option('--json', 'print one JSON object'))
    command.exitOverride().action(action)
    return command
  }
  sub('peers', 'connected peers: direction, address, latency, open streams, score, status', async (flags: AdminFlags) => { await (await load()).runPeers(flags) })
  sub('dial', 'dial a multiaddr (e.g. /ip4/10.0.0.5/tcp/4001/p2p/12D3KooW...) and wait until connected', async (ma: string, flags: AdminFlags) => { await (await load()).runDial(ma, flags) })
    .argument('<multiaddr>', 'where to dial')
  sub('disconnect', 'close every connection to a peer', async (peerId: string, flags: AdminFlags) => { await (await load()).runDisconnect(peerId, flags) })
    .argument('<peerId>', 'the peer')
  sub('ban', 'ban a peer (kept across restarts) and close its connections', async (peerId: string, flags: BanFlags) => { await (await load()).runBan(peerId, flags) })
    .argument('<peerId>', 'the peer')
    .option('--reason <text>', 'why, in your words (at most 200 characters); default admin')
    .option('--duration <time>', 'how long: a number with a unit (ms, s, m, h, d), e.g. 30m or 7d; default until unbanned', durationFlag)
  sub('unban', 'lift a peer\'s ban', async (peerId: string, flags: AdminFlags) => { await (await load()).runUnban(peerId, flags) })
    .argument('<peerId>', 'the peer')
  sub('log-level', 'show the log levels, or set one: the whole node\'s, or with --subsystem one subsystem\'s (default: follow the node\'s again)', async (level: string | undefined, flags: LogLevelFlags) => { await (await load()).runLogLevel(level, flags) })
    .argument('[level]', 'trace, debug, info, warn, error, fatal, silent; with --subsystem also default')
    .option('--subsystem <name>', 'a logger name such as sorcha:gossip (it and the loggers below it)')
  sub('registers', 'show the registers the node serves, or change them at once (until the next configuration reload)', async (flags: RegistersFlags) => { await (await load()).runRegisters(flags) })
    .option('--follow <id...>', 'serve these registers too')
    .option('--unfollow <id...>', 'stop serving these registers (applied after --follow)')
  sub('info', 'identity, listen and announced addresses, NAT type and reachability, connectivity', async (flags: AdminFlags) => { await (await load()).runInfo(flags) })
  sub('stats', 'connections, streams, peers by status and protocol, health score, gossip, queue, reconciliation and store figures', async (flags: AdminFlags) => { await (await load()).runStats(flags) })
}
