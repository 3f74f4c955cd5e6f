import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { PeerLimiter, TokenBucket } from '../../../protocols/common/token-bucket.ts'

describe('token bucket', () => {
  it('allows a burst, then the refill rate, and never more than the burst after a quiet period', () => {
    const bucket = new TokenBucket({ ratePerSec: 10, burst: 5 }, 0)
    for (let i = 0; i < 5; i++) assert.equal(bucket.take(0), true)
    assert.equal(bucket.take(0), false)
    assert.equal(bucket.take(99), false) // 0.99 tokens
    assert.equal(bucket.take(100), true)
    assert.equal(bucket.available(100_000), 5)
    assert.equal(bucket.take(100_000, 6), false)
    assert.equal(bucket.available(100_000), 5) // a refused take costs nothing
  })

  it('never goes back in time', () => {
    const bucket = new TokenBucket({ ratePerSec: 1000, burst: 2 }, 1000)
    bucket.take(1000, 2)
    assert.equal(bucket.take(500), false)
    assert.equal(bucket.available(1001), 1)
  })
})

describe('per-peer limiter', () => {
  it('throttles one peer without touching another, and reports once per episode', () => {
    const limiter = new PeerLimiter({ ratePerSec: 1, burst: 2 }, 10, 10_000)
    assert.deepEqual([0, 0, 0, 0].map(() => limiter.take('flooder', 0)), ['allow', 'allow', 'throttle-first', 'throttle'])
    assert.equal(limiter.take('honest', 0), 'allow')
    assert.equal(limiter.throttled, 2)
    // Still flooding after episodeMs: reported again.
    let verdicts: string[] = []
    for (let t = 100; t <= 10_100; t += 100) verdicts.push(limiter.take('flooder', t))
    assert.equal(verdicts.filter(v => v === 'throttle-first').length, 1)
    // Quiet until the bucket is full: the episode is over, and a new flood is a new episode.
    verdicts = [30_000, 30_000, 30_000].map(t => limiter.take('flooder', t))
    assert.deepEqual(verdicts, ['allow', 'allow', 'throttle-first'])
  })

  it('keeps at most maxPeers buckets, forgetting the least recently seen', () => {
    const limiter = new PeerLimiter<number>({ ratePerSec: 1, burst: 1 }, 3)
    for (let peer = 0; peer < 100; peer++) limiter.take(peer, 0)
    assert.equal(limiter.size, 3)
    assert.equal(limiter.take(97, 0), 'throttle-first') // 97 is now the most recent; 98 the least
    limiter.take(1000, 0)
    assert.equal(limiter.take(97, 0), 'throttle') // remembered: its bucket is empty, same episode
    assert.equal(limiter.take(98, 0), 'allow') // forgotten: a fresh bucket
    limiter.forget(99)
    assert.equal(limiter.size, 3)
  })
})
