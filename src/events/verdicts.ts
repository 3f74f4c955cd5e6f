/**
 * Verdicts without a flood (docs/events.md "peer_verdict"): every reject and ignore is recorded, up to
 * VERDICT_EVENTS_PER_WINDOW per window (the rest are counted and reported in one summary event);
 * accepts, one per message received, are only counted and reported as one summary per window.
 */
import type { EventSink, VerdictInput } from './types.ts'

export type { VerdictInput } from './types.ts'

/** Length of a verdict window. */
export const VERDICT_WINDOW_MS = 60_000
/** Most reject/ignore verdicts recorded one by one per window. */
export const VERDICT_EVENTS_PER_WINDOW = 100

/** Samples verdicts into events. */
export class VerdictSampler {
  private windowStart: number
  private accepts = 0
  private readonly acceptPeers = new Set<string>()
  private recorded = 0
  private suppressed = 0
  private readonly sink: EventSink
  private readonly clock: () => number

  constructor (sink: EventSink, clock: () => number) {
    this.sink = sink
    this.clock = clock
    this.windowStart = clock()
  }

  /** Takes one verdict. */
  add (verdict: VerdictInput): void {
    const now = this.clock()
    if (now - this.windowStart >= VERDICT_WINDOW_MS) this.summarize(now)
    if (verdict.verdict === 'accept') {
      this.accepts++
      if (this.acceptPeers.size < 1024) this.acceptPeers.add(verdict.peer)
      return
    }
    if (this.recorded >= VERDICT_EVENTS_PER_WINDOW) {
      this.suppressed++
      return
    }
    this.recorded++
    this.sink.emit('peer_verdict', { peerId: verdict.peer, reason: verdict.code, data: { verdict: verdict.verdict } })
  }

  /** Reports the window so far (accepts and suppressed verdicts) and starts a new one. */
  summarize (now = this.clock()): void {
    if (this.accepts > 0) this.sink.emit('peer_verdict', { reason: 'accepted', data: { verdict: 'accept', count: this.accepts, peers: this.acceptPeers.size, windowMs: now - this.windowStart } })
    if (this.suppressed > 0) this.sink.emit('peer_verdict', { reason: 'suppressed', data: { verdict: 'reject_or_ignore', count: this.suppressed, windowMs: now - this.windowStart } })
    this.accepts = 0
    this.acceptPeers.clear()
    this.recorded = 0
    this.suppressed = 0
    this.windowStart = now
  }

  /** Reports what is left. */
  stop (): void {
    this.summarize()
  }
}
