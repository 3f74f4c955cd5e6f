import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createRng } from '../../../../protocols/common/rng.ts'
import { createReconcileCore, type Range, type ReconcileEffect, type ReconcileMessage, type SessionOpen } from '../../../../protocols/reconcile/index.ts'
import { randomItems } from './harness.ts'

const NOW = 1_800_000_000_000
const DAY = 86_400_000
const OPEN: SessionOpen = { scope: '*', since: NOW - 2 * DAY, until: NOW - 1000, key: [1, 2, 3, 4] }
const ID = 'ab'.repeat(32)

/** A responder core with 5,000 items and a peer 'x' that says whatever a test makes it say. */
function victim (config = {}) {
  const core = createReconcileCore(config, createRng(1))
  core.handle({ type: 'load', now: NOW, items: randomItems(createRng(2), 5000, NOW - DAY, NOW - 60_000) })
  core.handle({ type: 'peer-up', now: NOW, peer: 'x', outbound: false })
  let now = NOW
  const say = (message: ReconcileMessage, dt = 2000): Array<ReconcileEffect> => { now += dt; return core.handle({ type: 'message', now, from: 'x', message }) }
  return { core, say }
}

const verdicts = (effects: ReconcileEffect[]): string[] => effects.flatMap(e => e.type === 'verdict' ? [`${e.verdict}:${e.code}`] : [])
const sent = (effects: ReconcileEffect[]): ReconcileMessage[] => effects.flatMap(e => e.type === 'send' ? [e.message] : [])
const opening = (ranges: Range[], session = 1, open: SessionOpen = OPEN): ReconcileMessage => ({ type: 'ranges', session, initiator: true, open, ranges })
const fp = (upper?: { ts: number, prefix: string }): Range => ({ mode: 'fingerprint', upper, count: 1, fingerprint: '0123456789abcdef' })

