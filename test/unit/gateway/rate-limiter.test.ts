import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { RateLimiter } from '../../../src/gateway/rate-limiter.ts'

describe('rate limiter', () => {
  it('allows a burst, then the per-second rate, per client', () => {
    let now = 0
    const limiter = new RateLimiter({ perSecond: 10, burst: 3, now: () => now })
    for (let i = 0; i < 3; i++) limiter.take('a')
    assert.throws(() => { limiter.take('a') }, (err: Error & { retryAfterMs?: number }) => err.name === 'ResourceExhaustedError' && err.retryAfterMs === 100)
    limiter.take('b') // another client has its own bucket
    now = 100
    limiter.take('a')
    assert.throws(() => { limiter.take('a') }, { name: 'ResourceExhaustedError' })
  })

  it('is off at 0 per second, and keeps at most maxClients buckets', () => {
    const off = new RateLimiter({ perSecond: 0, burst: 1 })
    for (let i = 0; i < 100; i++) off.take('a')
    assert.equal(off.enabled, false)
    const limiter = new RateLimiter({ perSecond: 1, burst: 1, maxClients: 2, now: () => 0 })
    limiter.take('a')
    limiter.take('b')
    limiter.take('c') // evicts a, the least recently used
    assert.equal(limiter.size, 2)
    limiter.take('a') // a starts again with a full bucket
    assert.throws(() => { limiter.take('a') }, { name: 'ResourceExhaustedError' })
  })
})
