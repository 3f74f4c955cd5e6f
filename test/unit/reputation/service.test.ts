import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { TypedEventEmitter } from 'main-event'
import type { PeerId } from '@libp2p/interface'
import { PeerNode, PeerStatus } from '../../../protocols/models/index.ts'
import { takeDisconnectReason } from '../../../src/events/disconnect-reasons.ts'
import { ReputationService } from '../../../src/reputation/index.ts'
import type { PeerListEvents } from '../../../src/peers/types.ts'
import { makePeerIds } from '../../helpers/peer-ids.ts'

const [P, Q] = await makePeerIds(2) as [string, string]
const T0 = 1_700_000_000_000

/** A peer list that records bans (or fails them), and a connection manager that records hang-ups. */
function fixture (options: { records?: PeerNode[], failBans?: boolean, enabled?: boolean } = {}) {
  let now = T0
  const bans: Array<{ peer: string, ban: Record<string, unknown> }> = []
  const closed: string[] = []
  const events: Array<{ type: string, fields: unknown }> = []
  const list = Object.assign(new TypedEventEmitter<PeerListEvents>(), {
    snapshot: () => options.records ?? [],
    isBanned: () => false,
    ban: async (peer: string, ban: Record<string, unknown>) => {
      if (options.failBans === true) throw new Error('busy')
      bans.push({ peer, ban })
      return undefined
    }
  })
  const service = new ReputationService({
    peerList: list as never,
    connectionManager: { closeConnections: async (peer: PeerId) => { closed.push(peer.toString()) } },
    eventLog: { emit: (type, fields) => { events.push({ type, fields }) } }
  }, { clock: () => now, config: { banBaseMs: 1000 }, enabled: options.enabled })
  service.start()
  return { service, list, bans, closed, events, advance: (ms: number) => { now += ms } }
}

const settle = async (): Promise<void> => { await new Promise(resolve => setImmediate(resolve)) }

describe('the reputation service', () => {
  it('graylists with an event, disconnects with reason `reputation`, then bans with the offence as code', async () => {
    const fx = fixture()
    for (let i = 0; i < 3; i++) fx.service.penalise(P, 'invalid_message', 'malformed-frame')
    assert.equal(fx.service.isGraylisted(P), true)
    assert.equal(fx.service.isGraylisted(Q), false)
    assert.deepEqual(fx.events, [{ type: 'peer_graylisted', fields: { peerId: P, reason: 'invalid_message', data: { score: 30 } } }])
    for (let i = 0; i < 3; i++) fx.service.penalise(P, 'invalid_message')
    await settle()
    assert.deepEqual(fx.closed, [P])
    assert.equal(takeDisconnectReason(P), 'reputation')
    for (let i = 0; i < 4; i++) fx.service.penalise(P, 'invalid_message', 'tx-id-mismatch')
    await settle()
    assert.equal(fx.bans.length, 1)
    assert.deepEqual(fx.bans[0], { peer: P, ban: { now: T0, reason: 'invalid_message: score 100 (last: tx-id-mismatch)', code: 'invalid_message', count: 1, durationMs: 1000 } })
  })

  it('a restored repeat count escalates the next ban; an operator\'s unban (count cleared) forgives', async () => {
    const record = PeerNode.fromPartial({ peerId: P, status: PeerStatus.PEER_STATUS_UNKNOWN, banCount: 2, lastBanMs: T0 - 5000 })
    const fx = fixture({ records: [record] })
    fx.service.penalise(P, 'decompression_bomb')
    fx.service.penalise(P, 'decompression_bomb')
    await settle()
    assert.deepEqual([fx.bans[0]?.ban.count, fx.bans[0]?.ban.durationMs], [3, 4000])
    fx.list.safeDispatchEvent('peer:unbanned', { detail: PeerNode.fromPartial({ peerId: P, banCount: 0 }) })
    assert.deepEqual(fx.service.standing(P), { score: 0, graylisted: false, bans: 0 })
  })

  it('an operator\'s ban found at start does not count as a repeat offence', async () => {
    const record = PeerNode.fromPartial({ peerId: P, status: PeerStatus.PEER_STATUS_BANNED, banCode: 'admin', bannedUntilMs: 0 })
    const fx = fixture({ records: [record] })
    assert.equal(fx.service.standing(P).bans, 0)
  })

  it('when the ban cannot be recorded, it still hangs up; penalise never throws', async () => {
    const fx = fixture({ failBans: true })
    for (let i = 0; i < 10; i++) fx.service.penalise(P, 'invalid_message')
    fx.service.penalise('not a peer id', 'stream_storm')
    fx.service.penalise(Q, 'no_such_offence' as never)
    await settle()
    await settle()
    assert.ok(fx.closed.includes(P))
    assert.equal(fx.service.standing(Q).score, 10, 'an unknown offence counts as protocol_violation')
  })

  it('disabled: offences are counted but nothing is done', async () => {
    const fx = fixture({ enabled: false })
    for (let i = 0; i < 20; i++) fx.service.penalise(P, 'invalid_message')
    await settle()
    assert.deepEqual([fx.bans.length, fx.closed.length, fx.events.length, fx.service.isGraylisted(P)], [0, 0, 0, false])
  })
})
