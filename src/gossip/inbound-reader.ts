/**
 * The inbound side of the protocol (SPEC.md §4.1): splits a stream into length-prefixed frames
 * (`LengthPrefixedDecoder`, frames above MAX_FRAME_BYTES are an error) and hands them, one at a time
 * and in order, to an async handler. When more than MAX_INBOUND_QUEUED_BYTES wait, the stream is
 * paused, which stops the muxer's window updates and so applies back-pressure to the sender.
 */
import type { Stream } from '@libp2p/interface'
import { LengthPrefixedDecoder } from '@libp2p/utils'
import { MAX_FRAME_BYTES } from './constants.ts'

/** Bytes of undecoded frames queued before the stream is paused. */
export const MAX_INBOUND_QUEUED_BYTES = 4 * MAX_FRAME_BYTES

/** Reads frames from `stream` until it closes. `onOversized` is called (once) if a frame is too large. */
export function readFrames (stream: Stream, onFrame: (frame: Uint8Array) => Promise<void>, onOversized: () => void): void {
  const decoder = new LengthPrefixedDecoder({ maxDataLength: MAX_FRAME_BYTES, maxBufferSize: 2 * MAX_FRAME_BYTES })
  const queue: Uint8Array[] = []
  let queued = 0
  let processing = false
  let paused = false

  const drain = async (): Promise<void> => {
    if (processing) return
    processing = true
    try {
      while (queue.length > 0) {
        const frame = queue.shift() as Uint8Array
        queued -= frame.length
        await onFrame(frame).catch(() => {}) // the handler turns bad input into verdicts; never let one frame stop the rest
        if (paused && queued < MAX_INBOUND_QUEUED_BYTES / 2) {
          paused = false
          if (stream.readStatus === 'paused') stream.resume()
        }
      }
    } finally {
      processing = false
    }
  }

  // We never write on an inbound stream: once the sender closes its side, the stream is done.
  stream.addEventListener('remoteCloseWrite', () => { stream.close().catch(() => {}) })
  stream.addEventListener('message', (evt) => {
    try {
      for (const frame of decoder.decode(evt.data)) {
        const bytes = frame.subarray()
        queue.push(bytes)
        queued += bytes.length
      }
    } catch {
      onOversized()
      stream.abort(new Error('gossip frame too large'))
      return
    }
    if (!paused && queued > MAX_INBOUND_QUEUED_BYTES && stream.readStatus === 'readable') {
      paused = true
      stream.pause()
    }
    void drain()
  })
}
