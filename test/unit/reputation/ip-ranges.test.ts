import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { multiaddr } from '@multiformats/multiaddr'
import { peerIdFromString } from '@libp2p/peer-id'
import type { Connection } from '@libp2p/interface'
import { cidrOf, inAnyCidr, parseIp, rangeOf, refusesInRange } from '../../../protocols/reputation/index.ts'
import { cidrsOf, ipDiversityGater } from '../../../src/peers/ip-diversity.ts'
import { OutboundProtection, PROTECTED_OUTBOUND_TAG } from '../../../src/peers/outbound-protection.ts'
import { makePeerIds } from '../../helpers/peer-ids.ts'

const ids = await makePeerIds(6)
const conn = (peer: string, addr: string, direction: 'inbound' | 'outbound' = 'inbound', id = `${peer}-${addr}`): Connection =>
  ({ id, remotePeer: peerIdFromString(peer), remoteAddr: multiaddr(addr), status: 'open', direction }) as unknown as Connection
const maConn = (addr: string): never => ({ remoteAddr: multiaddr(addr) }) as never

describe('IP ranges', () => {
  it('parses IPv4, IPv6 (with ::, embedded IPv4, mapped IPv4) and refuses the rest', () => {
    assert.deepEqual([...parseIp('10.1.2.3')!], [10, 1, 2, 3])
    assert.deepEqual([...parseIp('::ffff:10.1.2.3')!], [10, 1, 2, 3])
    assert.deepEqual([...parseIp('2001:db8::1')!], [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1])
    assert.deepEqual([...parseIp('::')!], new Array(16).fill(0))
    for (const bad of ['256.1.1.1', '1.2.3', '2001:db8::1::2', '1:2:3:4:5:6:7:8:9', 'example.com', '', 'g::1']) assert.equal(parseIp(bad), undefined, bad)
  })

  it('puts an address in its /24 or /48', () => {
    assert.equal(rangeOf('10.1.2.3'), '10.1.2.0/24')
    assert.equal(rangeOf('10.1.2.200'), rangeOf('10.1.2.3'))
    assert.notEqual(rangeOf('10.1.3.3'), rangeOf('10.1.2.3'))
    assert.equal(rangeOf('2001:db8:aa:1::1'), '2001:db8:aa::/48')
    assert.equal(rangeOf('2001:db8:aa:ffff::9'), rangeOf('2001:db8:aa:1::1'))
    assert.notEqual(rangeOf('2001:db8:ab::1'), rangeOf('2001:db8:aa::1'))
  })

  it('matches CIDR blocks given as multiaddr prefixes', () => {
    const blocks = cidrsOf(['/ip4/127.0.0.0/ipcidr/8', '/ip6/::1/ipcidr/128', '/ip4/192.168.1.7', '/dns4/example.com'])
    assert.equal(blocks.length, 3)
    assert.ok(inAnyCidr('127.9.9.9', blocks))
    assert.ok(inAnyCidr('::1', blocks))
    assert.ok(inAnyCidr('192.168.1.7', blocks))
    assert.ok(!inAnyCidr('192.168.1.8', blocks))
    assert.ok(!inAnyCidr('128.0.0.1', blocks))
    assert.equal(cidrOf('10.0.0.0', 33), undefined)
  })

  it('refuses the N+1th peer of a range, never a peer already connected, and nothing with no limit', () => {
    assert.equal(refusesInRange(2, false, 3), false)
    assert.equal(refusesInRange(3, false, 3), true)
    assert.equal(refusesInRange(3, true, 3), false)
    assert.equal(refusesInRange(1000, false, 0), false)
  })
})

describe('the IP-range gater', () => {
  const connections: Connection[] = [conn(ids[0]!, '/ip4/10.1.2.3/tcp/1'), conn(ids[1]!, '/ip4/10.1.2.4/tcp/1'), conn(ids[1]!, '/ip4/10.1.2.4/tcp/2')]
  let refused = 0
  const gater = ipDiversityGater({ maxPerRange: 2, allow: ['/ip4/127.0.0.0/ipcidr/8'], connections: () => connections, onRefused: () => { refused++ } })

  it('refuses a third peer from a /24 that has two, inbound, outbound and before dialling', () => {
    assert.equal(gater.denyInboundEncryptedConnection(peerIdFromString(ids[2]!), maConn('/ip4/10.1.2.99/tcp/5')), true)
    assert.equal(gater.denyOutboundEncryptedConnection(peerIdFromString(ids[2]!), maConn('/ip4/10.1.2.99/tcp/5')), true)
    assert.equal(gater.denyDialMultiaddr(multiaddr(`/ip4/10.1.2.99/tcp/5/p2p/${ids[2]!}`)), true)
    assert.equal(refused, 3)
  })

  it('admits a peer already connected, another range, and allow-listed addresses', () => {
    assert.equal(gater.denyInboundEncryptedConnection(peerIdFromString(ids[1]!), maConn('/ip4/10.1.2.4/tcp/3')), false)
    assert.equal(gater.denyInboundEncryptedConnection(peerIdFromString(ids[2]!), maConn('/ip4/10.1.3.1/tcp/5')), false)
    assert.equal(gater.denyInboundEncryptedConnection(peerIdFromString(ids[2]!), maConn('/ip4/127.0.0.1/tcp/5')), false)
    assert.equal(gater.denyDialMultiaddr(multiaddr('/dns4/example.com/tcp/5')), false)
  })
})

describe('outbound protection', () => {
  it('tags up to the limit, one outbound peer per range, and untags a peer when its last outbound connection closes', async () => {
    const listeners = new Map<string, (e: CustomEvent<Connection>) => void>()
    const tags: Array<[string, unknown]> = []
    let open: Connection[] = []
    const protection = new OutboundProtection({
      events: { addEventListener: (type, l) => { listeners.set(type, l) }, removeEventListener: (type) => { listeners.delete(type) } },
      peerStore: { merge: async (peer, data) => { tags.push([peer.toString(), (data.tags as Record<string, unknown>)[PROTECTED_OUTBOUND_TAG]]); return undefined as never } },
      connectionManager: { getConnections: () => open }
    }, { maxProtected: 2 })
    protection.start()
    const fire = (type: string, c: Connection): void => { listeners.get(type)!(new CustomEvent(type, { detail: c })) }
    const a = conn(ids[0]!, '/ip4/10.1.2.3/tcp/1', 'outbound')
    fire('connection:open', conn(ids[5]!, '/ip4/10.9.9.9/tcp/1', 'inbound'))
    fire('connection:open', a)
    fire('connection:open', conn(ids[1]!, '/ip4/10.1.2.4/tcp/1', 'outbound')) // same /24 as a
    fire('connection:open', conn(ids[2]!, '/ip4/10.7.0.1/tcp/1', 'outbound'))
    fire('connection:open', conn(ids[3]!, '/ip4/10.8.0.1/tcp/1', 'outbound')) // over the limit
    assert.deepEqual(protection.protectedPeers(), [ids[0], ids[2]])
    open = []
    fire('connection:close', a)
    assert.deepEqual(protection.protectedPeers(), [ids[2]])
    await new Promise(resolve => setImmediate(resolve))
    assert.deepEqual(tags, [[ids[0], { value: 100 }], [ids[2], { value: 100 }], [ids[0], undefined]])
    protection.stop()
    assert.equal(listeners.size, 0)
  })
})
