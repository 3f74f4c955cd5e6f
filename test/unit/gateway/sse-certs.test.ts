import assert from 'node:assert/strict'
import { X509Certificate } from 'node:crypto'
import { describe, it } from 'node:test'
import { createCa, issueCertificate } from '../../../src/certs/dev-ca.ts'
import { parseSse } from '../../../src/client/sse.ts'

describe('SSE parser', () => {
  it('parses ids, event names and multi-line data across chunk boundaries, skipping comments', async () => {
    const text = ': hello\n\nid: 1\nevent: transaction\ndata: {"a":\ndata: 1}\n\ndata: plain\n\n'
    const bytes = Buffer.from(text)
    const chunks = [bytes.subarray(0, 7), bytes.subarray(7, 30), bytes.subarray(30)]
    const events = []
    for await (const e of parseSse((async function * () { yield * chunks })())) events.push(e)
    assert.deepEqual(events, [{ id: '1', event: 'transaction', data: '{"a":\n1}' }, { event: 'message', data: 'plain' }])
  })

  it('keeps a UTF-8 character split across chunks intact', async () => {
    const bytes = Buffer.from('data: é\n\n')
    const events = []
    for await (const e of parseSse((async function * () { yield bytes.subarray(0, 7); yield bytes.subarray(7) })())) events.push(e)
    assert.equal(events[0]?.data, 'é')
  })
})

describe('development CA', () => {
  it('issues node and client certificates that chain to the CA, with SANs and usages', () => {
    const ca = createCa({ commonName: 'test CA' })
    const node = issueCertificate(ca, 'node', { commonName: 'node', hosts: ['localhost', '127.0.0.1'] })
    const client = issueCertificate(ca, 'client', { commonName: 'client' })
    const caCert = new X509Certificate(ca.cert)
    const nodeCert = new X509Certificate(node.cert)
    const clientCert = new X509Certificate(client.cert)
    assert.ok(caCert.ca)
    assert.ok(nodeCert.checkIssued(caCert) && nodeCert.verify(caCert.publicKey))
    assert.ok(clientCert.checkIssued(caCert) && clientCert.verify(caCert.publicKey))
    assert.ok(!nodeCert.ca)
    assert.match(nodeCert.subjectAltName ?? '', /DNS:localhost/)
    assert.match(nodeCert.subjectAltName ?? '', /IP Address:127\.0\.0\.1/)
    assert.equal(nodeCert.checkHost('localhost'), 'localhost')
    assert.deepEqual(nodeCert.keyUsage, ['1.3.6.1.5.5.7.3.1'])
    assert.deepEqual(clientCert.keyUsage, ['1.3.6.1.5.5.7.3.2'])
  })
})
