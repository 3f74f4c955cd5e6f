/** `sorcha-peer watch`: streams transactions as a running node accepts them. */
import type { Established } from '../../client/index.ts'
import type { WatchFlags } from '../commands/api.ts'
import { clientFrom } from './connect.ts'

/**
 * The line `watch` writes on stderr once its subscription is established (and again after each
 * reconnection), so that a quiet terminal reads as "connected and waiting", not as "hung".
 */
export function watchingLine (via: Established): string {
  const where = via.transport === 'rest' ? via.endpoint.rest ?? '?' : via.endpoint.grpc ?? '?'
  return `watching ${where} (${via.transport === 'rest' ? 'REST' : 'gRPC'}): waiting for transactions; Ctrl-C to stop`
}

/** Follows transactions until Ctrl-C, SIGTERM or --count, one line (or JSON object) each. */
export async function runWatch (flags: WatchFlags): Promise<void> {
  const client = clientFrom(flags)
  const controller = new AbortController()
  const stop = (): void => { controller.abort() }
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
  let seen = 0
  try {
    const events = client.subscribe(
      { registerIds: flags.register, ...(flags.cursor === undefined ? {} : { cursor: flags.cursor }), includePayload: flags.payload === true },
      { signal: controller.signal, onEstablished: via => { process.stderr.write(`${watchingLine(via)}\n`) } }
    )
    for await (const item of events) {
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
}
