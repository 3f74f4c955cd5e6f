/** The admin operations' failures, each with its reason and message, over a fake node (unit level). */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { PeerNode, PeerStatus } from '../../../protocols/models/index.ts'
import { AdminOperations } from '../../../src/admin/operations.ts'
import type { AdminNode, AdminPeerList, ConnectionView } from '../../../src/admin/parts.ts'
import { takeDisconnectReason } from '../../../src/events/disconnect-reasons.ts'
import { durationFlag } from '../../../src/cli/commands/admin.ts'
import { resetAllSubsystemLevels, setSubsystemLevel } from '../../../src/logging/levels.ts'
import { makePeerIds } from '../../helpers/peer-ids.ts'

const [SELF, OTHER] = await makePeerIds(2) as [string, string]

function fakeNode (overrides: Partial<AdminNode> = {}): AdminNode {
  return {
    peerId: SELF, startedAtMs: Date.now(), version: 'test',
    connections: () => [],
    dial: async () => { throw Object.assign(new Error('x'), { name: 'NoValidAddressesError' }) },
    hangUp: async () => {},
    peerInfo: async () => undefined,
    listenAddrs: () => [], multiaddrs: () => [], protocols: () => [],
    ...overrides
  }
}

const list = (entry: PeerNode | undefined, banResult?: PeerNode): AdminPeerList => ({
  get: async () => entry, ban: async () => banResult, unban: async () => entry, countByStatus: () => ({ unknown: 0, connecting: 0, healthy: 0, degraded: 0, unreachable: 0, banned: 0 }), size: () => 0
})

/** Asserts a failure's name, reason and exact message. */
async function fails (work: () => unknown, name: string, reason: string, message: string): Promise<void> {
  await assert.rejects(async () => { await work() }, (err: Error & { reason?: string }) => {
    assert.deepEqual([err.name, err.reason, err.message], [name, reason, message])
    return true
  })
}

