import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createRng } from '../../../protocols/common/rng.ts'
import { PeerNode, PeerSource, PeerStatus } from '../../../protocols/models/index.ts'
import {
  applyBan, chooseEviction, median, networkHealth, selectHealthSample, withScore
} from '../../../protocols/peer-health/index.ts'
import { makePeerIds } from '../../helpers/peer-ids.ts'

const IDS = await makePeerIds(8)
const id = (i: number): string => IDS[i]!
const T0 = 1_700_000_000_000

const peer = (i: number, over: Partial<PeerNode> = {}): PeerNode => withScore(PeerNode.fromPartial({
  peerId: id(i), status: PeerStatus.PEER_STATUS_HEALTHY, firstSeenMs: T0, lastSeenMs: T0 + 1000 * i, source: PeerSource.PEER_SOURCE_DHT, ...over
}))
const ids = (nodes: PeerNode[]): string[] => nodes.map(n => n.peerId)

describe('peer-health: health-check sample', () => {
  it('takes the stalest first, bounded by the sample size, skipping active bans', () => {
    const nodes = [peer(3), peer(1), applyBan(peer(0), { now: T0, reason: 'x' }), peer(2), peer(4, { lastSeenMs: 0, firstSeenMs: T0 + 500 })]
    assert.deepEqual(ids(selectHealthSample(nodes, { now: T0 + 10_000, size: 3 })), [id(4), id(1), id(2)])
    assert.equal(selectHealthSample(nodes, { now: T0, size: 0 }).length, 0)
  })

  it('a peer checked recently goes to the back even if its last-seen is old', () => {
    const nodes = [peer(1), peer(2), peer(3)]
    const checked = new Map([[id(1), T0 + 9000]])
    assert.deepEqual(ids(selectHealthSample(nodes, { now: T0 + 10_000, size: 3, lastCheckedMs: p => checked.get(p) })), [id(2), id(3), id(1)])
  })

  it('includes a peer whose ban expired', () => {
    const expired = applyBan(peer(1), { now: T0, reason: 'x', durationMs: 10 })
    assert.deepEqual(ids(selectHealthSample([expired], { now: T0 + 11, size: 1 })), [id(1)])
  })

  it('breaks ties by peer id, or by the seeded Rng reproducibly', () => {
    const tied = [5, 2, 7, 1].map(i => peer(i, { lastSeenMs: T0 }))
    assert.deepEqual(ids(selectHealthSample(tied, { now: T0, size: 4 })), [...ids(tied)].sort())
    const a = ids(selectHealthSample(tied, { now: T0, size: 4, rng: createRng(42) }))
    const b = ids(selectHealthSample(tied, { now: T0, size: 4, rng: createRng(42) }))
    assert.deepEqual(a, b)
    assert.deepEqual([...a].sort(), [...ids(tied)].sort())
  })
})

describe('peer-health: eviction', () => {
  const newcomer = peer(7, { status: PeerStatus.PEER_STATUS_UNKNOWN, lastSeenMs: 0, firstSeenMs: T0 + 100_000 })
  const now = T0 + 100_000

  it('evicts by status rank first: unreachable, degraded, unknown, healthy', () => {
    const unreachable = peer(1, { status: PeerStatus.PEER_STATUS_UNREACHABLE, consecutiveFailures: 3 })
    const degraded = peer(2, { status: PeerStatus.PEER_STATUS_DEGRADED, consecutiveFailures: 1 })
    const unknown = peer(3, { status: PeerStatus.PEER_STATUS_UNKNOWN, lastSeenMs: 0 })
    const healthy = peer(4, { latencyMs: 500 })
    assert.equal(chooseEviction([healthy, unknown, degraded, unreachable], newcomer, now)?.peerId, id(1))
    assert.equal(chooseEviction([healthy, unknown, degraded], newcomer, now)?.peerId, id(2))
    assert.equal(chooseEviction([healthy, unknown], newcomer, now)?.peerId, id(3))
  })

  it('within a rank, the lowest score, then the stalest goes', () => {
    const slow = peer(1, { latencyMs: 900 })
    const fast = peer(2, { latencyMs: 5 })
    const healthyNewcomer = peer(7, { lastSeenMs: now, latencyMs: 10 })
    assert.equal(chooseEviction([fast, slow], healthyNewcomer, now)?.peerId, id(1))
    const older = peer(3, { status: PeerStatus.PEER_STATUS_UNKNOWN, lastSeenMs: 0, firstSeenMs: T0 })
    const newer = peer(4, { status: PeerStatus.PEER_STATUS_UNKNOWN, lastSeenMs: 0, firstSeenMs: T0 + 50 })
    assert.equal(chooseEviction([newer, older], newcomer, now)?.peerId, id(3))
  })

  it('never evicts a peer under an active ban, and refuses a newcomer worth no more than the rest', () => {
    const banned = [1, 2, 3].map(i => applyBan(peer(i, { status: PeerStatus.PEER_STATUS_UNREACHABLE }), { now: T0, reason: 'x' }))
    assert.equal(chooseEviction(banned, newcomer, now), undefined)
    assert.equal(chooseEviction([peer(4), peer(5)], newcomer, now), undefined, 'hearsay never displaces a healthy peer')
    const expired = applyBan(peer(6), { now: T0, reason: 'x', durationMs: 5 })
    assert.equal(chooseEviction([...banned, peer(4), expired], newcomer, now)?.peerId, id(6))
    assert.equal(chooseEviction([peer(4)], applyBan(newcomer, { now, reason: 'x' }), now), undefined)
  })
})

describe('peer-health: network health score', () => {
  const base = { connections: 8, minConnections: 8, healthy: 10, degraded: 0, unreachable: 0, latenciesMs: [20, 50, 80] }

  it('is 100 for a well-connected node whose peers are all healthy and fast', () => {
    assert.equal(networkHealth(base).score, 100)
  })

  it('is 0 without any connection, whatever the list says', () => {
    assert.equal(networkHealth({ ...base, connections: 0 }).score, 0)
  })

  it('weighs connectivity 0.4, reachability 0.4 and latency 0.2', () => {
    const h = networkHealth({ connections: 4, minConnections: 8, healthy: 3, degraded: 2, unreachable: 1, latenciesMs: [400, 550, 700] })
    assert.equal(h.connectivity, 0.5)
    assert.equal(h.reachability, 0.5)
    assert.equal(h.medianLatencyMs, 550)
    assert.equal(h.latency, 0.5)
    assert.equal(h.score, 50)
    assert.equal(networkHealth({ ...base, latenciesMs: [2000] }).score, 80)
    assert.equal(networkHealth({ ...base, healthy: 0, unreachable: 5 }).score, 60)
  })

  it('leaves latency out when nothing was measured, and treats a zero target as one', () => {
    const h = networkHealth({ ...base, minConnections: 0, connections: 1, healthy: 1, degraded: 1, latenciesMs: [] })
    assert.equal(h.latency, undefined)
    assert.equal(h.connectivity, 1)
    assert.equal(h.score, 75)
    assert.equal(networkHealth({ ...base, healthy: 0 }).reachability, 0)
  })

  it('uses the median RTT', () => {
    assert.equal(median([]), undefined)
    assert.equal(median([5, 1, 3]), 3)
    assert.equal(median([4, 1, 3, 2]), 2.5)
  })
})
