import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createRng } from '../../../protocols/common/rng.ts'
import type { PeerNode} from '../../../protocols/models/index.ts';
import {
  MODEL_LIMITS, PeerRole, PeerSource, PeerStatus, validatePeerNode, type PeerCapabilities
} from '../../../protocols/models/index.ts'
import {
  applyBan, applyFailure, cleanAddresses, mergeObservation, type Observation
} from '../../../protocols/peer-health/index.ts'
import { makePeerIds } from '../../helpers/peer-ids.ts'

const [SELF, P, Q, R] = await makePeerIds(4) as [string, string, string, string]
const T0 = 1_700_000_000_000
const RULES = { failureThreshold: 3 }

const obs = (over: Partial<Observation> = {}): Observation => ({
  peerId: P, addresses: ['/ip4/10.0.0.1/tcp/4100'], source: PeerSource.PEER_SOURCE_DHT, firsthand: false, learnedFrom: Q, now: T0, ...over
})

function merged (existing: PeerNode | undefined, o: Observation): PeerNode {
  const result = mergeObservation(existing, o, SELF)
  assert.ok(result.ok, 'merge refused')
  assert.deepEqual(validatePeerNode(result.node), { ok: true })
  return result.node
}

/** A peer seen firsthand at T0, then failing `failures` times. */
function failingPeer (failures: number): PeerNode {
  let node = merged(undefined, obs({ firsthand: true, source: PeerSource.PEER_SOURCE_INBOUND }))
  for (let i = 0; i < failures; i++) node = applyFailure(node, { now: T0 + 1000 * (i + 1) }, RULES)
  return node
}

