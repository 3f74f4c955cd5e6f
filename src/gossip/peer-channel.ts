/**
 * The outbound side of the protocol towards one peer (SPEC.md §4.1): one long-lived stream of
 * length-prefixed frames. Frames are not written one by one: whatever was queued for the peer while
 * the event loop was busy goes out as one write when the current turn ends (setImmediate), control
 * frames first, consecutive announcements (inv, getdata, notfound) merged into one message, then
 * small bodies, then at most one large chunk, so a large transfer delays announcements by at most
 * one chunk. Each write costs a Yamux frame, a window update coming back, a Noise seal and open and
 * two socket calls, whatever its size (measured in the gossip benchmark: most of the CPU of a
 * transaction), so fewer, fuller writes make a transaction cheaper; nothing waits longer than the
 * turn of the event loop that produced it.
 *
 * Writes respect back-pressure (wait for 'drain', with a timeout). Queues are bounded; on any
 * stream failure they are dropped: the core's timeouts and anti-entropy recover, which is simpler
 * and safer than replaying.
 */
import type { Stream } from '@libp2p/interface'
import type { GossipMessage } from '../../protocols/tx-gossip/index.ts'
import type { Logger } from '../logging/index.ts'
import { MAX_CHUNK_BYTES, MAX_PUSHED_JOBS_PER_PEER, MAX_QUEUED_CONTROL_BYTES, MAX_SERVE_JOBS_PER_PEER } from './constants.ts'
import { encodeFrames } from './frame-decoder.ts'
import { drained } from './stream-drain.ts'

/** A body to send to the peer, from `offset` on; the producer advances `offset` and sets `done`. */
export interface ServeJob {
  id: string
  offset: number
  hops: number
  done: boolean
  /** Set by the producer once a chunk of this body failed to compress: incompressible data is not tried again. */
  incompressible?: boolean
}

/** The next chunk frame of a job, or undefined when the body is not held; a promise when it must be read or compressed first. */
export type ChunkProduction = Uint8Array | undefined | Promise<Uint8Array | undefined>

/** What a channel needs from its owner. */
export interface PeerChannelInit {
  /** Opens a protocol stream to the peer. */
  open: (signal: AbortSignal) => Promise<Stream>
  /** The next chunk frame of a job (advancing it). Never called again for a job before the previous call settled. */
  produce: (job: ServeJob) => ChunkProduction
  /** Encodes a control message as a frame. */
  encode: (message: GossipMessage) => Uint8Array
  /** Most items merged into one inv, getdata or notfound (the protocol's maxItemsPerMessage). */
  maxItemsPerMessage: number
  /** Stream open and drain timeout. */
  timeoutMs: number
  /** Counts bytes written. */
  onSent: (bytes: number) => void
  /** Called after each write, when serve jobs may have left the queue (the outbound queue refills it). */
  onWritten?: () => void
  log: Logger
}

/** Bodies that fit in this many bytes share one write with the control frames before them. */
const WRITE_BUDGET_BYTES = 64 * 1024

/** Estimated encoded size of a control message, for the queue bound. */
function estimateBytes (message: GossipMessage): number {
  switch (message.type) {
    case 'inv': return 8 + 44 * message.items.length
    case 'getdata': return 8 + 40 * message.items.length
    case 'notfound': return 8 + 34 * message.ids.length
    case 'summary': return 24 + message.filter.bits.length
    case 'tree': return 8 + 4 * (message.graft.length + message.prune.length)
  }
}

/** Appends `next` to `last` if both are the same kind of list and the result stays within `max` items. */
function merge (last: GossipMessage, next: GossipMessage, max: number): GossipMessage | undefined {
  if (last.type === 'inv' && next.type === 'inv' && last.items.length + next.items.length <= max) return { type: 'inv', items: [...last.items, ...next.items] }
  if (last.type === 'getdata' && next.type === 'getdata' && last.items.length + next.items.length <= max) return { type: 'getdata', items: [...last.items, ...next.items] }
  if (last.type === 'notfound' && next.type === 'notfound' && last.ids.length + next.ids.length <= max) return { type: 'notfound', ids: [...last.ids, ...next.ids] }
  return undefined
}

/** The outbound channel to one peer. */
export class PeerChannel {
  private readonly init: PeerChannelInit
  private control: GossipMessage[] = []
  private controlBytes = 0
  private jobs: ServeJob[] = []
  private stream: Stream | undefined
  private scheduled = false
  private writing = false
  private closed = false

  constructor (init: PeerChannelInit) {
    this.init = init
  }

