import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { peerListGater } from '../../../src/peers/index.ts'
import { makePeerIds } from '../../helpers/peer-ids.ts'

const [BANNED, OTHER] = await makePeerIds(2) as [string, string]
const bans = { isBanned: (peerId: string, now: number) => peerId === BANNED && now < 100 }
const maConn = {} as never

describe('peer-list connection gater', () => {
  it('denies dials and connections of banned peers only, while the ban lasts', () => {
    let now = 50
    const gater = peerListGater(bans, () => now)
    assert.equal(gater.denyDialPeer(peerIdFromString(BANNED)), true)
    assert.equal(gater.denyDialPeer(peerIdFromString(OTHER)), false)
    assert.equal(gater.denyInboundEncryptedConnection(peerIdFromString(BANNED), maConn), true)
    assert.equal(gater.denyOutboundEncryptedConnection(peerIdFromString(BANNED), maConn), true)
    assert.equal(gater.denyDialMultiaddr(multiaddr(`/ip4/127.0.0.1/tcp/1/p2p/${BANNED}`)), true)
    assert.equal(gater.denyDialMultiaddr(multiaddr('/ip4/127.0.0.1/tcp/1')), false)
    now = 100
    assert.equal(gater.denyDialPeer(peerIdFromString(BANNED)), false)
  })

  it('accepts the list lazily and denies nothing until it exists', () => {
    const holder: { list?: typeof bans } = {}
    const gater = peerListGater(() => holder.list, () => 0)
    assert.equal(gater.denyDialPeer(peerIdFromString(BANNED)), false)
    holder.list = bans
    assert.equal(gater.denyDialPeer(peerIdFromString(BANNED)), true)
  })
})