describe('peer-health: observations', () => {
  it('creates an UNKNOWN, never-seen record from hearsay', () => {
    const node = merged(undefined, obs())
    assert.equal(node.status, PeerStatus.PEER_STATUS_UNKNOWN)
    assert.equal(node.lastSeenMs, 0)
    assert.equal(node.firstSeenMs, T0)
    assert.equal(node.learnedFrom, Q)
    assert.equal(node.source, PeerSource.PEER_SOURCE_DHT)
    assert.equal(node.score, 20)
  })

  it('creates a HEALTHY, seen record from a firsthand observation', () => {
    const node = merged(undefined, obs({ firsthand: true, source: PeerSource.PEER_SOURCE_INBOUND }))
    assert.equal(node.status, PeerStatus.PEER_STATUS_HEALTHY)
    assert.equal(node.lastSeenMs, T0)
    assert.equal(node.learnedFrom, '')
    assert.equal(node.score, 60)
  })

  it('refuses the node itself, invalid peer ids and invalid times', () => {
    assert.deepEqual(mergeObservation(undefined, obs({ peerId: SELF }), SELF), { ok: false, reason: 'self' })
    assert.deepEqual(mergeObservation(undefined, obs({ peerId: 'not-a-peer' }), SELF), { ok: false, reason: 'invalid-peer-id' })
    assert.deepEqual(mergeObservation(undefined, obs({ now: Number.NaN }), SELF), { ok: false, reason: 'invalid-time' })
  })

  it('hearsay never resets failures, status or last-seen (the .NET bug)', () => {
    const failing = failingPeer(4)
    assert.equal(failing.status, PeerStatus.PEER_STATUS_UNREACHABLE)
    const after = merged(failing, obs({ now: T0 + 60_000, addresses: ['/ip4/10.9.9.9/tcp/1'] }))
    assert.equal(after.consecutiveFailures, 4)
    assert.equal(after.status, PeerStatus.PEER_STATUS_UNREACHABLE)
    assert.equal(after.lastSeenMs, T0)
    assert.equal(after.score, failing.score)
    assert.ok(after.addresses.includes('/ip4/10.9.9.9/tcp/1'), 'the new address is merged')
  })

  it('hearsay never lifts a ban, active or expired; firsthand keeps an active ban', () => {
    const banned = applyBan(failingPeer(1), { now: T0 + 5000, reason: 'spam', durationMs: 10_000 })
    for (const now of [T0 + 6000, T0 + 60_000]) {
      const after = merged(banned, obs({ now }))
      assert.equal(after.status, PeerStatus.PEER_STATUS_BANNED)
      assert.equal(after.bannedUntilMs, T0 + 15_000)
      assert.equal(after.consecutiveFailures, 1)
    }
    const contacted = merged(banned, obs({ firsthand: true, now: T0 + 6000, addresses: ['/ip4/10.1.1.1/tcp/2'] }))
    assert.equal(contacted.status, PeerStatus.PEER_STATUS_BANNED)
    assert.equal(contacted.lastSeenMs, T0)
    assert.equal(contacted.addresses[0], '/ip4/10.1.1.1/tcp/2')
  })

  it('a firsthand observation after a ban expired counts as a success', () => {
    const banned = applyBan(failingPeer(2), { now: T0 + 5000, reason: 'spam', durationMs: 10_000 })
    const after = merged(banned, obs({ firsthand: true, now: T0 + 20_000 }))
    assert.equal(after.status, PeerStatus.PEER_STATUS_HEALTHY)
    assert.equal(after.consecutiveFailures, 0)
    assert.equal(after.bannedUntilMs, 0)
    assert.equal(after.banReason, '')
    assert.equal(after.lastSeenMs, T0 + 20_000)
  })

  it('a firsthand observation resets failures and marks the peer seen', () => {
    const after = merged(failingPeer(4), obs({ firsthand: true, now: T0 + 60_000 }))
    assert.equal(after.status, PeerStatus.PEER_STATUS_HEALTHY)
    assert.equal(after.consecutiveFailures, 0)
    assert.equal(after.lastSeenMs, T0 + 60_000)
  })

  it('keeps addresses newest first, bounded by maxAddresses', () => {
    const many = Array.from({ length: 40 }, (_, i) => `/ip4/10.0.${i}.1/tcp/4100`)
    let node = merged(undefined, obs({ addresses: many.slice(0, 20) }))
    node = merged(node, obs({ addresses: many.slice(20), now: T0 + 1 }))
    assert.equal(node.addresses.length, MODEL_LIMITS.maxAddresses)
    assert.deepEqual(node.addresses.slice(0, 20), many.slice(20))
    assert.deepEqual(node.addresses.slice(20), many.slice(0, 12))
  })

  it('hearsay about a peer seen firsthand only fills free address slots', () => {
    const own = Array.from({ length: 30 }, (_, i) => `/ip4/10.1.${i}.1/tcp/1`)
    const claimed = Array.from({ length: 10 }, (_, i) => `/ip4/10.2.${i}.1/tcp/1`)
    let node = merged(undefined, obs({ firsthand: true, addresses: own }))
    node = merged(node, obs({ addresses: claimed, now: T0 + 1 }))
    assert.deepEqual(node.addresses, [...own, ...claimed.slice(0, 2)])
  })

  it('cleans addresses: own suffix stripped, junk, other peers and duplicates dropped, relays kept', () => {
    const relay = `/ip4/10.0.0.9/tcp/1/p2p/${R}/p2p-circuit`
    assert.deepEqual(cleanAddresses(P, [
      `/ip4/10.0.0.1/tcp/1/p2p/${P}`, '/ip4/10.0.0.1/tcp/1', 'garbage', '', `/ip4/10.0.0.2/tcp/1/p2p/${R}`,
      relay, '/ip4/10.0.0.3/tcp/1' + '/x'.repeat(300)
    ]), ['/ip4/10.0.0.1/tcp/1', relay])
  })

  it('capabilities: firsthand replaces, hearsay only fills in, invalid ones are ignored', () => {
    const theirs = { protocols: ['/sorcha/a/1'], registers: [], roles: [PeerRole.PEER_ROLE_RELAY], maxTransactionBytes: 0, recordSeq: 0, allRegisters: false }
    const claimed = { protocols: ['/evil/1'], registers: [], roles: [], maxTransactionBytes: 0, recordSeq: 0, allRegisters: false }
    let node = merged(undefined, obs({ capabilities: { ...theirs, protocols: ['no-slash'] } }))
    assert.equal(node.capabilities, undefined)
    node = merged(node, obs({ capabilities: claimed }))
    assert.deepEqual(node.capabilities, claimed)
    node = merged(node, obs({ firsthand: true, capabilities: theirs }))
    assert.deepEqual(node.capabilities, theirs)
    node = merged(node, obs({ capabilities: claimed }))
    assert.deepEqual(node.capabilities, theirs)
    node = merged(node, obs({ firsthand: true, capabilities: { protocols: ['/sorcha/b/1'], registers: [], roles: [], maxTransactionBytes: 0, recordSeq: 0, allRegisters: false } }))
    assert.deepEqual(node.capabilities, { ...theirs, protocols: ['/sorcha/b/1'] }, 'empty fields keep what was known')
  })

  it('keeps where it first learned of the peer, upgrading only an unknown source', () => {
    let node = merged(undefined, obs({ source: PeerSource.PEER_SOURCE_UNKNOWN, learnedFrom: undefined }))
    node = merged(node, obs({ source: PeerSource.PEER_SOURCE_PEER_EXCHANGE, learnedFrom: R }))
    assert.equal(node.source, PeerSource.PEER_SOURCE_PEER_EXCHANGE)
    assert.equal(node.learnedFrom, R)
    node = merged(node, obs({ source: PeerSource.PEER_SOURCE_DHT, learnedFrom: Q }))
    assert.equal(node.source, PeerSource.PEER_SOURCE_PEER_EXCHANGE)
    assert.equal(node.learnedFrom, R)
    const selfTold = merged(undefined, obs({ learnedFrom: P }))
    assert.equal(selfTold.learnedFrom, '')
  })

  it('always yields a valid record, whatever sequence of observations arrives', () => {
    const rng = createRng(7)
    let node: PeerNode | undefined
    for (let i = 0; i < 500; i++) {
      const addresses = Array.from({ length: rng.int(6) }, () => rng.pick(['/ip4/1.2.3.4/tcp/1', `/ip6/::${rng.int(50)}/tcp/2`, 'bad', `/dns4/x${rng.int(9)}/tcp/3/p2p/${P}`])!)
      node = merged(node, obs({ addresses, firsthand: rng.next() < 0.3, now: T0 + i * 10, source: rng.int(6) as PeerSource }))
      if (rng.next() < 0.2) node = applyFailure(node, { now: T0 + i * 10 }, RULES)
    }
  })
})

