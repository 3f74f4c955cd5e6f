import assert from 'node:assert/strict'
import type { NetworkInterfaceInfo } from 'node:os'
import { describe, it } from 'node:test'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import { DefaultAddressService, addressService, addressServiceInit, natContribution, type AddressStatus } from '../../../src/nat/index.ts'
import type { AddressManagerLike } from '../../../src/nat/libp2p-addresses.ts'
import { readAutoNat } from '../../../src/nat/libp2p-addresses.ts'
import { resolveConfig } from '../../../src/config/index.ts'
import { fakeUdp, rfc5780Server } from './fake-udp.ts'

type Entry = { multiaddr: Multiaddr, verified: boolean, type: string, expires: number }

/** A stand-in for libp2p's address manager: transport addresses plus the mappings offered to it. */
class FakeAddressManager implements AddressManagerLike {
  entries: Entry[] = [
    { multiaddr: multiaddr('/ip4/127.0.0.1/tcp/4100'), verified: true, type: 'transport', expires: 0 },
    { multiaddr: multiaddr('/ip4/10.0.0.2/tcp/4100'), verified: true, type: 'transport', expires: 0 }
  ]

  mappings: string[] = []
  getAddressesWithMetadata (): Entry[] { return this.entries }
  addPublicAddressMapping (internalIp: string, internalPort: number, externalIp: string, externalPort = internalPort): void {
    this.mappings.push(`${internalIp}:${internalPort}->${externalIp}:${externalPort}`)
    this.entries.push({ multiaddr: multiaddr(`/ip4/${externalIp}/tcp/${externalPort}`), verified: false, type: 'ip-mapping', expires: 0 })
  }

  removePublicAddressMapping (internalIp: string, internalPort: number, externalIp: string, externalPort = internalPort): void {
    this.mappings = this.mappings.filter(m => m !== `${internalIp}:${internalPort}->${externalIp}:${externalPort}`)
    this.entries = this.entries.filter(e => !(e.type === 'ip-mapping' && e.multiaddr.toString() === `/ip4/${externalIp}/tcp/${externalPort}`))
  }
}

const interfaces = (): NodeJS.Dict<NetworkInterfaceInfo[]> => ({
  eth0: [{ address: '10.0.0.2', family: 'IPv4', internal: false, netmask: '255.255.255.0', mac: '', cidr: null }]
})
const FAST = { rtoMs: 5, maxRequests: 2, lastWaitFactor: 2 }
const textFetch = (body: string): typeof fetch => (async () => new Response(body)) as typeof fetch

function make (init: ConstructorParameters<typeof DefaultAddressService>[1]): { service: DefaultAddressService, am: FakeAddressManager, events: EventTarget, changes: AddressStatus[] } {
  const am = new FakeAddressManager()
  const events = new EventTarget()
  const service = new DefaultAddressService({ addressManager: am, events }, { interfaces, timing: FAST, ...init })
  const changes: AddressStatus[] = []
  service.addEventListener('address:changed', evt => { changes.push(evt.detail) })
  return { service, am, events, changes }
}

