import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { PeerRole } from '../../../protocols/models/index.ts'
import { peerRegistersOf, servedSetOf } from '../../../src/gossip/register-scope.ts'

const record = (registers: string[], roles: PeerRole[] = [], allRegisters = false): Parameters<typeof peerRegistersOf>[0] => ({ capabilities: { protocols: [], registers, allRegisters, roles, maxTransactionBytes: 0, recordSeq: 0 } })

describe('register scope of the sorcha adapter (SPEC.md §3.7)', () => {
  it('reads what a peer serves from its record: its registers, every register for a relay, unknown otherwise', () => {
    assert.deepEqual(peerRegistersOf(record(['r1', 'r2'])), ['r1', 'r2'])
    assert.equal(peerRegistersOf(record(['r1'], [PeerRole.PEER_ROLE_RELAY])), 'all')
    assert.equal(peerRegistersOf(record([], [PeerRole.PEER_ROLE_RELAY])), 'all')
    assert.equal(peerRegistersOf(record([], [], true)), 'all', 'a node that serves every register says so')
    assert.equal(peerRegistersOf(record([])), undefined, 'an empty list from a non-relay is unknown, not every register')
    assert.equal(peerRegistersOf({ capabilities: undefined }), undefined)
    assert.equal(peerRegistersOf(undefined), undefined)
  })

  it('fetches every register when the node serves all (registers: []) or relays all', () => {
    assert.equal(servedSetOf([], false), 'all')
    assert.equal(servedSetOf(['r1'], true), 'all')
    assert.deepEqual(servedSetOf(['r1'], false), ['r1'])
  })
})
