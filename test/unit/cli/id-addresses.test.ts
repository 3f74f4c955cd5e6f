import assert from 'node:assert/strict'
import type { NetworkInterfaceInfo } from 'node:os'
import { describe, it } from 'node:test'
import { dialableAddresses } from '../../../src/cli/actions/id.ts'

const iface = (address: string, family: 'IPv4' | 'IPv6', internal = false): NetworkInterfaceInfo =>
  ({ address, family, internal, netmask: '', mac: '00:00:00:00:00:00', cidr: null, ...(family === 'IPv6' ? { scopeid: 0 } : {}) }) as NetworkInterfaceInfo

const HOST = (): NodeJS.Dict<NetworkInterfaceInfo[]> => ({
  lo: [iface('127.0.0.1', 'IPv4', true), iface('::1', 'IPv6', true)],
  eth0: [iface('192.168.1.20', 'IPv4'), iface('fe80::1', 'IPv6'), iface('2001:db8::20', 'IPv6')],
  eth1: [iface('203.0.113.9', 'IPv4'), iface('169.254.3.3', 'IPv4')]
})

describe('id: dialable addresses', () => {
  it('expands 0.0.0.0 and :: to the interface addresses, loopback last, link-local left out', () => {
    const { addresses, notes } = dialableAddresses(['/ip4/0.0.0.0/tcp/4100', '/ip6/::/tcp/4100/ws'], [], HOST)
    assert.deepEqual(addresses, [
      '/ip4/192.168.1.20/tcp/4100', '/ip4/203.0.113.9/tcp/4100', '/ip4/127.0.0.1/tcp/4100',
      '/ip6/2001:db8::20/tcp/4100/ws', '/ip6/::1/tcp/4100/ws'
    ])
    assert.deepEqual(notes, [])
  })

  it('puts announce addresses first, keeps concrete listen addresses, drops duplicates', () => {
    const { addresses } = dialableAddresses(['/ip4/192.168.1.20/tcp/4100', '/ip4/0.0.0.0/tcp/4100'], ['/dns4/node.example/tcp/4100', '/ip4/192.168.1.20/tcp/4100'], HOST)
    assert.deepEqual(addresses, ['/dns4/node.example/tcp/4100', '/ip4/192.168.1.20/tcp/4100', '/ip4/203.0.113.9/tcp/4100', '/ip4/127.0.0.1/tcp/4100'])
  })

  it('leaves out a port-0 listen address with a note: its port is known only once the node runs', () => {
    const { addresses, notes } = dialableAddresses(['/ip4/0.0.0.0/tcp/0', '/ip4/127.0.0.1/tcp/4100'], [], HOST)
    assert.deepEqual(addresses, ['/ip4/127.0.0.1/tcp/4100'])
    assert.deepEqual(notes, ['/ip4/0.0.0.0/tcp/0: the port is picked when the node starts; sorcha-peer status shows it'])
  })

  it('a host with no interfaces still gets loopback', () => {
    assert.deepEqual(dialableAddresses(['/ip4/0.0.0.0/tcp/1'], [], () => ({})).addresses, ['/ip4/127.0.0.1/tcp/1'])
  })
})
