/**
 * The outbound side of the protocol towards one peer (SPEC.md §4.1): one long-lived stream,
 * length-prefixed frames, control frames first and then at most one chunk of the body being served,
 * so a large transfer delays announcements by at most one chunk. Writes respect back-pressure (wait
 * for 'drain', with a timeout). Queues are bounded; on any stream failure the queues are dropped: the
 * core's timeouts and anti-entropy recover, which is simpler and safer than replaying.
 */
import type { Stream } from '@libp2p/interface'
import * as lp from 'it-length-prefixed'
import { Uint8ArrayList } from 'uint8arraylist'
import type { Logger } from '../logging/index.ts'
import { MAX_QUEUED_CONTROL_BYTES, MAX_SERVE_JOBS_PER_PEER } from './constants.ts'

/** A body to send to the peer, from `offset` on; the producer advances `offset` and sets `done`. */
export interface ServeJob {
  id: string
  offset: number
  hops: number
  done: boolean
  /** Set by the producer once a chunk of this body failed to compress: incompressible data is not tried again. */
  incompressible?: boolean
}

/** What a channel needs from its owner. */
export interface PeerChannelInit {
  /** Opens a protocol stream to the peer. */
  open: (signal: AbortSignal) => Promise<Stream>
  /** The next chunk frame of a job (advancing it), or undefined when the body is not held. */
  produce: (job: ServeJob) => Promise<Uint8Array | undefined>
  /** Stream open and drain timeout. */
  timeoutMs: number
  /** Counts bytes written. */
  onSent: (bytes: number) => void
  log: Logger
}

/** The outbound channel to one peer. */
export class PeerChannel {
  private readonly init: PeerChannelInit
  private control: Uint8Array[] = []
  private controlBytes = 0
  private jobs: ServeJob[] = []
  private stream: Stream | undefined
  private pumping = false
  private closed = false

  constructor (init: PeerChannelInit) {
    this.init = init
  }

  /** Queues a control frame; false (dropped) if the queue is full or the channel closed. */
  sendControl (frame: Uint8Array): boolean {
    if (this.closed || this.controlBytes + frame.length > MAX_QUEUED_CONTROL_BYTES) return false
    this.control.push(frame)
    this.controlBytes += frame.length
    void this.pump()
    return true
  }

  /** Queues a body to serve; false (dropped) if too many are queued or the channel closed. */
  serve (job: ServeJob): boolean {
    if (this.closed || this.jobs.length >= MAX_SERVE_JOBS_PER_PEER) return false
    this.jobs.push(job)
    void this.pump()
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

  private async pump (): Promise<void> {
    if (this.pumping) return
    this.pumping = true
    try {
      while (!this.closed && (this.control.length > 0 || this.jobs.length > 0)) {
        const stream = await this.openStream()
        const data = await this.next()
        if (data === undefined) continue
        this.init.onSent(data.byteLength)
        if (!stream.send(data)) await this.drained(stream)
      }
    } catch (err) {
      this.init.log.debug({ err }, 'gossip stream failed; dropping queued frames')
      this.stream?.abort(err instanceof Error ? err : new Error('gossip stream failed'))
      this.stream = undefined
      this.drop()
    } finally {
      this.pumping = false
    }
  }

  /** All queued control frames as one write, or else the next chunk of the first job. */
  private async next (): Promise<Uint8ArrayList | undefined> {
    if (this.control.length > 0) {
      const out = new Uint8ArrayList()
      for (const frame of this.control) out.append(lp.encode.single(frame))
      this.control = []
      this.controlBytes = 0
      return out
    }
    const job = this.jobs[0] as ServeJob
    const frame = await this.init.produce(job)
    if (frame === undefined || job.done) this.jobs.shift()
    return frame === undefined ? undefined : lp.encode.single(frame)
  }

  private async openStream (): Promise<Stream> {
    if (this.stream !== undefined && this.stream.writeStatus === 'writable') return this.stream
    const stream = await this.init.open(AbortSignal.timeout(this.init.timeoutMs))
    stream.addEventListener('close', () => { if (this.stream === stream) this.stream = undefined }, { once: true })
    if (this.closed) {
      stream.abort(new Error('gossip channel closed'))
      throw new Error('gossip channel closed')
    }
    this.stream = stream
    return stream
  }

  // libp2p 3: wait on the 'drain' event (onDrain() in @libp2p/utils 7.4.1 resolves only once, COMMON.md).
  private async drained (stream: Stream): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => { cleanup(); reject(new Error('gossip stream did not drain in time')) }, this.init.timeoutMs)
      const onDrain = (): void => { cleanup(); resolve() }
      const onClose = (): void => { cleanup(); reject(new Error('gossip stream closed while draining')) }
      const cleanup = (): void => {
        clearTimeout(timer)
        stream.removeEventListener('drain', onDrain)
        stream.removeEventListener('close', onClose)
      }
      stream.addEventListener('drain', onDrain)
      stream.addEventListener('close', onClose)
    })
  }
}