describe('admin operations: failure lines', () => {
  const addr = `/ip4/127.0.0.1/tcp/4001/p2p/${OTHER}`

  it('dial: itself, a banned peer, a suspended node, a timeout, a failure', async () => {
    await fails(() => new AdminOperations(fakeNode()).dialPeer(`/ip4/127.0.0.1/tcp/1/p2p/${SELF}`), 'InvalidArgumentError', 'dial_self', 'the multiaddr names this node itself')
    await fails(() => new AdminOperations(fakeNode()).dialPeer('/ip4/127.0.0.1/tcp/1/p2p/nope'), 'InvalidArgumentError', 'invalid_multiaddr', 'the multiaddr\'s /p2p/ part is not a libp2p peer id')
    const banned = PeerNode.fromPartial({ peerId: OTHER, status: PeerStatus.PEER_STATUS_BANNED })
    await fails(() => new AdminOperations(fakeNode({ peerList: list(banned) })).dialPeer(addr), 'FailedPreconditionError', 'peer_banned', `peer ${OTHER} is banned: unban it first (sorcha-peer admin unban)`)
    const suspended = { status: () => ({ state: 'suspended' as const, reason: 'operator_suspend', sinceMs: 0, note: '', connectedPeers: 0, minConnections: 1 }) }
    await fails(() => new AdminOperations(fakeNode({ connectivity: suspended })).dialPeer(addr), 'UnavailableError', 'node_suspended', 'this node is offline (suspended by its operator): sorcha-peer online resumes it')
    const hanging = fakeNode({ dial: async (_a, o) => await new Promise((_resolve, reject) => { o?.signal?.addEventListener('abort', () => { reject(new Error('aborted')) }) }) })
    await fails(() => new AdminOperations(hanging, { dialTimeoutMs: 20 }).dialPeer(addr), 'DeadlineExceededError', 'dial_timeout', `no connection to ${addr} within 20 ms`)
    await fails(() => new AdminOperations(fakeNode()).dialPeer(addr), 'UnavailableError', 'dial_failed', `dialing ${addr} failed (NoValidAddressesError)`)
  })

  it('ban: itself, a bad reason or duration, no peer list, a refused ban; unban of a peer that is not banned', async () => {
    const ops = new AdminOperations(fakeNode({ peerList: list(undefined, undefined) }))
    await fails(() => ops.banPeer(SELF, '', 0), 'InvalidArgumentError', 'ban_self', 'a node cannot ban itself')
    await fails(() => ops.banPeer(OTHER, 'x'.repeat(201), 0), 'InvalidArgumentError', 'invalid_reason', 'reason is 201 characters; at most 200 are allowed')
    await fails(() => ops.banPeer(OTHER, 'a\tb', 0), 'InvalidArgumentError', 'invalid_reason', 'reason must not contain control characters (line breaks, tabs...)')
    await fails(() => ops.banPeer(OTHER, '', -1), 'InvalidArgumentError', 'invalid_duration', 'durationMs must be 0 (until unbanned) or at most 315360000000 (10 years)')
    await fails(() => ops.banPeer(OTHER, '', 0), 'UnavailableError', 'ban_refused', `the peer list did not take the ban of ${OTHER}`)
    await fails(() => new AdminOperations(fakeNode()).banPeer(OTHER, '', 0), 'UnavailableError', 'peer_list_unavailable', 'this node runs without the peer_list service')
    await fails(() => ops.unbanPeer(OTHER), 'NotFoundError', 'peer_not_banned', `peer ${OTHER} is not banned`)
    await fails(() => new AdminOperations(undefined).stats(), 'UnavailableError', 'libp2p_unavailable', 'this node runs without the libp2p service')
  })

  it('disconnect of a peer without a connection; disconnect notes and closes', async () => {
    await fails(() => new AdminOperations(fakeNode()).disconnectPeer(OTHER), 'NotFoundError', 'peer_not_connected', `peer ${OTHER} has no open connection to this node`)
    const closed: string[] = []
    const conn = { status: 'open', remotePeer: peerIdFromString(OTHER), remoteAddr: multiaddr('/ip4/127.0.0.1/tcp/1'), direction: 'inbound', streams: [], timeline: { open: 1 }, id: 'c' } as unknown as ConnectionView
    const ops = new AdminOperations(fakeNode({ connections: () => [conn], hangUp: async id => { closed.push(id.toString()) } }))
    assert.deepEqual(await ops.disconnectPeer(OTHER), { connectionsClosed: 1 })
    assert.deepEqual(closed, [OTHER])
    assert.equal(takeDisconnectReason(OTHER), 'admin')
  })

  it('log levels: default without a subsystem, too many subsystems', () => {
    const ops = new AdminOperations(undefined)
    assert.throws(() => ops.setLogLevel('default', ''), { name: 'InvalidArgumentError', reason: 'invalid_log_level', message: 'level default applies to a subsystem only; give one, or a level for the whole node' })
    try {
      for (let i = 0; i < 64; i++) setSubsystemLevel(`sorcha:s${i}`, 'info')
      assert.throws(() => ops.setLogLevel('debug', 'sorcha:one-more'), { name: 'InvalidArgumentError', reason: 'invalid_subsystem', message: 'at most 64 subsystems may have their own level; reset one first' })
      assert.equal(ops.setLogLevel('debug', 'sorcha:s3').subsystems.length, 64, 'changing one that has a level is allowed')
    } finally {
      resetAllSubsystemLevels()
    }
  })

  it('the CLI\'s --duration', () => {
    assert.deepEqual(['0', '250', '90s', '30m', '2h', '7d', '5ms'].map(durationFlag), [0, 250, 90_000, 1_800_000, 7_200_000, 604_800_000, 5])
    assert.throws(() => durationFlag('5x'), { message: 'must be a whole number with a unit: ms, s, m, h or d (e.g. 30m, 7d); 0 = until unbanned' })
    assert.throws(() => durationFlag('99999999999999999d'), { message: 'is too long' })
  })
})
