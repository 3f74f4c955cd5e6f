import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { configSchema } from '../../../src/config/index.ts'
import { PeerLimits, THROTTLE_MSG } from '../../../src/limits/peer-limits.ts'
import { createRootLogger } from '../../../src/logging/index.ts'
import type { Offence } from '../../../src/reputation/port.ts'

function setup (limits: Record<string, unknown>): { limits: PeerLimits, offences: string[], lines: Array<Record<string, unknown>>, clock: { now: number } } {
  const offences: string[] = []
  const lines: Array<Record<string, unknown>> = []
  const clock = { now: 0 }
  const log = createRootLogger({ level: 'info', format: 'json', destination: { write: (s: string) => { lines.push(JSON.parse(s) as Record<string, unknown>) } } })
  const config = configSchema.parse({ limits }).limits
  const reputation = { penalise: (peer: string, offence: Offence) => { offences.push(`${peer}:${offence}`) }, isGraylisted: () => false }
  return { limits: new PeerLimits({ reputation }, { config, now: () => clock.now, log }), offences, lines, clock }
}

describe('per-peer limits service', () => {
  it('throttles per peer and per protocol, counts refusals by protocol, reports and logs once per episode', () => {
    const { limits, offences, lines, clock } = setup({ direct: { ratePerSec: 1, burst: 2 }, streams: { ratePerSec: 1, burst: 1 } })
    assert.deepEqual([1, 2, 3, 4].map(() => limits.allow('direct', 'flooder')), [true, true, false, false])
    assert.equal(limits.allow('direct', 'honest'), true)
    assert.equal(limits.allow('streams', 'flooder'), true) // its own bucket per protocol
    assert.equal(limits.allow('streams', 'flooder'), false)
    assert.deepEqual(offences, ['flooder:rate_limited', 'flooder:stream_storm'])
    assert.deepEqual(lines.map(l => [l.level, l.msg, l.peer, l.protocol, l.offence]), [
      [30, THROTTLE_MSG, 'flooder', 'direct', 'rate_limited'],
      [30, THROTTLE_MSG, 'flooder', 'streams', 'stream_storm']
    ])
    assert.equal(limits.throttled().direct, 2)
    assert.equal(limits.throttled().streams, 1)
    assert.equal(limits.throttled().tx_gossip_announce, 0)
    // Items cost one token each: an inventory larger than the bucket is refused whole.
    assert.equal(limits.allow('tx_gossip_announce', 'p', 200_001), false)
    // Quiet long enough to refill: a new flood is a new episode, reported again.
    clock.now = 60_000
    assert.deepEqual([1, 2, 3].map(() => limits.allow('direct', 'flooder')), [true, true, false])
    assert.equal(offences.filter(o => o === 'flooder:rate_limited').length, 2)
  })

  it('works without a reputation service', () => {
    const config = configSchema.parse({ limits: { peerExchange: { ratePerSec: 0.5, burst: 1 } } }).limits
    const limits = new PeerLimits({}, { config, now: () => 0 })
    assert.equal(limits.allow('peer_exchange', 'p'), true)
    assert.equal(limits.allow('peer_exchange', 'p'), false)
  })

  it('validates the limits section at the edge: a bucket needs a positive rate and burst', () => {
    for (const bad of [{ direct: { burst: 0 } }, { streams: { ratePerSec: 0 } }, { gossipAnnounce: { burst: 1.5 } }, { maxPeers: 1 }, { unknown: {} }]) {
      assert.equal(configSchema.safeParse({ limits: bad }).success, false, JSON.stringify(bad))
    }
    const defaults = configSchema.parse({}).limits
    assert.deepEqual(defaults.gossipAnnounce, { ratePerSec: 50_000, burst: 200_000 })
    assert.deepEqual(defaults.streams, { ratePerSec: 200, burst: 1000 })
  })
})
