import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { TypedEventEmitter } from 'main-event'
import { IdentifyFallback } from '../../../src/health/identify-fallback.ts'
import { makePeerIds } from '../../helpers/peer-ids.ts'

const [A, B] = await makePeerIds(2) as [string, string]

describe('identify fallback', () => {
  it('follows up only the connections whose identify did not complete', async () => {
    const events = new TypedEventEmitter<any>() // eslint-disable-line @typescript-eslint/no-explicit-any
    const asked: string[] = []
    const recorded: string[] = []
    const fallback = new IdentifyFallback({
      events,
      isKnown: async peer => { asked.push(peer); return false },
      record: async peer => { recorded.push(peer) },
      graceMs: 20
    })
    fallback.start()
    const open = (id: string, peer: string): void => {
      events.safeDispatchEvent('connection:open', {
        detail: { id, status: 'open', direction: 'outbound', remotePeer: peerIdFromString(peer), remoteAddr: multiaddr(`/ip4/127.0.0.1/tcp/9/p2p/${peer}`) }
      })
    }
    open('1', A)
    open('2', B)
    assert.equal(fallback.size, 2)
    fallback.identified('1')
    fallback.identified('unknown connection')
    assert.equal(fallback.size, 1, 'the identified connection\'s timer is cancelled')
    while (recorded.length === 0) await new Promise(resolve => setTimeout(resolve, 5))
    await new Promise(resolve => setTimeout(resolve, 40))
    assert.deepEqual(asked, [B], 'the peer list is not consulted for the identified connection')
    assert.deepEqual(recorded, [B])
    assert.equal(fallback.size, 0)
    fallback.stop()
  })
})
