/**
 * Per-client token buckets, shared by the gRPC and REST servers so a client cannot double its
 * allowance by switching transports. A client is its remote IP address. Written here rather than
 * taken from @fastify/rate-limit because one limiter must cover both servers (grpc-js has none).
 * Bounded: at most RATE_LIMIT_MAX_CLIENTS buckets, least recently used evicted first (an evicted
 * client simply starts again with a full bucket).
 */
import { RATE_LIMIT_MAX_CLIENTS } from './constants.ts'
import { ResourceExhaustedError } from './errors.ts'

interface Bucket {
  tokens: number
  updatedMs: number
}

/** Options of a rate limiter. */
export interface RateLimiterInit {
  /** Tokens refilled per second; 0 disables limiting. */
  perSecond: number
  /** Bucket size. */
  burst: number
  /** @default RATE_LIMIT_MAX_CLIENTS */
  maxClients?: number
  /** Clock, for tests. @default performance.now */
  now?: () => number
}

/** Token-bucket rate limiting per client key. */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>()
  private readonly perSecond: number
  private readonly burst: number
  private readonly maxClients: number
  private readonly now: () => number
  private refused = 0

  constructor (init: RateLimiterInit) {
    this.perSecond = init.perSecond
    this.burst = init.burst
    this.maxClients = init.maxClients ?? RATE_LIMIT_MAX_CLIENTS
    this.now = init.now ?? (() => performance.now())
  }

  /** True when limiting is on. */
  get enabled (): boolean {
    return this.perSecond > 0
  }

  /**
   * Takes `cost` tokens for `client`.
   * @throws ResourceExhaustedError (reason rate_limited, retryAfterMs) when the bucket is empty
   */
  take (client: string, cost = 1): void {
    if (!this.enabled) return
    const now = this.now()
    let bucket = this.buckets.get(client)
    if (bucket === undefined) {
      bucket = { tokens: this.burst, updatedMs: now }
      if (this.buckets.size >= this.maxClients) {
        const oldest = this.buckets.keys().next()
        if (oldest.done !== true) this.buckets.delete(oldest.value)
      }
    } else {
      this.buckets.delete(client) // re-inserted below: Map order is our LRU order
      bucket.tokens = Math.min(this.burst, bucket.tokens + (now - bucket.updatedMs) * this.perSecond / 1000)
      bucket.updatedMs = now
    }
    this.buckets.set(client, bucket)
    if (bucket.tokens < cost) {
      this.refused++
      const retryAfterMs = Math.ceil((cost - bucket.tokens) * 1000 / this.perSecond)
      throw new ResourceExhaustedError('rate_limited', `rate limit of ${this.perSecond} requests per second exceeded`, retryAfterMs)
    }
    bucket.tokens -= cost
  }

  /** Requests refused since creation (metrics). */
  get limited (): number {
    return this.refused
  }

  /** Buckets held (for tests and metrics). */
  get size (): number {
    return this.buckets.size
  }
}
