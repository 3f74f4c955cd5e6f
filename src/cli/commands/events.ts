/** Registration of `sorcha-peer events`: the node's event log through its API (docs/events.md). */
import { InvalidArgumentError, type Command } from 'commander'
import { NODE_EVENT_TYPES } from '../../events/types.ts'
import { addClientOptions, positiveInt, type ClientFlags } from '../client-options.ts'

/** Options of `events`. */
export type EventsFlags = ClientFlags & { follow?: boolean, type: string[], peer?: string, tx?: string, limit?: number, cursor?: number, count?: number, json?: boolean }

/** `--type` values: repeatable and comma-separated, each a known event type. */
function typeFlag (value: string, previous: string[] = []): string[] {
  const types = value.split(',').map(t => t.trim()).filter(t => t !== '')
  for (const type of types) {
    if (!(NODE_EVENT_TYPES as readonly string[]).includes(type)) throw new InvalidArgumentError(`unknown event type "${type}"; known types: ${NODE_EVENT_TYPES.join(', ')}`)
  }
  return [...previous, ...types]
}

function txFlag (value: string): string {
  if (!/^[0-9a-f]{64}$/.test(value)) throw new InvalidArgumentError('must be a transaction id: 64 lowercase hex characters')
  return value
}

/** Registers `events`. */
export function registerEventsCommand (program: Command): void {
  addClientOptions(program.command('events')
    .description('show a running node\'s event log (peers connecting, disconnecting with a reason, banned; NAT and connectivity changes; transactions published, received, recovered): the newest events, oldest first, one line each; --follow goes on with new ones')
    .option('--follow', 'after the newest events, print new ones as they happen (Ctrl-C to stop)')
    .option('--type <type>', `only these event types (repeatable or comma-separated): ${NODE_EVENT_TYPES.join(', ')}`, typeFlag, [] as string[])
    .option('--peer <peerId>', 'only events about this peer')
    .option('--tx <txId>', 'only events about this transaction', txFlag)
    .option('--limit <n>', 'how many of the newest matching events to show (at most 1000; default 50, 10 with --follow)', positiveInt)
    .option('--cursor <seq>', 'instead of the newest: the events after this seq (oldest first; with --follow, replay from there)', positiveInt)
    .option('--count <n>', 'with --follow: stop after n new events', positiveInt)
    .option('--json', 'one JSON object per event and line'))
    .action(async (flags: EventsFlags) => { await (await import('../actions/events.ts')).runEvents(flags) })
}
