/** `sorcha-peer events`: the node's event log, one line per event (or JSON), optionally followed. */
import type { NodeEventMessage } from '../../client/index.ts'
import type { EventsFlags } from '../commands/events.ts'
import { clientFrom } from './connect.ts'

/** Default number of events shown: without and with --follow. */
const DEFAULT_LIMIT = 50
const DEFAULT_FOLLOW_LIMIT = 10

/** Values that need quoting in a key=value line. */
const QUOTE = /[\s"=]/

/** One event as a readable line: time, seq, type, peer, tx, reason, then its data as key=value. */
export function eventLine (event: NodeEventMessage): string {
  const parts = [new Date(event.atMs).toISOString(), `#${event.seq}`, event.type]
  if (event.peerId !== '') parts.push(`peer=${event.peerId}`)
  if (event.txId !== '') parts.push(`tx=${event.txId}`)
  if (event.reason !== '') parts.push(`reason=${QUOTE.test(event.reason) ? JSON.stringify(event.reason) : event.reason}`)
  for (const [key, value] of Object.entries(event.data).sort(([a], [b]) => a.localeCompare(b))) {
    parts.push(`${key}=${value === '' || QUOTE.test(value) ? JSON.stringify(value) : value}`)
  }
  return parts.join(' ')
}

/** One event as a JSON object (fields that are empty left out; `at` in ISO 8601 beside atMs). */
export function eventJson (event: NodeEventMessage): Record<string, unknown> {
  return {
    seq: event.seq,
    at: new Date(event.atMs).toISOString(),
    atMs: event.atMs,
    type: event.type,
    ...(event.peerId === '' ? {} : { peerId: event.peerId }),
    ...(event.txId === '' ? {} : { txId: event.txId }),
    ...(event.reason === '' ? {} : { reason: event.reason }),
    data: event.data
  }
}

/** The line `events --follow` writes on stderr before it follows, so a quiet terminal reads as waiting, not hung. */
export function followingLine (after: number): string {
  return `following the event log after #${after}: waiting for events; Ctrl-C to stop`
}

/** Prints the newest matching events (or those after --cursor), then with --follow new ones until Ctrl-C or --count. */
export async function runEvents (flags: EventsFlags): Promise<void> {
  const client = clientFrom(flags)
  const print = (event: NodeEventMessage): void => { process.stdout.write(flags.json === true ? `${JSON.stringify(eventJson(event))}\n` : `${eventLine(event)}\n`) }
  const filter = { types: flags.type, ...(flags.peer === undefined ? {} : { peerId: flags.peer }), ...(flags.tx === undefined ? {} : { txId: flags.tx }) }
  const controller = new AbortController()
  const stop = (): void => { controller.abort() }
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
  try {
    const limit = flags.limit ?? (flags.follow === true ? DEFAULT_FOLLOW_LIMIT : DEFAULT_LIMIT)
    let after: number
    if (flags.cursor === undefined) {
      const page = await client.listEvents({ ...filter, limit, newestFirst: true }, { signal: controller.signal })
      for (const event of [...page.events].reverse()) print(event)
      after = page.lastSeq
    } else {
      const page = await client.listEvents({ ...filter, limit, cursor: flags.cursor }, { signal: controller.signal })
      for (const event of page.events) print(event)
      after = page.events.length === 0 ? Math.max(flags.cursor, page.nextCursor) : page.nextCursor
      if (page.more && flags.follow !== true) process.stderr.write(`next: --cursor ${page.nextCursor} (more are stored already)\n`)
    }
    if (flags.follow !== true) return
    // Nothing is missed between the page above and the follow: it resumes after `after`.
    process.stderr.write(`${followingLine(after)}\n`)
    let seen = 0
    // No gap and no repeat: the follow starts after the newest seq the page above knew of.
    for await (const event of client.followEvents({ ...filter, ...(after > 0 ? { cursor: after } : { fromStart: true }) }, { signal: controller.signal })) {
      print(event)
      if (flags.count !== undefined && ++seen >= flags.count) break
    }
  } catch (err) {
    if (controller.signal.aborted) return
    throw err
  } finally {
    process.removeListener('SIGINT', stop)
    process.removeListener('SIGTERM', stop)
    client.close()
  }
}