describe('address service: precedence config > STUN > HTTP lookup > AutoNAT', () => {
  it('with nothing configured it contacts nothing and reports unknown', async () => {
    let fetched = 0
    const udp = fakeUdp(() => [])
    const { service } = make({ socketFactory: udp.factory, fetch: (async () => { fetched++; return new Response('') }) as typeof fetch })
    const status = await service.check()
    assert.deepEqual([status.method, status.externalAddress, status.natType, status.reachability], ['none', undefined, 'unknown', 'unknown'])
    assert.equal(udp.sent.length, 0)
    assert.equal(fetched, 0)
    assert.equal(status.preferredAddress, '10.0.0.2')
  })

  it('STUN decides and its external IP is offered to libp2p as a mapping of the TCP listener (not loopback)', async () => {
    const udp = fakeUdp(rfc5780Server('apdf'))
    const { service, am, changes } = make({ stunServers: ['198.51.100.1:3478'], httpLookup: ['http://lookup.invalid/'], socketFactory: udp.factory, fetch: textFetch('192.0.2.200') })
    const status = await service.check()
    assert.deepEqual([status.method, status.externalAddress, status.natType, status.stunServer], ['stun', '203.0.113.50', 'port-restricted-cone', '198.51.100.1:3478'])
    assert.deepEqual(am.mappings, ['10.0.0.2:4100->203.0.113.50:4100'])
    assert.equal(changes.length, 1)
    // A second identical check changes nothing and offers nothing twice.
    await service.check()
    assert.deepEqual(am.mappings, ['10.0.0.2:4100->203.0.113.50:4100'])
    assert.equal(changes.length, 1)
  })

  it('HTTP lookup decides when STUN gets no answer; the old mapping is withdrawn when the address changes', async () => {
    let answer = '203.0.113.60'
    const udp = fakeUdp(() => [])
    const { service, am, changes } = make({ stunServers: ['198.51.100.1:3478'], httpLookup: ['http://lookup.invalid/'], socketFactory: udp.factory, fetch: (async () => new Response(answer)) as typeof fetch })
    const first = await service.check()
    assert.deepEqual([first.method, first.externalAddress, first.natType, first.httpLookupUrl], ['http', '203.0.113.60', 'udp-blocked', 'http://lookup.invalid/'])
    answer = '203.0.113.61'
    const second = await service.check()
    assert.equal(second.externalAddress, '203.0.113.61')
    assert.deepEqual(am.mappings, ['10.0.0.2:4100->203.0.113.61:4100'])
    assert.equal(changes.length, 2)
  })

  it('configuration wins: announce addresses and a forced type; nothing is offered for a configured address', async () => {
    const udp = fakeUdp(rfc5780Server('eif'))
    const { service, am } = make({ announce: ['/ip4/192.0.2.10/tcp/4100'], forceType: 'symmetric', stunServers: ['198.51.100.1:3478'], socketFactory: udp.factory })
    const status = await service.check()
    assert.deepEqual([status.method, status.externalAddress, status.natType, status.forced, status.mapping], ['config', '192.0.2.10', 'symmetric', true, 'address-and-port-dependent'])
    assert.equal(status.mappedAddress, '203.0.113.50:50000')
    assert.deepEqual(am.mappings, [])
  })

  it('AutoNAT-confirmed addresses are the last resort, and reachability follows AutoNAT', async () => {
    const { service, am, events, changes } = make({})
    service.start()
    am.entries.push({ multiaddr: multiaddr('/ip4/8.8.4.4/tcp/4100'), verified: false, type: 'observed', expires: 0 })
    events.dispatchEvent(new Event('self:peer:update'))
    assert.deepEqual([service.status().reachability, service.status().method], ['unknown', 'none'])
    am.entries[2]!.verified = true
    events.dispatchEvent(new Event('self:peer:update'))
    assert.deepEqual([service.status().reachability, service.status().method, service.status().externalAddress], ['public', 'autonat', '8.8.4.4'])
    am.entries[2] = { ...am.entries[2]!, verified: false, expires: Date.now() + 60_000 }
    events.dispatchEvent(new Event('self:peer:update'))
    assert.equal(service.status().reachability, 'private')
    assert.equal(changes.length, 3)
    await service.stop()
    events.dispatchEvent(new Event('self:peer:update'))
    assert.equal(changes.length, 3, 'no updates after stop')
  })

  it('readAutoNat ignores private and announce addresses', () => {
    const am = new FakeAddressManager()
    am.entries.push({ multiaddr: multiaddr('/ip4/198.51.100.3/tcp/1'), verified: false, type: 'ip-mapping', expires: 0 })
    am.entries.push({ multiaddr: multiaddr('/ip4/8.8.8.8/tcp/1'), verified: true, type: 'announce', expires: 0 })
    am.entries.push({ multiaddr: multiaddr('/ip4/9.9.9.9/tcp/1'), verified: false, type: 'ip-mapping', expires: 0 })
    assert.deepEqual(readAutoNat(am), { reachability: 'unknown', confirmed: [], unreachable: [], untested: ['/ip4/9.9.9.9/tcp/1'] })
  })
})

describe('address service lifecycle', () => {
  it('checks after start, re-checks periodically, and stop clears the timer and withdraws mappings', async () => {
    const udp = fakeUdp(rfc5780Server('eif'))
    const { service, am, events } = make({ stunServers: ['198.51.100.1:3478'], socketFactory: udp.factory, recheckIntervalMs: 20 })
    service.start()
    service.start()
    service.afterStart()
    const deadline = Date.now() + 20_000
    while (udp.sent.length < 12 && Date.now() < deadline) await new Promise(resolve => setTimeout(resolve, 10))
    assert.ok(udp.sent.length >= 12, 'at least two checks ran')
    assert.ok(service.isStarted())
    assert.deepEqual(am.mappings, ['10.0.0.2:4100->203.0.113.50:4100'])
    await service.stop()
    await service.stop()
    assert.ok(!service.isStarted())
    assert.deepEqual(am.mappings, [])
    const sent = udp.sent.length
    await new Promise(resolve => setTimeout(resolve, 100))
    assert.equal(udp.sent.length, sent, 'no checks after stop')
    events.dispatchEvent(new Event('self:peer:update'))
  })

  it('stop aborts a running check; check() honours its own signal', async () => {
    const udp = fakeUdp(() => [])
    const { service } = make({ stunServers: ['198.51.100.1:3478'], socketFactory: udp.factory, timing: { rtoMs: 10_000 } })
    service.start()
    const controller = new AbortController()
    const mine = service.check({ signal: controller.signal })
    controller.abort()
    await assert.rejects(mine)
    await service.stop()
    await assert.rejects(service.check({ signal: AbortSignal.abort() }))
  })

  it('the factory, the config mapping and the contribution', () => {
    const config = resolveConfig({ file: { path: 't', data: { nat: { stunServers: ['198.51.100.1:3478'], stunRtoMs: 50 } } } })
    const init = addressServiceInit(config)
    assert.deepEqual(init.stunServers, ['198.51.100.1:3478'])
    assert.equal(init.timing?.rtoMs, 50)
    const services = natContribution({ config, storage: {} as never, peerId: 'x' }) as Record<string, unknown>
    assert.equal(typeof services.address, 'function')
    const service = addressService(init)({ addressManager: new FakeAddressManager(), events: new EventTarget() })
    assert.equal(service.status().method, 'none')
    const defaults = resolveConfig({ file: { path: 't', data: {} } })
    assert.deepEqual([defaults.nat.stunServers, defaults.nat.httpLookup, defaults.nat.forceType], [[], [], 'auto'])
  })
})
