import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { PeerNode, PeerSource, PeerStatus, validatePeerNode } from '../../../protocols/models/index.ts'
import {
  DEFAULT_HEALTH_RULES, LATENCY_EWMA_ALPHA, applyBan, applyDialing, applyFailure, applySuccess, applyUnban,
  isBanActive, latencyPoints, nextLatency, peerScore, removalReason
} from '../../../protocols/peer-health/index.ts'
import { resolveConfig } from '../../../src/config/index.ts'
import { makePeerIds } from '../../helpers/peer-ids.ts'

const [P] = await makePeerIds(1) as [string]
const T0 = 1_700_000_000_000
const RULES = { failureThreshold: 2, removeAfterFailures: 4, removeAfterUnseenMs: 60_000 }

const peer = (over: Partial<PeerNode> = {}): PeerNode => PeerNode.fromPartial({
  peerId: P, status: PeerStatus.PEER_STATUS_UNKNOWN, firstSeenMs: T0, source: PeerSource.PEER_SOURCE_DHT, score: 20, ...over
})

describe('peer-health: transitions', () => {
  it('success: HEALTHY, failures reset, last seen now, latency averaged with alpha 0.3', () => {
    let node = applySuccess(peer({ consecutiveFailures: 2, status: PeerStatus.PEER_STATUS_DEGRADED }), { now: T0 + 10, latencyMs: 100 })
    assert.equal(node.status, PeerStatus.PEER_STATUS_HEALTHY)
    assert.equal(node.consecutiveFailures, 0)
    assert.equal(node.lastSeenMs, T0 + 10)
    assert.equal(node.latencyMs, 100)
    node = applySuccess(node, { now: T0 + 20, latencyMs: 200 })
    assert.equal(LATENCY_EWMA_ALPHA, 0.3)
    assert.ok(Math.abs(node.latencyMs - 130) < 1e-9)
    node = applySuccess(node, { now: T0 + 30 })
    assert.ok(Math.abs(node.latencyMs - 130) < 1e-9, 'no sample, no change')
    assert.deepEqual(validatePeerNode(node), { ok: true })
  })

  it('records a 0 ms sample as 0.1 ms so that 0 keeps meaning "not measured"', () => {
    assert.equal(nextLatency(0, 0), 0.1)
    assert.equal(applySuccess(peer(), { now: T0, latencyMs: 0 }).latencyMs, 0.1)
  })

  it('failure: DEGRADED below the threshold, UNREACHABLE at it; last seen unchanged', () => {
    const seen = applySuccess(peer(), { now: T0 + 5 })
    const once = applyFailure(seen, { now: T0 + 10 }, RULES)
    assert.equal(once.status, PeerStatus.PEER_STATUS_DEGRADED)
    assert.equal(once.consecutiveFailures, 1)
    assert.equal(once.lastSeenMs, T0 + 5)
    const twice = applyFailure(once, { now: T0 + 20 }, RULES)
    assert.equal(twice.status, PeerStatus.PEER_STATUS_UNREACHABLE)
    assert.equal(twice.consecutiveFailures, 2)
    assert.ok(twice.score < once.score && once.score < seen.score)
    const back = applySuccess(twice, { now: T0 + 30 })
    assert.equal(back.status, PeerStatus.PEER_STATUS_HEALTHY)
    assert.equal(back.consecutiveFailures, 0)
  })

  it('an active ban ignores outcomes; an expired one is cleared first', () => {
    const banned = applyBan(peer({ consecutiveFailures: 1 }), { now: T0, reason: 'spam', durationMs: 1000 })
    assert.equal(banned.bannedUntilMs, T0 + 1000)
    assert.equal(banned.score, 0)
    assert.ok(isBanActive(banned, T0 + 999))
    assert.ok(!isBanActive(banned, T0 + 1000))
    assert.equal(applySuccess(banned, { now: T0 + 500 }), banned)
    assert.equal(applyFailure(banned, { now: T0 + 500 }, RULES), banned)
    const after = applyFailure(banned, { now: T0 + 2000 }, RULES)
    assert.equal(after.status, PeerStatus.PEER_STATUS_UNREACHABLE)
    assert.equal(after.consecutiveFailures, 2)
    assert.equal(after.bannedUntilMs, 0)
    assert.equal(after.banReason, '')
  })

  it('ban without duration is indefinite; reasons are bounded; unban starts over as UNKNOWN', () => {
    const banned = applyBan(peer({ status: PeerStatus.PEER_STATUS_HEALTHY }), { now: T0, reason: 'x'.repeat(1000) })
    assert.equal(banned.bannedUntilMs, 0)
    assert.equal(banned.banReason.length, 256)
    assert.ok(isBanActive(banned, Number.MAX_SAFE_INTEGER))
    const unbanned = applyUnban(banned)
    assert.equal(unbanned.status, PeerStatus.PEER_STATUS_UNKNOWN)
    assert.equal(unbanned.banReason, '')
    const healthy = peer({ status: PeerStatus.PEER_STATUS_HEALTHY })
    assert.equal(applyUnban(healthy), healthy)
  })

  it('dialing marks only never-contacted peers CONNECTING', () => {
    assert.equal(applyDialing(peer(), T0).status, PeerStatus.PEER_STATUS_CONNECTING)
    const degraded = peer({ status: PeerStatus.PEER_STATUS_DEGRADED, consecutiveFailures: 1 })
    assert.equal(applyDialing(degraded, T0).status, PeerStatus.PEER_STATUS_DEGRADED)
  })

  it('removal: after N failures or M ms unseen, never while banned', () => {
    assert.equal(removalReason(peer({ consecutiveFailures: 4 }), T0, RULES), 'failures')
    assert.equal(removalReason(peer({ consecutiveFailures: 3 }), T0, RULES), undefined)
    assert.equal(removalReason(peer(), T0 + 59_999, RULES), undefined)
    assert.equal(removalReason(peer(), T0 + 60_000, RULES), 'unseen', 'never seen: counted from first heard of')
    assert.equal(removalReason(peer({ lastSeenMs: T0 + 50_000 }), T0 + 60_000, RULES), undefined)
    const banned = applyBan(peer({ consecutiveFailures: 9 }), { now: T0, reason: 'r', durationMs: 100_000 })
    assert.equal(removalReason(banned, T0 + 99_000, RULES), undefined)
    assert.equal(removalReason(banned, T0 + 100_000, RULES), 'failures')
  })

  it('does not count time before the node started watching as unseen', () => {
    const old = peer({ lastSeenMs: T0 })
    assert.equal(removalReason(old, T0 + 100_000, RULES, T0 + 90_000), undefined)
    assert.equal(removalReason(old, T0 + 150_000, RULES, T0 + 90_000), 'unseen')
    assert.equal(removalReason(peer({ consecutiveFailures: 4 }), T0, RULES, T0), 'failures')
  })

  it('default rules match the configuration defaults', () => {
    const { health } = resolveConfig({})
    assert.deepEqual({ ...DEFAULT_HEALTH_RULES }, {
      failureThreshold: health.failureThreshold, removeAfterFailures: health.removeAfterFailures, removeAfterUnseenMs: health.removeAfterUnseenMs
    })
  })
})

