import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { PeerNode, PeerStatus } from '../../../protocols/models/index.ts'
import { changeEvents } from '../../../src/peers/change-events.ts'

const node = (over: Partial<PeerNode> = {}): PeerNode => PeerNode.fromPartial({ peerId: 'p', status: PeerStatus.PEER_STATUS_HEALTHY, ...over })
const types = (before: PeerNode | undefined, after: PeerNode | undefined): string[] => changeEvents(before, after, 'why').map(e => e.type)
const banned = (over: Partial<PeerNode> = {}): PeerNode => node({ status: PeerStatus.PEER_STATUS_BANNED, banReason: 'r', ...over })

describe('peer list change events', () => {
  it('maps each kind of change to its events', () => {
    assert.deepEqual(types(undefined, node()), ['peer:added'])
    assert.deepEqual(types(undefined, banned()), ['peer:added', 'peer:banned'])
    assert.deepEqual(changeEvents(node(), undefined, 'why'), [{ type: 'peer:removed', detail: { peerId: 'p', reason: 'why' } }])
    assert.deepEqual(types(undefined, undefined), [])
    assert.deepEqual(types(node(), node({ score: 5 })), ['peer:updated'])
    assert.deepEqual(types(node(), banned()), ['peer:banned'])
    assert.deepEqual(types(banned(), banned({ bannedUntilMs: 9 })), ['peer:banned'], 'a renewed ban')
    assert.deepEqual(types(banned(), banned({ addresses: ['/ip4/1.2.3.4/tcp/1'] })), ['peer:updated'])
    assert.deepEqual(types(banned(), node({ status: PeerStatus.PEER_STATUS_UNKNOWN })), ['peer:unbanned'])
  })
})
