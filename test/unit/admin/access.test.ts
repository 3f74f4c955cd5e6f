/** The admin access rule (src/admin/access.ts) and the admin operations without a node. */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { adminAccess, isLoopbackHost } from '../../../src/admin/access.ts'
import { AdminOperations, parseMultiaddr } from '../../../src/admin/operations.ts'

describe('admin access rule', () => {
  it('tells loopback hosts from the others', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost', '::ffff:127.0.0.1']) assert.equal(isLoopbackHost(host), true, host)
    for (const host of ['0.0.0.0', '::', '10.0.0.1', '192.168.1.2', 'example.org', '::ffff:10.0.0.1', '128.0.0.1']) assert.equal(isLoopbackHost(host), false, host)
  })

  it('allows loopback, a token or client certificates; refuses an open listener with PERMISSION_DENIED naming the settings', () => {
    const base = { host: '0.0.0.0', hostSetting: 'gateway.rest.host' as const, token: false, clientCertificates: false }
    assert.equal(adminAccess({ ...base, host: '127.0.0.1' }).allowed, true)
    assert.equal(adminAccess({ ...base, token: true }).allowed, true)
    assert.equal(adminAccess({ ...base, clientCertificates: true }).allowed, true)
    const refused = adminAccess(base)
    assert.equal(refused.allowed, false)
    assert.throws(() => { refused.check() }, (err: Error & { code?: string, reason?: string }) => {
      assert.deepEqual([err.name, err.code, err.reason], ['PermissionDeniedError', 'PERMISSION_DENIED', 'admin_needs_token'])
      assert.match(err.message, /0\.0\.0\.0 \(gateway\.rest\.host\).*gateway\.token/)
      return true
    })
  })
})

describe('admin operations without a libp2p node (the in-memory backend)', () => {
  it('answers UNAVAILABLE for the node operations and still serves log levels', async () => {
    const ops = new AdminOperations(undefined)
    await assert.rejects(ops.listConnectedPeers(), { name: 'UnavailableError', reason: 'libp2p_unavailable' })
    assert.throws(() => ops.nodeInfo(), { name: 'UnavailableError' })
    assert.equal(typeof ops.logLevels().global, 'string')
    assert.throws(() => ops.setLogLevel('default', ''), { name: 'InvalidArgumentError', reason: 'invalid_log_level' })
  })

  it('parses multiaddrs and refuses malformed ones by reason', () => {
    assert.equal(parseMultiaddr('/ip4/127.0.0.1/tcp/4001').toString(), '/ip4/127.0.0.1/tcp/4001')
    for (const bad of ['', 'ip4/1.2.3.4', '/ip4/999.1.1.1/tcp/1', '/ip4/127.0.0.1/tcp/1/p2p/notapeer', `/${'x'.repeat(2000)}`]) {
      assert.throws(() => parseMultiaddr(bad), { name: 'InvalidArgumentError', reason: 'invalid_multiaddr' }, bad)
    }
  })
})
