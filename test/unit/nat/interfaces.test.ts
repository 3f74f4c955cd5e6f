import assert from 'node:assert/strict'
import type { NetworkInterfaceInfo } from 'node:os'
import { describe, it } from 'node:test'
import { listInterfaceAddresses, preferredAddress } from '../../../src/nat/interfaces.ts'
import { parseServer } from '../../../src/nat/servers.ts'

const info = (address: string, family: 'IPv4' | 'IPv6', internal = false): NetworkInterfaceInfo =>
  ({ address, family, internal, netmask: '', mac: '00:00:00:00:00:00', cidr: null, ...(family === 'IPv6' ? { scopeid: 0 } : {}) }) as NetworkInterfaceInfo

describe('interface detection', () => {
  const source = (): NodeJS.Dict<NetworkInterfaceInfo[]> => ({
    lo: [info('127.0.0.1', 'IPv4', true), info('::1', 'IPv6', true)],
    eth0: [info('fe80::1%eth0', 'IPv6'), info('169.254.3.4', 'IPv4'), info('fd00::5', 'IPv6'), info('192.168.1.20', 'IPv4')],
    eth1: [info('2001:DB8::9', 'IPv6'), info('198.51.100.20', 'IPv4')],
    wg0: [info('100.64.0.3', 'IPv4')]
  })

  it('lists every non-loopback, non-link-local IPv4 and IPv6 address, in OS order', () => {
    assert.deepEqual(listInterfaceAddresses(source).map(a => `${a.name} ${a.address} ${a.family} ${a.scope}`), [
      'eth0 fd00::5 6 private', 'eth0 192.168.1.20 4 private', 'eth1 2001:db8::9 6 global', 'eth1 198.51.100.20 4 global', 'wg0 100.64.0.3 4 private'
    ])
  })

  it('prefers global IPv4 > private IPv4 > global IPv6 > unique-local IPv6', () => {
    const all = listInterfaceAddresses(source)
    assert.equal(preferredAddress(all)?.address, '198.51.100.20')
    assert.equal(preferredAddress(all.filter(a => a.address !== '198.51.100.20'))?.address, '192.168.1.20')
    assert.equal(preferredAddress(all.filter(a => a.family === 6))?.address, '2001:db8::9')
    assert.equal(preferredAddress(all.filter(a => a.address === 'fd00::5'))?.address, 'fd00::5')
    assert.equal(preferredAddress([]), undefined)
  })

  it('the real host list is never empty of structure (smoke test of the default source)', () => {
    for (const a of listInterfaceAddresses()) assert.ok(a.address !== '127.0.0.1' && !a.address.startsWith('fe80'))
  })
})

describe('STUN server names', () => {
  it('parses host, host:port, IPv4:port, [IPv6]:port and bare IPv6', () => {
    assert.deepEqual(parseServer('stun.example.net'), { host: 'stun.example.net', port: 3478 })
    assert.deepEqual(parseServer('stun.example.net:19302'), { host: 'stun.example.net', port: 19302 })
    assert.deepEqual(parseServer('198.51.100.1:3478'), { host: '198.51.100.1', port: 3478 })
    assert.deepEqual(parseServer('[2001:db8::1]:3479'), { host: '2001:db8::1', port: 3479 })
    assert.deepEqual(parseServer('2001:db8::1'), { host: '2001:db8::1', port: 3478 })
    for (const bad of ['', 'host:0', 'host:70000', 'host:x', 'bad host', '[::1]:0']) assert.throws(() => parseServer(bad), { name: 'InvalidServerError' }, bad)
  })
})
