import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { encodeBindingError, encodeBindingSuccess, encodeMessage, type Endpoint } from '../../../protocols/stun/index.ts'
import { StunClient } from '../../../src/nat/stun-client.ts'
import { discoverWithStun } from '../../../src/nat/stun-discovery.ts'
import { fakeUdp, rfc5780Server } from './fake-udp.ts'

const server: Endpoint = { family: 4, address: '198.51.100.1', port: 3478 }
const mapped: Endpoint = { family: 4, address: '203.0.113.9', port: 61000 }
const FAST = { rtoMs: 5, maxRequests: 3, lastWaitFactor: 2 }

describe('STUN client over a fake UDP socket', () => {
  it('sends a Binding request with FINGERPRINT and SOFTWARE and reads the canned response', async () => {
    const udp = fakeUdp(req => [[encodeBindingSuccess(req.transactionId, { mapped }), req.to]])
    const client = await StunClient.open(4, { socketFactory: udp.factory, timing: FAST })
    const outcome = await client.binding(server)
    assert.equal(outcome.kind, 'success')
    assert.ok(outcome.kind === 'success')
    assert.deepEqual(outcome.result.mapped, mapped)
    assert.equal(outcome.attempts, 1)
    assert.equal(udp.sent.length, 1)
    client.close()
    assert.equal(udp.sockets[0]!.closed, true)
  })

  it('retransmits until answered (the server drops the first two requests)', async () => {
    let seen = 0
    const udp = fakeUdp(req => ++seen < 3 ? [] : [[encodeBindingSuccess(req.transactionId, { mapped }), req.to]])
    const client = await StunClient.open(4, { socketFactory: udp.factory, timing: FAST })
    const outcome = await client.binding(server)
    assert.ok(outcome.kind === 'success')
    assert.equal(outcome.attempts, 3)
    assert.equal(udp.sent.length, 3)
    assert.deepEqual(new Set(udp.sent.map(s => Buffer.from(s.bytes).toString('hex'))).size, 1, 'retransmissions repeat the same request')
    client.close()
  })

  it('times out after Rc requests', async () => {
    const udp = fakeUdp(() => [])
    const client = await StunClient.open(4, { socketFactory: udp.factory, timing: FAST })
    assert.deepEqual(await client.binding(server), { kind: 'timeout', attempts: 3 })
    assert.equal(udp.sent.length, 3)
    client.close()
  })

  it('ignores spoofed and malformed datagrams, counts them, and still takes the real answer', async () => {
    const udp = fakeUdp(req => {
      const wrongId = Uint8Array.from(req.transactionId, b => b ^ 0xff)
      const badFingerprint = encodeBindingSuccess(req.transactionId, { mapped: { ...mapped, port: 1 } })
      badFingerprint[badFingerprint.length - 1] = badFingerprint[badFingerprint.length - 1]! ^ 1
      const badCookie = encodeBindingSuccess(req.transactionId, { mapped: { ...mapped, port: 2 } })
      badCookie[5] = 0
      const truncated = encodeBindingSuccess(req.transactionId, { mapped: { ...mapped, port: 3 } }).subarray(0, 30)
      return [
        [encodeBindingSuccess(wrongId, { mapped: { ...mapped, port: 4 } }), req.to],
        [badFingerprint, req.to], [badCookie, req.to], [truncated, req.to], [new Uint8Array([1, 2, 3]), req.to],
        [encodeBindingSuccess(req.transactionId, { mapped }), req.to]
      ]
    })
    const client = await StunClient.open(4, { socketFactory: udp.factory, timing: { rtoMs: 1000 } })
    const outcome = await client.binding(server)
    assert.ok(outcome.kind === 'success')
    assert.deepEqual(outcome.result.mapped, mapped)
    assert.deepEqual(Object.fromEntries(client.rejected), { 'unknown-transaction': 1, 'bad-fingerprint': 1, 'bad-magic-cookie': 1, 'bad-length': 1, 'too-short': 1 })
    client.close()
  })

  it('reports STUN error responses and unusable responses', async () => {
    const udp = fakeUdp(req => req.socket === 0
      ? [[encodeBindingError(req.transactionId, { code: 500, reason: 'Server Error' }), req.to]]
      : [[encodeMessage({ cls: 'success', method: 1, transactionId: req.transactionId, attributes: [] }), req.to]])
    const a = await StunClient.open(4, { socketFactory: udp.factory, timing: FAST })
    const b = await StunClient.open(4, { socketFactory: udp.factory, timing: FAST })
    assert.deepEqual(await a.binding(server), { kind: 'error', error: { code: 500, reason: 'Server Error' }, from: server })
    assert.deepEqual(await b.binding(server), { kind: 'rejected', reason: 'missing-mapped-address', from: server })
    a.close()
    b.close()
  })

  it('aborts through its signal, and close() ends pending transactions', async () => {
    const udp = fakeUdp(() => [])
    const client = await StunClient.open(4, { socketFactory: udp.factory, timing: { rtoMs: 10_000 } })
    const controller = new AbortController()
    const pending = client.binding(server, { signal: controller.signal })
    controller.abort()
    await assert.rejects(pending, { name: 'AbortError' })
    await assert.rejects(client.binding(server, { signal: controller.signal }), { name: 'AbortError' })
    const hanging = client.binding(server)
    client.close()
    assert.deepEqual(await hanging, { kind: 'timeout', attempts: 0 })
    await assert.rejects(client.binding(server), { name: 'AbortError' })
  })
})

