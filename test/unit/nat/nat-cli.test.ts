import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { createSocket, type Socket } from 'node:dgram'
import { after, before, describe, it } from 'node:test'
import { decodeMessage, encodeBindingSuccess } from '../../../protocols/stun/index.ts'
import { formatReport } from '../../../src/cli/actions/nat.ts'

const NODE = new URL('../../../node_modules/.bin/node', import.meta.url).pathname
const CLI = new URL('../../../src/cli/bin.js', import.meta.url).pathname

/** Runs the CLI as a child process (stdout in-process belongs to the test runner). */
async function run (...args: string[]): Promise<{ code: number, out: string }> {
  return new Promise(resolve => {
    execFile(NODE, [CLI, ...args], (err, stdout) => { resolve({ code: err === null ? 0 : Number((err as { code?: number }).code ?? 1), out: stdout }) })
  })
}

describe('sorcha-peer nat (real UDP on loopback)', () => {
  let server: Socket
  let port = 0
  before(async () => {
    // A minimal STUN server on 127.0.0.1 that reflects the source address (no OTHER-ADDRESS: basic STUN).
    server = createSocket('udp4')
    server.on('message', (msg, rinfo) => {
      const decoded = decodeMessage(new Uint8Array(msg))
      if (!decoded.ok) return
      server.send(encodeBindingSuccess(decoded.message.transactionId, { mapped: { family: 4, address: rinfo.address, port: rinfo.port } }), rinfo.port, rinfo.address)
    })
    await new Promise<void>(resolve => server.bind(0, '127.0.0.1', resolve))
    port = server.address().port
  })
  after(() => { server.close() })

  it('--json reports the mapped address from a real UDP exchange', async () => {
    const { code, out } = await run('nat', '--json', '--stun', `127.0.0.1:${port}`, '--log-level', 'silent')
    assert.equal(code, 0)
    const report = JSON.parse(out) as Record<string, unknown>
    assert.equal(report.method, 'stun')
    assert.equal(report.externalAddress, '127.0.0.1')
    assert.match(String(report.mappedAddress), /^127\.0\.0\.1:\d+$/)
    assert.equal(report.behaviourTestsSupported, false)
    assert.equal(report.natType, 'unknown')
  })

  it('prints a human-readable report; without servers it contacts nothing', async () => {
    const { code, out } = await run('nat', '--log-level', 'silent')
    assert.equal(code, 0)
    assert.match(out, /external address: unknown \(method: none\)/)
    assert.match(out, /NAT type: +unknown/)
  })

  it('rejects a bad server name with exit code 2', async () => {
    assert.equal((await run('nat', '--stun', 'not a host')).code, 2)
    assert.equal((await run('nat', '--http-lookup', 'ftp://x')).code, 2)
  })

  it('formatReport shows every field', () => {
    const text = formatReport({
      interfaces: [{ name: 'eth0', address: '10.0.0.2', family: 4, scope: 'private' }], preferredAddress: '10.0.0.2', externalAddress: '203.0.113.5',
      method: 'stun', mapping: 'endpoint-independent', filtering: 'address-dependent', natType: 'restricted-cone', forced: true,
      mappedAddress: '203.0.113.5:4000', stunServer: 's:3478', behaviourTestsSupported: true, problems: ['x: no response']
    })
    for (const part of ['10.0.0.2 (IPv4, private)  preferred', '203.0.113.5 (method: stun)', 'via STUN s:3478', 'restricted-cone (forced', 'note: x: no response']) assert.ok(text.includes(part), part)
    assert.match(formatReport({ interfaces: [], method: 'none', mapping: 'unknown', filtering: 'unknown', natType: 'unknown', forced: false, behaviourTestsSupported: false, problems: [] }), /\(none besides/)
  })
})
