/** The admin API's cache of identify answers (src/admin/parts.ts PeerInfoCache). */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { peerIdFromString } from '@libp2p/peer-id'
import { PeerInfoCache } from '../../../src/admin/parts.ts'
import { makePeerIds } from '../../helpers/peer-ids.ts'

describe('PeerInfoCache', () => {
  it('reads a peer once until libp2p says its record changed or it disconnected; misses are not kept', async () => {
    const [a, b] = (await makePeerIds(2)).map(id => peerIdFromString(id))
    const reads: string[] = []
    let known = true
    const events = new EventTarget()
    const cache = new PeerInfoCache(async id => { reads.push(id.toString()); return known ? { protocols: ['/p'], agentVersion: 'x' } : undefined }, events)
    assert.deepEqual(await cache.get(a!), { protocols: ['/p'], agentVersion: 'x' })
    await cache.get(a!)
    assert.equal(reads.length, 1)
    events.dispatchEvent(new CustomEvent('peer:update', { detail: { peer: { id: a } } }))
    await cache.get(a!)
    assert.equal(reads.length, 2)
    events.dispatchEvent(new CustomEvent('peer:identify', { detail: { peerId: a } }))
    await cache.get(a!)
    events.dispatchEvent(new CustomEvent('peer:disconnect', { detail: a }))
    await cache.get(a!)
    assert.equal(reads.length, 4)
    known = false
    assert.equal(await cache.get(b!), undefined)
    assert.equal(await cache.get(b!), undefined)
    assert.equal(reads.filter(r => r === b!.toString()).length, 2, 'a miss is read again')
  })
})