describe('STUN discovery over fake sockets', () => {
  const base = { localAddresses: ['10.0.0.2'], timing: FAST }

  it('full cone: endpoint-independent mapping and filtering; filtering runs on its own socket', async () => {
    const udp = fakeUdp(rfc5780Server('eif'))
    const result = await discoverWithStun({ ...base, servers: ['198.51.100.1:3478'], socketFactory: udp.factory })
    assert.equal(result.behaviour.natType, 'full-cone')
    assert.equal(result.server, '198.51.100.1:3478')
    assert.deepEqual(new Set(udp.sent.map(s => s.socket)), new Set([0, 1]))
    assert.ok(udp.sent.filter(s => s.change.changeIp).every(s => s.socket === 1), 'CHANGE-REQUEST only on the filtering socket')
    assert.ok(udp.sockets.every(s => s.closed))
  })

  it('port-restricted cone, and failover past a server that does not answer', async () => {
    const live = rfc5780Server('apdf')
    const udp = fakeUdp(req => req.to.address === '192.0.2.99' ? [] : live(req))
    const result = await discoverWithStun({ ...base, servers: ['192.0.2.99:3478', '198.51.100.1'], socketFactory: udp.factory })
    assert.equal(result.behaviour.natType, 'port-restricted-cone')
    assert.equal(result.server, '198.51.100.1')
    assert.deepEqual(result.problems, ['192.0.2.99:3478: no response'])
  })

  it('no server answers: UDP blocked; bad names are reported, not thrown', async () => {
    const udp = fakeUdp(() => [])
    const blocked = await discoverWithStun({ ...base, servers: ['198.51.100.1:3478', 'x:99999'], socketFactory: udp.factory })
    assert.equal(blocked.behaviour.natType, 'udp-blocked')
    assert.equal(blocked.problems.length, 2)
    const none = await discoverWithStun({ ...base, servers: ['bad:port:x'], socketFactory: udp.factory })
    assert.equal(none.behaviour.natType, 'unknown')
  })

  it('behaviourTests=false runs test I only; a server without OTHER-ADDRESS gives the mapped address only', async () => {
    const udp = fakeUdp(rfc5780Server('eif'))
    const basic = await discoverWithStun({ ...base, servers: ['198.51.100.1:3478'], socketFactory: udp.factory, behaviourTests: false })
    assert.equal(udp.sent.length, 2)
    assert.equal(basic.behaviour.mappedAddress?.address, '203.0.113.50')
    const plain = fakeUdp(rfc5780Server('eif', { otherAddress: false }))
    const old = await discoverWithStun({ ...base, servers: ['198.51.100.1:3478'], socketFactory: plain.factory })
    assert.equal(old.behaviour.behaviourTestsSupported, false)
    assert.equal(old.behaviour.natType, 'unknown')
  })

  it('no NAT: the mapped address is a local address and port', async () => {
    const udp = fakeUdp(req => [[encodeBindingSuccess(req.transactionId, { mapped: { family: 4, address: '10.0.0.2', port: req.localPort }, otherAddress: { family: 4, address: '198.51.100.2', port: 3479 } }), req.to]])
    const result = await discoverWithStun({ ...base, servers: ['198.51.100.1:3478'], socketFactory: udp.factory })
    assert.deepEqual([result.behaviour.mapping, result.behaviour.natType], ['no-nat', 'open-internet'])
  })
})
