/** A minimal Server-Sent Events parser (WHATWG HTML §9.2.6): id, event and data fields; comments skipped. */
import { StringDecoder } from 'node:string_decoder'

/** One parsed event. */
export interface ParsedSseEvent {
  id?: string
  event: string
  data: string
}

/** Parses an SSE byte stream into events. Bounded: an event larger than `maxEventBytes` fails. */
export async function * parseSse (stream: AsyncIterable<Buffer | string>, maxEventBytes = 128 * 1024 * 1024): AsyncGenerator<ParsedSseEvent> {
  let buffer = ''
  const decoder = new StringDecoder('utf8') // keeps a UTF-8 sequence split across chunks intact
  for await (const chunk of stream) {
    buffer += typeof chunk === 'string' ? chunk : decoder.write(chunk)
    if (buffer.length > maxEventBytes) throw new Error('server-sent event too large')
    let end = buffer.indexOf('\n\n')
    while (end >= 0) {
      const block = buffer.slice(0, end)
      buffer = buffer.slice(end + 2)
      const event = parseBlock(block)
      if (event !== undefined) yield event
      end = buffer.indexOf('\n\n')
    }
  }
}

function parseBlock (block: string): ParsedSseEvent | undefined {
  let id: string | undefined
  let event = 'message'
  const data: string[] = []
  for (const line of block.split('\n')) {
    if (line === '' || line.startsWith(':')) continue
    const colon = line.indexOf(':')
    const field = colon < 0 ? line : line.slice(0, colon)
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '')
    if (field === 'id') id = value
    else if (field === 'event') event = value
    else if (field === 'data') data.push(value)
  }
  if (data.length === 0) return undefined
  return { ...(id === undefined ? {} : { id }), event, data: data.join('\n') }
}
