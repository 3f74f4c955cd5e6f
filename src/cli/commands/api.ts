/**
 * Registration of the commands that only talk to a running node's API: status, submit, watch, list,
 * offline, online. Their
 * actions load the client library and nothing of the node (no libp2p, no storage, no configuration).
 */
import type { Command } from 'commander'
import { addClientOptions, positiveInt, type ClientFlags } from '../client-options.ts'

const collect = (value: string, previous: string[] = []): string[] => [...previous, value]

/** Options of `status`. */
export type StatusFlags = ClientFlags & { json?: boolean }
/** Options of `submit`. */
export type SubmitFlags = ClientFlags & { register: string, contentType: string, rejectDuplicate?: boolean, json?: boolean }
/** Options of `watch`. */
export type WatchFlags = ClientFlags & { register: string[], cursor?: string, payload?: boolean, count?: number, json?: boolean }
/** Options of `list`. */
export type ListFlags = ClientFlags & { register: string[], since?: string, limit?: number, json?: boolean }

/** Options of `offline`. */
export type OfflineFlags = ClientFlags & { reason?: string, json?: boolean }
/** Options of `online`. */
export type OnlineFlags = ClientFlags & { json?: boolean }

/** Registers `offline` and `online`. */
export function registerConnectivityCommands (program: Command): void {
  addClientOptions(program.command('offline')
    .description('take a running node off the network (offline mode): it closes its peer connections, refuses new ones and pauses health checks and discovery until `online`, across restarts; it still accepts submissions')
    .option('--reason <text>', 'why, in your words (at most 200 characters); shown as the note in status')
    .option('--json', 'print one JSON object'))
    .action(async (flags: OfflineFlags) => { await (await import('../actions/connectivity.ts')).runOffline(flags) })
  addClientOptions(program.command('online')
    .description('end offline mode: the node dials its bootstrap and known peers again at once')
    .option('--json', 'print one JSON object'))
    .action(async (flags: OnlineFlags) => { await (await import('../actions/connectivity.ts')).runOnline(flags) })
}

/** Registers `status`. */
export function registerStatusCommand (program: Command): void {
  addClientOptions(program.command('status').description('show a running node\'s status through its API (gRPC, falling back to REST)')
    .option('--json', 'print one JSON object'))
    .action(async (flags: StatusFlags) => { await (await import('../actions/status.ts')).runStatus(flags) })
}

/** Registers `submit`. */
export function registerSubmitCommand (program: Command): void {
  addClientOptions(program.command('submit')
    .description('submit a transaction from a file (or - / nothing for stdin) to a running node')
    .argument('[file]', 'payload file; - or absent reads stdin')
    .requiredOption('--register <id>', 'register id')
    .option('--content-type <type>', 'media type of the payload', 'application/octet-stream')
    .option('--reject-duplicate', 'fail (ALREADY_EXISTS) when the node already has it')
    .option('--json', 'print one JSON object'))
    .action(async (file: string | undefined, flags: SubmitFlags) => { await (await import('../actions/submit.ts')).runSubmit(file, flags) })
}

/** Registers `watch`. */
export function registerWatchCommand (program: Command): void {
  addClientOptions(program.command('watch').description('stream transactions as the node accepts them (Ctrl-C to stop); resumes by itself after a disconnect')
    .option('--register <id>', 'only this register (repeatable)', collect, [] as string[])
    .option('--cursor <cursor>', 'resume after this cursor (printed with each event)')
    .option('--payload', 'include payloads up to 1 MiB (base64 with --json)')
    .option('--count <n>', 'stop after n transactions', positiveInt)
    .option('--json', 'one JSON object per line'))
    .action(async (flags: WatchFlags) => { await (await import('../actions/watch.ts')).runWatch(flags) })
}

/** Registers `list`. */
export function registerListCommand (program: Command): void {
  addClientOptions(program.command('list').description('list the transactions a running node stored after a cursor, oldest first, a page at a time (for polling); prints the cursor to go on from')
    .option('--register <id>', 'only this register (repeatable)', collect, [] as string[])
    .option('--since <cursor>', 'after this cursor (printed by watch and list); default: from the oldest the node holds')
    .option('--limit <n>', 'at most n transactions (the node allows up to 1000; default 100)', positiveInt)
    .option('--json', 'one JSON object: transactions, nextCursor, more'))
    .action(async (flags: ListFlags) => { await (await import('../actions/list.ts')).runList(flags) })
}
