/**
 * Server-Sent Events (WHATWG HTML §9.2): `id:` carries the resume cursor, so a browser EventSource
 * resumes by itself with Last-Event-ID. Writes respect backpressure; a comment line every
 * SSE_KEEPALIVE_MS keeps idle connections open through proxies. A failure after the stream started
 * is sent as an `error` event holding a problem document, then the stream ends.
 */
import { once } from 'node:events'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { SSE_KEEPALIVE_MS } from '../constants.ts'
import { exposedError } from '../expose.ts'
import { problemOf } from './problem.ts'

/** One event. */
export interface SseEvent {
  id?: string
  event: string
  data: unknown
}

/**
 * Streams `events(signal)` to the client until it ends, fails, or the client goes away.
 * `release` runs when the stream is over (e.g. to free a stream slot).
 */
export async function streamSse (request: FastifyRequest, reply: FastifyReply, events: (signal: AbortSignal) => AsyncIterable<SseEvent>, release: () => void, stop: AbortSignal): Promise<void> {
  const controller = new AbortController()
  const abort = (): void => { controller.abort() }
  request.raw.once('close', abort)
  reply.raw.once('close', abort)
  stop.addEventListener('abort', abort, { once: true })
  reply.hijack()
  const raw = reply.raw
  raw.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' })
  raw.write(': stream open\n\n')
  const keepalive = setInterval(() => { raw.write(': keepalive\n\n') }, SSE_KEEPALIVE_MS)
  const write = async (text: string): Promise<void> => {
    if (!raw.write(text)) await once(raw, 'drain', { signal: controller.signal })
  }
  try {
    for await (const event of events(controller.signal)) {
      await write(`${event.id === undefined ? '' : `id: ${event.id}\n`}event: ${event.event}\ndata: ${JSON.stringify(event.data)}\n\n`)
    }
  } catch (err) {
    if (!controller.signal.aborted || stop.aborted) {
      const problem = problemOf(exposedError(stop.aborted ? stop.reason : err, `SSE ${request.url.split('?')[0] ?? ''}`))
      raw.write(`event: error\ndata: ${JSON.stringify(problem)}\n\n`)
    }
  } finally {
    clearInterval(keepalive)
    request.raw.removeListener('close', abort)
    reply.raw.removeListener('close', abort)
    stop.removeEventListener('abort', abort)
    release()
    raw.end()
  }
}