describe('peer-health: advertised registers (issue 20)', () => {
  const caps = (over: Partial<PeerCapabilities> = {}): PeerCapabilities => ({ protocols: [], registers: [], allRegisters: false, roles: [], maxTransactionBytes: 0, recordSeq: 0, ...over })

  it('a full record (the peer\'s own advertisement) replaces registers and roles even when empty; identify keeps them', () => {
    let node = merged(undefined, obs({ firsthand: true, fullRecord: true, capabilities: caps({ registers: ['r1', 'r2'], roles: [PeerRole.PEER_ROLE_RELAY] }) }))
    node = merged(node, obs({ firsthand: true, capabilities: caps({ protocols: ['/sorcha/a/1'] }) }))
    assert.deepEqual(node.capabilities, caps({ protocols: ['/sorcha/a/1'], registers: ['r1', 'r2'], roles: [PeerRole.PEER_ROLE_RELAY] }), 'identify says nothing of registers')
    node = merged(node, obs({ firsthand: true, fullRecord: true, capabilities: caps({ allRegisters: true }) }))
    assert.deepEqual(node.capabilities, caps({ protocols: ['/sorcha/a/1'], allRegisters: true }), 'now serves every register and no longer relays')
  })

  it('hearsay fills in unknown registers; of a peer never seen firsthand a newer report replaces an older one; never what the peer said itself', () => {
    let node = merged(undefined, obs())
    node = merged(node, obs({ capabilities: caps({ registers: ['r1'] }) }))
    assert.deepEqual(node.capabilities?.registers, ['r1'])
    node = merged(node, obs({ capabilities: caps({ registers: ['r2'] }) }))
    assert.deepEqual(node.capabilities?.registers, ['r2'], 'hearsay over hearsay')
    node = merged(node, obs({ capabilities: caps({ protocols: ['/x/1'] }) }))
    assert.deepEqual(node.capabilities?.registers, ['r2'], 'a report without registers changes nothing')
    node = merged(node, obs({ firsthand: true, fullRecord: true, capabilities: caps({ registers: ['r3'] }) }))
    node = merged(node, obs({ capabilities: caps({ registers: ['r4'], allRegisters: false }) }))
    assert.deepEqual(node.capabilities?.registers, ['r3'], 'what the peer said itself wins')
  })

  it('an invalid record is ignored: a bad id, duplicates, or every register together with a list', () => {
    for (const bad of [caps({ registers: ['no spaces'] }), caps({ registers: ['r1', 'r1'] }), caps({ registers: ['r1'], allRegisters: true })]) {
      const node = merged(undefined, obs({ firsthand: true, fullRecord: true, capabilities: bad }))
      assert.equal(node.capabilities, undefined)
    }
  })

  it('keeps no record version: it orders a peer\'s own records in transit only (topology SPEC §8)', () => {
    const own = merged(undefined, obs({ firsthand: true, fullRecord: true, capabilities: caps({ registers: ['reg-a'], recordSeq: 7 }) }))
    assert.deepEqual(own.capabilities, caps({ registers: ['reg-a'] }))
    const heard = merged(own, obs({ capabilities: caps({ registers: ['reg-b'], recordSeq: 9 }) }))
    assert.equal(heard.capabilities?.recordSeq, 0)
  })
})