describe('peer-health: per-peer score', () => {
  const score = (status: PeerStatus, latencyMs = 0, consecutiveFailures = 0): number => peerScore({ status, latencyMs, consecutiveFailures })
  it('follows base(status) + 40·100/(100+latency) − 10·failures, clamped to 0..100', () => {
    assert.equal(score(PeerStatus.PEER_STATUS_HEALTHY), 60)
    assert.equal(score(PeerStatus.PEER_STATUS_HEALTHY, 100), 80)
    assert.equal(score(PeerStatus.PEER_STATUS_HEALTHY, 0.1), 99.96)
    assert.equal(score(PeerStatus.PEER_STATUS_DEGRADED, 0, 1), 20)
    assert.equal(score(PeerStatus.PEER_STATUS_DEGRADED, 300, 2), 20)
    assert.equal(score(PeerStatus.PEER_STATUS_UNKNOWN), 20)
    assert.equal(score(PeerStatus.PEER_STATUS_CONNECTING), 20)
    assert.equal(score(PeerStatus.PEER_STATUS_UNREACHABLE, 10, 3), 6.36)
    assert.equal(score(PeerStatus.PEER_STATUS_UNREACHABLE, 0, 5), 0)
    assert.equal(score(PeerStatus.PEER_STATUS_BANNED, 1, 0), 0)
    assert.equal(latencyPoints(0), 0)
    assert.equal(latencyPoints(900), 4)
  })
})
