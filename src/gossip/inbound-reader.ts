/**
 * The inbound side of the protocol (SPEC.md §4.1): splits a stream into length-prefixed frames
 * (FrameDecoder; frames above MAX_FRAME_BYTES are an error) and hands them, one at a time and in
 * order, to a handler. The handler runs synchronously unless it returns a promise (a compressed
 * chunk being inflated), in which case the frames behind it wait for it. When more than
 * MAX_INBOUND_QUEUED_BYTES wait, the stream is paused, which stops the muxer's window updates and
 * so applies back-pressure to the sender.
 */
import type { Stream } from '@libp2p/interface'
import { MAX_FRAME_BYTES } from './constants.ts'
import { FrameDecoder, FrameTooLargeError } from './frame-decoder.ts'

/** Bytes of undecoded frames queued before the stream is paused. */
export const MAX_INBOUND_QUEUED_BYTES = 4 * MAX_FRAME_BYTES

/** Handles one frame; a returned promise holds back the frames behind it until it settles. */
export type FrameHandler = (frame: Uint8Array) => void | Promise<void>

/**
 * Reads frames from `stream` until it closes. `onOversized` is called (once) if a frame is larger
 * than `maxFrameBytes` (below 2^28).
 */
export function readFrames (stream: Stream, onFrame: FrameHandler, onOversized: () => void, maxFrameBytes = MAX_FRAME_BYTES): void {
  const decoder = new FrameDecoder(maxFrameBytes)
  const queue: Uint8Array[] = []
  let head = 0
  let queued = 0
  let processing = false
  let paused = false

  const resumeIfDrained = (): void => {
    if (paused && queued < MAX_INBOUND_QUEUED_BYTES / 2) {
      paused = false
      if (stream.readStatus === 'paused') stream.resume()
    }
  }

  const drain = (): void => {
    if (processing) return
    processing = true
    while (head < queue.length) {
      const frame = queue[head++] as Uint8Array
      queued -= frame.length
      let pending: void | Promise<void> = undefined
      try {
        pending = onFrame(frame)
      } catch {
        // the handler turns bad input into verdicts; never let one frame stop the rest
      }
      resumeIfDrained()
      if (pending instanceof Promise) {
        pending.catch(() => {}).finally(() => {
          processing = false
          drain()
        })
        return
      }
    }
    queue.length = 0
    head = 0
    processing = false
  }

  // We never write on an inbound stream: once the sender closes its side, the stream is done.
  stream.addEventListener('remoteCloseWrite', () => { stream.close().catch(() => {}) })
  stream.addEventListener('message', (evt) => {
    const data = evt.data instanceof Uint8Array ? evt.data : evt.data.subarray()
    let frames: Uint8Array[]
    let oversized = false
    try {
      frames = decoder.decode(data)
    } catch (err) {
      // The frames before the bad prefix are handled as they would be had the muxer cut there.
      frames = err instanceof FrameTooLargeError ? err.frames : []
      oversized = true
    }
    for (const frame of frames) {
      queue.push(frame)
      queued += frame.length
    }
    if (oversized) {
      onOversized()
      stream.abort(new Error('gossip frame too large'))
      drain()
      return
    }
    if (!paused && queued > MAX_INBOUND_QUEUED_BYTES && stream.readStatus === 'readable') {
      paused = true
      stream.pause()
    }
    drain()
  })
}
