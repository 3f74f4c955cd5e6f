/**
 * Token buckets per peer (issue 19 item 1): pure, with time passed in, so the node and the simulator
 * use the same code (docs/conventions.md §2).
 *
 * Own code rather than a library: a token bucket is a dozen lines, and the rate-limit packages on npm
 * (rate-limiter-flexible, limiter, bottleneck) read the clock themselves, use timers or promises, and
 * bring stores and queues we do not want on a per-message hot path nor in a deterministic simulator.
 */

/** A bucket's shape: it holds at most `burst` tokens and refills `ratePerSec` per second. */
export interface BucketLimit {
  /** Tokens added per second (may be fractional). */
  ratePerSec: number
  /** Most tokens held (and the size of a burst allowed after a quiet period). */
  burst: number
}

/** One token bucket. `now` is milliseconds on any non-decreasing clock. */
export class TokenBucket {
  private tokens: number
  private at: number
  private readonly limit: BucketLimit

  constructor (limit: BucketLimit, now: number) {
    this.limit = limit
    this.tokens = limit.burst
    this.at = now
  }

  /** Takes `cost` tokens if there are that many (after refilling to `now`); false leaves the bucket as it was. */
  take (now: number, cost = 1): boolean {
    this.refill(now)
    if (this.tokens < cost) return false
    this.tokens -= cost
    return true
  }

  /** Tokens held at `now`. */
  available (now: number): number {
    this.refill(now)
    return this.tokens
  }

  /** True once the bucket is full again at `now` (the peer has been quiet for long enough). */
  full (now: number): boolean {
    return this.available(now) >= this.limit.burst
  }

  private refill (now: number): void {
    if (now <= this.at) return
    this.tokens = Math.min(this.limit.burst, this.tokens + (now - this.at) * this.limit.ratePerSec / 1000)
    this.at = now
  }
}

/** The verdict on one message or stream from a peer. */
export type LimitVerdict =
  /** Within the peer's budget. */
  | 'allow'
  /** Over budget: drop or refuse it. */
  | 'throttle'
  /** Over budget, and the first time in this throttle episode: drop it, and report the peer once. */
  | 'throttle-first'

/**
 * One token bucket per peer for one protocol, in an LRU of at most `maxPeers` peers (the least
 * recently seen is forgotten first, with its bucket: a forgotten peer starts again with a full one,
 * which is the bound's price). A throttle episode starts at the first refusal and ends when the
 * peer's bucket has refilled completely (or, if it never does, after `episodeMs`); `take` says
 * `throttle-first` once per episode so that the caller reports the peer once, not per message.
 */
export class PeerLimiter<P = string> {
  private readonly buckets = new Map<P, { bucket: TokenBucket, throttled: boolean, reportedAt: number }>()
  private readonly limit: BucketLimit
  private readonly maxPeers: number
  private readonly episodeMs: number
  /** Messages refused since creation. */
  throttled = 0

  /**
   * `episodeMs`: a throttle episode that goes on (the peer never lets its bucket refill) counts as a
   * new one after this long, so a sustained flood is reported every `episodeMs`, not once.
   */
  constructor (limit: BucketLimit, maxPeers: number, episodeMs = 10_000) {
    this.limit = limit
    this.maxPeers = maxPeers
    this.episodeMs = episodeMs
  }

  /** Peers tracked. */
  get size (): number {
    return this.buckets.size
  }

  /** Takes `cost` tokens from `peer`'s bucket at `now`. */
  take (peer: P, now: number, cost = 1): LimitVerdict {
    let entry = this.buckets.get(peer)
    if (entry === undefined) {
      entry = { bucket: new TokenBucket(this.limit, now), throttled: false, reportedAt: now }
      if (this.buckets.size >= this.maxPeers) this.buckets.delete(this.buckets.keys().next().value as P)
    } else {
      this.buckets.delete(peer)
    }
    this.buckets.set(peer, entry)
    if (entry.throttled && entry.bucket.full(now)) entry.throttled = false
    if (entry.bucket.take(now, cost)) return 'allow'
    this.throttled++
    if (entry.throttled && now - entry.reportedAt < this.episodeMs) return 'throttle'
    entry.throttled = true
    entry.reportedAt = now
    return 'throttle-first'
  }

  /** Forgets `peer` (it disconnected for good, or was banned). */
  forget (peer: P): void {
    this.buckets.delete(peer)
  }
}
