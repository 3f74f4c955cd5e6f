/**
 * The outbound side of /sorcha/tx-reconcile/1.0.0 towards one peer: one long-lived stream of
 * length-prefixed frames, opened on demand, written in order with back-pressure (wait for 'drain').
 * Bounded by queued bytes; on a stream failure the queue is dropped (the core's session timeout and
 * the next session recover).
 */
import type { Stream } from '@libp2p/interface'
import type { Logger } from '../../logging/index.ts'
import { encodeFrames } from '../frame-decoder.ts'
import { drained } from '../stream-drain.ts'

/** Frames queued for one peer beyond which new ones are dropped. */
export const MAX_QUEUED_RECONCILE_BYTES = 8 * 1024 * 1024

/** What a channel needs. */
export interface ReconcileChannelInit {
  open: (signal: AbortSignal) => Promise<Stream>
  timeoutMs: number
  onSent: (bytes: number) => void
  log: Logger
}

/** The outbound channel to one peer. */
export class ReconcileChannel {
  private readonly init: ReconcileChannelInit
  private queue: Uint8Array[] = []
  private queued = 0
  private stream: Stream | undefined
  private writing = false
  private closed = false

  constructor (init: ReconcileChannelInit) {
    this.init = init
  }

  /** Queues a frame; false (dropped) if the queue is full or the channel closed. */
  send (frame: Uint8Array): boolean {
    if (this.closed || this.queued + frame.length > MAX_QUEUED_RECONCILE_BYTES) return false
    this.queue.push(frame)
    this.queued += frame.length
    void this.flush()
    return true
  }

  /** Closes the stream and drops the queue. Idempotent. */
  close (): void {
    this.closed = true
    this.queue = []
    this.queued = 0
    const stream = this.stream
    this.stream = undefined
    stream?.close().catch(() => stream.abort(new Error('reconcile channel closed')))
  }

  private async flush (): Promise<void> {
    if (this.writing) return
    this.writing = true
    try {
      while (!this.closed && this.queue.length > 0) {
        const stream = this.stream?.writeStatus === 'writable' ? this.stream : await this.openStream()
        const frames = this.queue
        this.queue = []
        this.queued = 0
        const data = encodeFrames(frames)
        this.init.onSent(data.byteLength)
        if (!stream.send(data)) await drained(stream, this.init.timeoutMs, 'reconcile')
      }
    } catch (err) {
      this.init.log.debug({ err }, 'reconcile stream failed; dropping queued frames')
      this.stream?.abort(err instanceof Error ? err : new Error('reconcile stream failed'))
      this.stream = undefined
      this.queue = []
      this.queued = 0
    } finally {
      this.writing = false
    }
  }

  private async openStream (): Promise<Stream> {
    const stream = await this.init.open(AbortSignal.timeout(this.init.timeoutMs))
    stream.addEventListener('close', () => { if (this.stream === stream) this.stream = undefined }, { once: true })
    if (this.closed) {
      stream.abort(new Error('reconcile channel closed'))
      throw new Error('reconcile channel closed')
    }
    this.stream = stream
    return stream
  }

}