describe('reconciliation core: hostile and malformed messages become verdicts', () => {
  const cases: Array<[string, ReconcileMessage, string]> = [
    ['a key of three words', opening([fp()], 1, { ...OPEN, key: [1, 2, 3] as unknown as SessionOpen['key'] }), 'reject:bad-open'],
    ['since after until', opening([fp()], 1, { ...OPEN, since: NOW, until: NOW - 5 }), 'reject:bad-open'],
    ['a scope that is no register id', opening([fp()], 1, { ...OPEN, scope: '../etc' }), 'reject:bad-open'],
    ['no ranges', opening([]), 'reject:bad-ranges'],
    ['a bound on the last range', opening([fp({ ts: NOW - DAY, prefix: '' })]), 'reject:bad-ranges'],
    ['a missing bound before the last range', opening([fp(), fp()]), 'reject:bad-ranges'],
    ['decreasing bounds', opening([fp({ ts: NOW - DAY, prefix: '' }), fp({ ts: NOW - 2 * DAY + 5, prefix: '' }), fp()]), 'reject:bad-ranges'],
    ['a bound past until', opening([fp({ ts: NOW, prefix: '' }), fp()]), 'reject:bad-ranges'],
    ['an odd-length prefix', opening([fp({ ts: NOW - DAY, prefix: 'abc' }), fp()]), 'reject:bad-ranges'],
    ['a fingerprint of the wrong length', opening([{ mode: 'fingerprint', count: 3, fingerprint: 'abc' }]), 'reject:bad-fingerprint'],
    ['a negative count', opening([{ mode: 'fingerprint', count: -1, fingerprint: '0123456789abcdef' }]), 'reject:bad-fingerprint'],
    ['an id that is not 64 hex digits', opening([{ mode: 'ids', items: [{ id: 'zz', size: 3 }] }]), 'reject:bad-item'],
    ['a negative size', opening([{ mode: 'ids', items: [{ id: ID, size: -4 }] }]), 'reject:bad-item'],
    ['an unknown mode', opening([{ mode: 'explode' } as unknown as Range]), 'reject:bad-ranges'],
    ['too many ranges', opening([...Array.from({ length: 2048 }, (_, i) => fp({ ts: NOW - 2 * DAY + 1 + i, prefix: '' })), fp()]), 'reject:too-many-ranges'],
    ['too many items', opening([{ mode: 'ids', items: Array.from({ length: 8193 }, () => ({ id: ID, size: 1 })) }]), 'reject:too-many-items'],
    ['ranges for a session that does not exist', { type: 'ranges', session: 77, initiator: true, ranges: [fp()] }, 'ignore:unknown-session'],
    ['an answer to a session this node never opened', { type: 'ranges', session: 77, initiator: false, ranges: [fp()] }, 'ignore:unknown-session'],
    ['a refusal of a session this node never opened', { type: 'refuse', session: 5, reason: 'busy' }, 'ignore:unexpected-refuse']
  ]
  for (const [what, message, expected] of cases) {
    it(`${what}: ${expected}`, () => {
      const { say } = victim()
      assert.deepEqual(verdicts(say(message)), [expected])
    })
  }

  it('a second opening of a running session is rejected and ends it', () => {
    const { core, say } = victim()
    say(opening([fp()]))
    assert.deepEqual(verdicts(say(opening([fp()]))), ['reject:bad-open'])
    assert.equal(core.stats().sessionsFailed, 1)
  })

  it('refuses sessions it does not serve, sessions too close together, and sessions beyond its limit', () => {
    const scoped = victim({ scopes: ['reg-a'] })
    assert.deepEqual(sent(scoped.say(opening([fp()]))), [{ type: 'refuse', session: 1, reason: 'not-served' }])
    const busy = victim({ maxInboundSessions: 1, minInboundGapMs: 0 })
    assert.equal(sent(busy.say(opening([fp()], 1)))[0]?.type, 'ranges')
    assert.deepEqual(sent(busy.say(opening([fp()], 2))), [{ type: 'refuse', session: 2, reason: 'busy' }])
    const eager = victim({ minInboundGapMs: 10_000 })
    for (let session = 1; session <= 4; session++) assert.equal(sent(eager.say(opening([fp()], session)))[0]?.type, 'ranges')
    const again = eager.say(opening([fp()], 5))
    assert.deepEqual(verdicts(again), ['ignore:session-too-frequent'])
    assert.deepEqual(sent(again), [{ type: 'refuse', session: 5, reason: 'too-frequent' }])
    // One more token after minInboundGapMs.
    assert.equal(sent(eager.say(opening([fp()], 6), 10_000))[0]?.type, 'ranges')
  })

  it('abandons a session that never converges after maxRounds messages', () => {
    const { core, say } = victim({ maxRounds: 5 })
    let out = say(opening([fp()]))
    for (let i = 0; i < 10 && verdicts(out).length === 0; i++) out = say({ type: 'ranges', session: 1, initiator: true, ranges: [fp()] })
    assert.deepEqual(verdicts(out), ['ignore:too-many-rounds'])
    assert.equal(core.stats().sessionsFailed, 1)
  })

  it('answers even the largest message within its own bounds', () => {
    const { say, core } = victim()
    const ranges = [...Array.from({ length: 2047 }, (_, i) => fp({ ts: NOW - DAY + i * 20_000, prefix: '' })), fp()]
    const [answer] = sent(say(opening(ranges)))
    assert.equal(answer?.type, 'ranges')
    if (answer?.type !== 'ranges') return
    assert.ok(answer.ranges.length <= core.config.maxRangesPerMessage)
    const items = answer.ranges.reduce((n, r) => n + (r.mode === 'ids' || r.mode === 'have' ? r.items.length : 0), 0)
    assert.ok(items <= core.config.maxItemsPerMessage)
  })

  it('never throws on random garbage, and judges it with bounded codes only', () => {
    const rng = createRng(99)
    const junk = (depth = 0): unknown => {
      const pick = depth > 3 ? 1 + rng.int(2) : rng.int(8)
      if (pick === 0) return undefined
      if (pick === 1) return rng.int(1e9) - 5e8
      if (pick === 2) return 'x'.repeat(rng.int(80))
      if (pick === 3) return [junk(depth + 1), junk(depth + 1)]
      if (pick === 4) return { mode: ['skip', 'ids', 'have', 'fingerprint', 'nope'][rng.int(5)], upper: rng.int(2) === 0 ? undefined : { ts: junk(depth + 1), prefix: junk(depth + 1) }, items: rng.int(2) === 0 ? junk(depth + 1) : [{ id: junk(depth + 1), size: junk(depth + 1) }], count: junk(depth + 1), fingerprint: junk(depth + 1) }
      if (pick === 5) return { scope: junk(depth + 1), since: junk(depth + 1), until: junk(depth + 1), key: junk(depth + 1) }
      return null
    }
    const allowed = new Set(['bad-open', 'bad-ranges', 'too-many-items', 'too-many-ranges', 'bad-item', 'bad-fingerprint', 'unknown-session', 'too-many-rounds', 'session-too-frequent', 'unexpected-refuse'])
    const { say } = victim({ minInboundGapMs: 0 })
    for (let i = 0; i < 3000; i++) {
      const message = rng.int(4) === 0
        ? { type: 'refuse', session: junk(), reason: junk() }
        : { type: 'ranges', session: rng.int(3), initiator: rng.int(2) === 0, open: rng.int(2) === 0 ? junk() : { ...OPEN }, ranges: rng.int(3) === 0 ? junk() : [junk(), junk(), { mode: 'skip' }] }
      let effects: ReconcileEffect[] = []
      assert.doesNotThrow(() => { effects = say(message as ReconcileMessage, 1) }, `message ${i}`)
      for (const e of effects) if (e.type === 'verdict') assert.ok(allowed.has(e.code), e.code)
    }
  })
})
