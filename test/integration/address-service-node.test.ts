import assert from 'node:assert/strict'
import { createSocket, type Socket } from 'node:dgram'
import { after, before, describe, it } from 'node:test'
import { decodeMessage, encodeBindingSuccess } from '../../protocols/stun/index.ts'
import { startNetwork, type TestNetwork } from '../../src/harness/index.ts'
import { natContribution, type AddressStatus, type DefaultAddressService } from '../../src/nat/index.ts'

describe('address service inside a real node', () => {
  let stun: Socket
  let port = 0
  let net: TestNetwork | undefined
  before(async () => {
    stun = createSocket('udp4')
    stun.on('message', (msg, rinfo) => {
      const decoded = decodeMessage(new Uint8Array(msg))
      if (decoded.ok) stun.send(encodeBindingSuccess(decoded.message.transactionId, { mapped: { family: 4, address: rinfo.address, port: rinfo.port } }), rinfo.port, rinfo.address)
    })
    await new Promise<void>(resolve => stun.bind(0, '127.0.0.1', resolve))
    port = stun.address().port
  })
  after(async () => {
    await net?.stop()
    stun.close()
  })

  it('is contributed as services.address (+ AutoNAT v2), checks after start, and stops with the node', async () => {
    net = await startNetwork({ nodes: 2, bootstrap: 'none', contributions: [natContribution], configFor: i => i === 0 ? { nat: { stunServers: [`127.0.0.1:${port}`] } } : {} })
    const [withStun, without] = net.nodes.map(n => (n.libp2p.services as unknown as { address: DefaultAddressService }).address) as [DefaultAddressService, DefaultAddressService]
    assert.ok('autonatV2' in net.nodes[0]!.libp2p.services)
    const status = withStun.status().method === 'stun'
      ? withStun.status()
      : await new Promise<AddressStatus>(resolve => { withStun.addEventListener('address:changed', evt => { if (evt.detail.method === 'stun') resolve(evt.detail) }) })
    assert.equal(status.externalAddress, '127.0.0.1')
    assert.match(String(status.mappedAddress), /^127\.0\.0\.1:\d+$/)
    assert.equal(status.reachability, 'unknown', 'loopback is private to libp2p: AutoNAT has nothing to test')
    // The node without servers never contacts anything and reports nothing external.
    const quiet = await without.check()
    assert.deepEqual([quiet.method, quiet.externalAddress], ['none', undefined])
    await net.nodes[0]!.stop()
    assert.equal(withStun.isStarted(), false)
  })
})