  /** Queues a control message (merged with the previous one when they are alike); false (dropped) if the queue is full or the channel closed. */
  sendControl (message: GossipMessage): boolean {
    const bytes = estimateBytes(message)
    if (this.closed || this.controlBytes + bytes > MAX_QUEUED_CONTROL_BYTES) return false
    const last = this.control.at(-1)
    const merged = last === undefined ? undefined : merge(last, message, this.init.maxItemsPerMessage)
    if (merged !== undefined) this.control[this.control.length - 1] = merged
    else this.control.push(message)
    this.controlBytes += bytes
    this.schedule()
    return true
  }

  /** Bodies queued to be served (at most MAX_SERVE_JOBS_PER_PEER; pushes are added only below MAX_PUSHED_JOBS_PER_PEER). */
  get backlog (): number {
    return this.jobs.length
  }

  /**
   * Queues a body to serve; false (dropped) if the channel is closed or too many are queued: a push
   * (not `requested`) needs the backlog under MAX_PUSHED_JOBS_PER_PEER, a requested body under
   * MAX_SERVE_JOBS_PER_PEER, so that pushes never take the room of the peer's requests.
   */
  serve (job: ServeJob, requested = false): boolean {
    if (this.closed || this.jobs.length >= (requested ? MAX_SERVE_JOBS_PER_PEER : MAX_PUSHED_JOBS_PER_PEER)) return false
    this.jobs.push(job)
    this.schedule()
    return true
  }

  /** Closes the stream and drops the queues. Idempotent. */
  close (): void {
    this.closed = true
    this.drop()
    const stream = this.stream
    this.stream = undefined
    stream?.close().catch(() => stream.abort(new Error('gossip channel closed')))
  }

  private drop (): void {
    this.control = []
    this.controlBytes = 0
    this.jobs = []
  }

  private schedule (): void {
    if (this.scheduled || this.writing) return
    this.scheduled = true
    setImmediate(() => {
      this.scheduled = false
      void this.flush()
    })
  }

  private async flush (): Promise<void> {
    if (this.writing) return
    this.writing = true
    try {
      while (!this.closed && (this.control.length > 0 || this.jobs.length > 0)) {
        const stream = (this.stream !== undefined && this.stream.writeStatus === 'writable') ? this.stream : await this.openStream()
        const frames = this.takeControl()
        const pending = this.takeChunks(frames)
        if (frames.length > 0) await this.write(stream, frames)
        if (pending === undefined) continue
        const frame = await pending.frame
        this.settle(pending.job, frame)
        if (frame !== undefined) await this.write(stream, [frame])
      }
    } catch (err) {
      this.init.log.debug({ err }, 'gossip stream failed; dropping queued frames')
      this.stream?.abort(err instanceof Error ? err : new Error('gossip stream failed'))
      this.stream = undefined
      this.drop()
    } finally {
      this.writing = false
    }
  }

  /** Every queued control message, encoded. */
  private takeControl (): Uint8Array[] {
    const frames = this.control.map(message => this.init.encode(message))
    this.control = []
    this.controlBytes = 0
    return frames
  }

  /**
   * Appends ready chunk frames to `frames` while they fit the write budget (at least one, so a large
   * chunk goes alone after the control frames). Returns the first chunk that is not ready yet: it is
   * awaited after this write, so that no chunk of a body is produced twice or out of order.
   */
  private takeChunks (frames: Uint8Array[]): { job: ServeJob, frame: Promise<Uint8Array | undefined> } | undefined {
    let bytes = frames.reduce((sum, frame) => sum + frame.length, 0)
    let chunks = 0
    while (this.jobs.length > 0 && (chunks === 0 || bytes < WRITE_BUDGET_BYTES)) {
      const job = this.jobs[0] as ServeJob
      const frame = this.init.produce(job)
      if (frame instanceof Promise) return { job, frame }
      this.settle(job, frame)
      if (frame === undefined) continue
      frames.push(frame)
      bytes += frame.length
      chunks++
      if (frame.length >= Math.min(WRITE_BUDGET_BYTES, MAX_CHUNK_BYTES)) break
    }
    return undefined
  }

  /** Retires a job once its body is sent or not held. */
  private settle (job: ServeJob, frame: Uint8Array | undefined): void {
    if (frame !== undefined && !job.done) return
    const at = this.jobs.indexOf(job)
    if (at >= 0) this.jobs.splice(at, 1)
  }

  private async write (stream: Stream, frames: readonly Uint8Array[]): Promise<void> {
    const data = encodeFrames(frames)
    this.init.onSent(data.byteLength)
    if (!stream.send(data)) await drained(stream, this.init.timeoutMs, 'gossip')
    this.init.onWritten?.()
  }

  private async openStream (): Promise<Stream> {
    const stream = await this.init.open(AbortSignal.timeout(this.init.timeoutMs))
    stream.addEventListener('close', () => { if (this.stream === stream) this.stream = undefined }, { once: true })
    if (this.closed) {
      stream.abort(new Error('gossip channel closed'))
      throw new Error('gossip channel closed')
    }
    this.stream = stream
    return stream
  }

}
