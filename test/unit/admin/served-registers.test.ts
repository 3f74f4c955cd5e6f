/** Changing the served registers at run time (issue 20): the admin call's checks and the reload's difference. */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { servedDifference, updateServed, type ServedRegistersControl } from '../../../src/admin/served-registers.ts'
import { ownRecord } from '../../../src/discovery/advertiser.ts'
import { PeerRole } from '../../../protocols/models/index.ts'

/** A served set like the gossip service's: empty = every register. */
function control (initial: string[] = [], relay?: boolean): ServedRegistersControl & EventTarget & { calls: string[] } {
  const set = new Set(initial)
  const calls: string[] = []
  return Object.assign(new EventTarget(), {
    calls,
    follow: (id: string) => { calls.push(`+${id}`); set.add(id) },
    unfollow: (id: string) => { calls.push(`-${id}`); set.delete(id) },
    registers: () => [...set].sort(),
    ...(relay === undefined ? {} : { relaysAll: () => relay })
  })
}

describe('served registers', () => {
  it('follows then unfollows, and answers the new set', () => {
    const c = control(['a'])
    assert.deepEqual(updateServed(c, { follow: ['b', 'c'], unfollow: ['a', 'c'] }), { registers: ['b'], relay: false })
    assert.deepEqual(c.calls, ['+b', '+c', '-a', '-c'])
  })

  it('checks every id before changing anything: InvalidArgumentError (invalid_register_id, too_many_registers)', () => {
    const c = control(['a'])
    assert.throws(() => updateServed(c, { follow: ['b'], unfollow: ['bad id'] }), (err: Error & { reason?: string }) => err.name === 'InvalidArgumentError' && err.reason === 'invalid_register_id')
    assert.throws(() => updateServed(c, { follow: Array.from({ length: 1025 }, (_, i) => `r${i}`), unfollow: [] }), (err: Error & { reason?: string }) => err.name === 'InvalidArgumentError' && err.reason === 'too_many_registers')
    assert.deepEqual(c.calls, [])
  })

  it('a reload applies the difference between the served and the configured set', () => {
    assert.deepEqual(servedDifference(['a', 'b'], ['b', 'c']), { follow: ['c'], unfollow: ['a'] })
    assert.deepEqual(servedDifference(['a'], []), { follow: [], unfollow: ['a'] }, 'back to every register')
    assert.deepEqual(servedDifference([], ['a']), { follow: ['a'], unfollow: [] })
  })

  it('the advertised record: the served list, every register when empty, the relay role when the gossip service relays all', () => {
    assert.deepEqual(ownRecord(control(['b', 'a']), 5), { protocols: [], registers: ['a', 'b'], allRegisters: false, roles: [], maxTransactionBytes: 0, recordSeq: 5 })
    assert.deepEqual(ownRecord(control([])), { protocols: [], registers: [], allRegisters: true, roles: [], maxTransactionBytes: 0, recordSeq: 0 })
    assert.deepEqual(ownRecord(control(['a'], true))?.roles, [PeerRole.PEER_ROLE_RELAY])
    assert.equal(ownRecord(undefined), undefined)
  })
})
