/** `sorcha-peer list`: one page of the transactions a running node stored after a cursor. */
import type { ListFlags } from '../commands/api.ts'
import { clientFrom } from './connect.ts'

/**
 * Prints one line per transaction (as watch does), or one JSON object with --json; on stderr, the
 * cursor to pass as --since next time.
 */
export async function runList (flags: ListFlags): Promise<void> {
  const client = clientFrom(flags)
  try {
    const page = await client.listTransactions({ registerIds: flags.register, ...(flags.since === undefined ? {} : { since: flags.since }), ...(flags.limit === undefined ? {} : { limit: flags.limit }) })
    if (flags.json === true) {
      process.stdout.write(`${JSON.stringify({ transactions: page.transactions.map(({ payload: _p, payloadIncluded: _i, ...tx }) => tx), nextCursor: page.nextCursor, more: page.more })}\n`)
      return
    }
    for (const tx of page.transactions) {
      process.stdout.write(`${new Date(tx.timestampMs).toISOString()} ${tx.txId} register=${tx.registerId} size=${tx.sizeBytes} type=${tx.contentType} hops=${tx.hopCount} cursor=${tx.cursor}\n`)
    }
    process.stderr.write(`next: --since ${page.nextCursor}${page.more ? ' (more are stored already)' : ''}\n`)
  } finally {
    client.close()
  }
}
