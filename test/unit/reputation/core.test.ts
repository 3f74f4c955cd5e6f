import assert from 'node:assert/strict'
import { describe, it, test } from 'node:test'
import { createRng } from '../../../protocols/common/rng.ts'
import {
  OFFENCES, ReputationCore, banDurationMs, decayed, offenceOfVerdict, rememberedBans, type ReputationAction
} from '../../../protocols/reputation/index.ts'

const T0 = 1_700_000_000_000
const MIN = 60_000
const types = (actions: ReputationAction[]): string[] => actions.map(a => a.type)

describe('reputation core', () => {
  it('graylists, then disconnects, then bans as invalid messages accumulate', () => {
    const core = new ReputationCore()
    const seen: string[][] = []
    for (let i = 0; i < 10; i++) seen.push(types(core.penalise('P', 'invalid_message', T0 + i))) // a millisecond apart: still adds up
    assert.deepEqual(seen, [[], [], ['graylist'], [], [], ['disconnect'], ['disconnect'], ['disconnect'], ['disconnect'], ['ban']])
    assert.equal(core.isGraylisted('P', T0), true)
    assert.equal(core.isGraylisted('Q', T0), false)
  })

  it('the ban carries the offence, its duration and the repeat count; no second ban while banned', () => {
    const core = new ReputationCore({ weights: { invalid_message: 100 } as never })
    const [ban] = core.penalise('P', 'invalid_message', T0).filter(a => a.type === 'ban')
    assert.deepEqual(ban, { type: 'ban', peer: 'P', offence: 'invalid_message', score: 100, durationMs: 10 * MIN, count: 1 })
    assert.deepEqual(core.penalise('P', 'invalid_message', T0 + 1), [])
  })

  it('a second ban after the first expired lasts twice as long, a third four times', () => {
    const core = new ReputationCore({ weights: { oversized: 100 } as never })
    const durations: number[] = []
    let now = T0
    for (let i = 0; i < 3; i++) {
      const ban = core.penalise('P', 'oversized', now).find(a => a.type === 'ban')
      assert.ok(ban?.type === 'ban')
      durations.push(ban.durationMs)
      now += ban.durationMs + 1
    }
    assert.deepEqual(durations, [10 * MIN, 20 * MIN, 40 * MIN])
  })

  it('the score decays with the half-life and nothing but time lowers it', () => {
    const core = new ReputationCore()
    core.penalise('P', 'decompression_bomb', T0)
    assert.equal(core.standing('P', T0).score, 50)
    assert.equal(core.standing('P', T0 + 10 * MIN).score, 25)
    assert.equal(core.isGraylisted('P', T0 + 10 * MIN), false)
  })

  it('a restored repeat count makes the next ban longer; forgive() starts the peer over', () => {
    const core = new ReputationCore({ weights: { invalid_message: 100 } as never })
    core.restore('P', { count: 2, lastBanMs: T0 - MIN, bannedUntilMs: T0 - 1 }, T0)
    const ban = core.penalise('P', 'invalid_message', T0).find(a => a.type === 'ban')
    assert.equal(ban?.type === 'ban' && ban.count, 3)
    core.forgive('P')
    assert.deepEqual(core.standing('P', T0), { score: 0, graylisted: false, bans: 0 })
  })

  it('property: decay is monotone non-increasing in time and never negative', () => {
    const rng = createRng(19)
    for (let i = 0; i < 2000; i++) {
      const score = rng.next() * 1000
      const halfLife = 1 + rng.int(1_000_000)
      const a = T0 + rng.int(10_000_000)
      const b = a + rng.int(10_000_000)
      const atA = decayed(score, T0, a, halfLife)
      const atB = decayed(score, T0, b, halfLife)
      assert.ok(atB <= atA && atA <= score && atB >= 0, `score ${score} half-life ${halfLife}`)
    }
  })

  it('property: with random offences and times, the table stays bounded and scores follow offences and decay only', () => {
    const rng = createRng(7)
    const core = new ReputationCore({ maxTracked: 50 })
    let now = T0
    for (let i = 0; i < 20_000; i++) {
      now += rng.int(5_000)
      const peer = `peer-${rng.int(500)}`
      const before = core.standing(peer, now).score
      const offence = rng.pick(OFFENCES)!
      core.penalise(peer, offence, now)
      const after = core.standing(peer, now).score
      assert.ok(core.size <= 50)
      // The new score is the decayed one plus the weight (or the weight alone if the entry was dropped as negligible).
      assert.ok(Math.abs(after - before - core.config.weights[offence]) < 1 || (before < 0.5 && after === core.config.weights[offence]))
      // A later look never sees a higher score without an offence.
      assert.ok(core.standing(peer, now + rng.int(100_000)).score <= after)
    }
  })

  it('property: escalation never shortens a ban and stops at the cap; remembered bans only fall with time', () => {
    const rng = createRng(3)
    for (let i = 0; i < 1000; i++) {
      const base = 1 + rng.int(100_000)
      const max = base * (1 + rng.int(1000))
      let previous = 0
      for (let n = 1; n <= 70; n++) {
        const d = banDurationMs(n, base, max)
        assert.ok(d >= previous && d <= max && Number.isFinite(d))
        previous = d
      }
      const bans = rng.int(20)
      const forget = 1 + rng.int(1_000_000)
      const t1 = T0 + rng.int(10_000_000)
      assert.ok(rememberedBans(bans, T0, t1 + rng.int(10_000_000), forget) <= rememberedBans(bans, T0, t1, forget))
    }
  })

  it('property: once banned, a peer offending again after its ban always gets a ban at least as long', () => {
    const rng = createRng(11)
    for (let run = 0; run < 50; run++) {
      const core = new ReputationCore()
      let now = T0
      let last = 0
      for (let step = 0; step < 200; step++) {
        now += rng.int(60_000)
        const ban = core.penalise('P', rng.pick(OFFENCES)!, now).find(a => a.type === 'ban')
        if (ban?.type !== 'ban') continue
        assert.ok(ban.durationMs >= last)
        last = ban.durationMs
        now += ban.durationMs
      }
    }
  })
})

test('offenceOfVerdict: a reject is an invalid message, an unserved fetch its own offence, anything else none', () => {
  assert.equal(offenceOfVerdict('reject', 'tx-id-mismatch'), 'invalid_message')
  assert.equal(offenceOfVerdict('ignore', 'unserved-fetch'), 'unserved_fetch')
  assert.equal(offenceOfVerdict('ignore', 'inflight-full'), undefined)
  assert.equal(offenceOfVerdict('accept', 'tx-valid'), undefined)
})
