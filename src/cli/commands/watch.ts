/** `sorcha-peer watch`: streams transactions as a running node accepts them. */
import type { Command } from 'commander'
import { addClientOptions, clientFrom, positiveInt, type ClientFlags } from '../client-options.ts'

const collect = (value: string, previous: string[] = []): string[] => [...previous, value]

/** Registers the `watch` command. */
export function registerWatchCommand (program: Command): void {
  addClientOptions(program.command('watch').description('stream transactions as the node accepts them (Ctrl-C to stop); resumes by itself after a disconnect'))
    .option('--register <id>', 'only this register (repeatable)', collect, [] as string[])
    .option('--cursor <cursor>', 'resume after this cursor (printed with each event)')
    .option('--payload', 'include payloads up to 1 MiB (base64 with --json)')
    .option('--count <n>', 'stop after n transactions', positiveInt)
    .option('--json', 'one JSON object per line')
    .action(async (flags: ClientFlags & { register: string[], cursor?: string, payload?: boolean, count?: number, json?: boolean }) => {
      const client = clientFrom(flags)
      const controller = new AbortController()
      const stop = (): void => { controller.abort() }
      process.once('SIGINT', stop)
      process.once('SIGTERM', stop)
      let seen = 0
      try {
        const events = client.subscribe({ registerIds: flags.register, ...(flags.cursor === undefined ? {} : { cursor: flags.cursor }), includePayload: flags.payload === true }, { signal: controller.signal })
        for await (const item of events) {
          if (item.gap !== undefined) {
            process.stderr.write(`sorcha-peer: events before ${item.gap.oldestCursor || 'now'} were missed (the node no longer holds them)\n`)
            continue
          }
          const tx = item.transaction
          if (tx === undefined) continue
          if (flags.json === true) {
            process.stdout.write(`${JSON.stringify({ ...tx, payload: tx.payloadIncluded ? Buffer.from(tx.payload).toString('base64') : undefined })}\n`)
          } else {
            process.stdout.write(`${new Date(tx.timestampMs).toISOString()} ${tx.txId} register=${tx.registerId} size=${tx.sizeBytes} type=${tx.contentType} hops=${tx.hopCount} cursor=${tx.cursor}\n`)
          }
          if (flags.count !== undefined && ++seen >= flags.count) break
        }
      } finally {
        process.removeListener('SIGINT', stop)
        process.removeListener('SIGTERM', stop)
        client.close()
      }
    })
}
