/** The dashboard's login codes and sessions (src/dashboard/auth.ts) and its chart arithmetic (series.ts, rows.ts). */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { ApiToken } from '../../../src/gateway/api-token.ts'
import { DashboardAuth, LOGIN_CODE_TTL_MS, MAX_SESSIONS, SESSION_COOKIE, SESSION_TTL_MS, makeLoginCode } from '../../../src/dashboard/auth.ts'
import { peerRows } from '../../../src/dashboard/rows.ts'
import { chartPoint, quantileMs } from '../../../src/dashboard/series.ts'
import type { NodeStats } from '../../../protos/gen/sorcha/api/v1/admin.ts'
import type { ConnectedPeer } from '../../../protos/gen/sorcha/api/v1/admin.ts'
import type { PeerNode } from '../../../protocols/models/index.ts'

const T0 = 1_800_000_000_000

describe('dashboard login codes and sessions', () => {
  it('accepts a code made with the token once, before it expires', () => {
    const auth = new DashboardAuth(new ApiToken('the-token'))
    const code = makeLoginCode('the-token', T0)
    assert.equal(auth.redeemCode(code, T0 + 1000), true)
    assert.equal(auth.redeemCode(code, T0 + 2000), false, 'used twice')
    assert.equal(auth.redeemCode(makeLoginCode('the-token', T0), T0 + LOGIN_CODE_TTL_MS + 1), false, 'expired')
    assert.equal(auth.redeemCode(makeLoginCode('another-token', T0), T0 + 1000), false, 'another token')
    const [expires, nonce, sig] = makeLoginCode('the-token', T0).split('.') as [string, string, string]
    assert.equal(auth.redeemCode(`${(parseInt(expires, 36) + 60_000).toString(36)}.${nonce}.${sig}`, T0 + 1000), false, 'expiry changed')
    assert.equal(auth.redeemCode(makeLoginCode('the-token', T0, 24 * 3600_000), T0 + 1000), false, 'a code valid for too long')
    for (const junk of ['', 'a.b', 'x'.repeat(300), 'zz.zz.zz']) assert.equal(auth.redeemCode(junk, T0), false, junk)
  })

  it('opens sessions that its cookie carries, which expire and are bounded in number', () => {
    const auth = new DashboardAuth(new ApiToken('the-token'))
    const id = auth.openSession(T0)
    assert.equal(auth.hasSession(`a=b; ${SESSION_COOKIE}=${id}`, T0 + 1), true)
    assert.equal(auth.hasSession(`${SESSION_COOKIE}=${id}x`, T0 + 1), false)
    assert.equal(auth.hasSession(undefined, T0 + 1), false)
    assert.equal(auth.hasSession(`${SESSION_COOKIE}=${id}`, T0 + SESSION_TTL_MS + 1), false)
    const first = auth.openSession(T0)
    for (let i = 0; i < MAX_SESSIONS; i++) auth.openSession(T0)
    assert.equal(auth.hasSession(`${SESSION_COOKIE}=${first}`, T0 + 1), false, 'the oldest was dropped')
    assert.match(auth.cookie(id, true), /; HttpOnly; SameSite=Strict; Max-Age=\d+; Secure$/)
  })

  it('needs nothing without a token', () => {
    const auth = new DashboardAuth(new ApiToken(''))
    assert.equal(auth.required, false)
    assert.equal(auth.hasSession(undefined), true)
  })
})

describe('dashboard charts and rows', () => {
  it('estimates quantiles from a cumulative histogram as histogram_quantile does', () => {
    const buckets: Array<[number, number]> = [[0.1, 50], [0.5, 90], [1, 100], [Infinity, 100]]
    assert.equal(quantileMs(buckets, 0.5), 100)
    assert.equal(quantileMs(buckets, 0.9), 500)
    assert.ok(Math.abs(quantileMs(buckets, 0.7)! - 300) < 1e-9)
    assert.equal(quantileMs([[0.1, 0], [Infinity, 0]], 0.5), null)
  })

  it('turns counters into rates between two readings, and percentiles over the window', () => {
    const stats = { inboundConnections: 1, outboundConnections: 2, healthScore: 80, queue: { depth: 3 } } as unknown as NodeStats
    const before = { atMs: T0, txIn: 10, txOut: 4, bytesIn: 1000, bytesOut: 0, receipt: [[0.1, 5], [Infinity, 5]] as Array<[number, number]> }
    const now = { atMs: T0 + 2000, txIn: 30, txOut: 4, bytesIn: 5000, bytesOut: 0, receipt: [[0.1, 9], [Infinity, 10]] as Array<[number, number]> }
    const p = chartPoint(now, before, stats)
    assert.deepEqual([p.conns, p.health, p.txIn, p.txOut, p.bytesIn, p.queue], [3, 80, 10, 0, 2000, 3])
    assert.equal(p.p50, 62.5)
    assert.equal(chartPoint(now, undefined, stats).txIn, 0)
  })

  it('joins known and connected peers; a connected peer\'s fresher status and score win', () => {
    const known = new Map([['a', { peerId: 'a', status: 2, score: 60, latencyMs: 3, lastSeenMs: T0, banReason: '', bannedUntilMs: 0, capabilities: { registers: ['r1', 'r2'], allRegisters: false } } as unknown as PeerNode],
      ['b', { peerId: 'b', status: 5, score: 0, latencyMs: 0, lastSeenMs: T0, banReason: 'spam', bannedUntilMs: 0, capabilities: { registers: [], allRegisters: true } } as unknown as PeerNode]])
    const connected = [{ peerId: 'a', status: 3, score: 40, protocols: ['/x'], connections: [{ direction: 'inbound', rttMs: 0 }] },
      { peerId: 'c', status: 0, score: -1, protocols: [], connections: [{ direction: 'outbound', rttMs: 7.6 }, { direction: 'inbound', rttMs: 0 }] }] as unknown as ConnectedPeer[]
    const rows = peerRows(['a', 'b', 'c', 'a'], known, connected)
    assert.deepEqual(rows.map(r => [r.id, r.status, r.up, r.dir, r.lat, r.score]), [['a', 'degraded', true, 'inbound', 3, 40], ['b', 'banned', false, '', 0, 0], ['c', 'connected', true, 'both', 8, -1]])
    assert.deepEqual(rows[1]!.ban, { reason: 'spam', untilMs: 0 })
    assert.deepEqual(rows.map(r => r.regs), [['r1', 'r2'], ['*'], []], 'the registers each serves: listed, every one, not known')
  })
})
