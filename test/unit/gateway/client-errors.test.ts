/** The client library's transport failures: classified, and told in one line per cause. */
import assert from 'node:assert/strict'
import { createServer, type AddressInfo } from 'node:net'
import { createServer as createTlsServer } from 'node:tls'
import { describe, it } from 'node:test'
import { createCa, issueCertificate } from '../../../src/certs/dev-ca.ts'
import { describeFailures, NoTransportError, SorchaClient, TransportFailedError } from '../../../src/client/index.ts'
import { classify } from '../../../src/client/describe.ts'

async function closedPort (): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1')
  await new Promise(resolve => server.once('listening', resolve))
  const port = (server.address() as AddressInfo).port
  await new Promise(resolve => server.close(resolve))
  return port
}

const failure = (transport: string, kind: TransportFailedError['kind'], address: string, detail = ''): TransportFailedError =>
  new TransportFailedError(transport, kind, { address, tls: false, detail })

describe('client transport failures', () => {
  it('a refused endpoint: NoTransportError with each transport\'s failure, and one line for the library user', async () => {
    const [g, r] = [await closedPort(), await closedPort()]
    const client = new SorchaClient({ endpoints: { grpc: `127.0.0.1:${g}`, rest: `http://127.0.0.1:${r}` }, maxAttempts: 1 })
    try {
      const err = await client.nodeInfo().then(() => undefined, (e: unknown) => e)
      assert.ok(err instanceof NoTransportError)
      assert.deepEqual(err.failures.map(f => [f.name, f.transport, f.kind]), [
        ['TransportFailedError', 'grpc-stream', 'refused'], ['TransportFailedError', 'grpc-unary', 'refused'], ['TransportFailedError', 'rest', 'refused']
      ])
      assert.equal(err.message, `connection refused at 127.0.0.1:${g} (gRPC) and :${r} (REST): is the node running?`)
    } finally {
      client.close()
    }
  })

  it('does not retry what another try cannot fix (an untrusted certificate), but retries a dropped connection', async () => {
    const ca = createCa({ commonName: 'unknown CA' })
    const cert = issueCertificate(ca, 'node', { commonName: 'node', hosts: ['127.0.0.1'] })
    let connections = 0
    const server = createTlsServer({ cert: cert.cert, key: cert.key }, socket => { socket.end() })
    server.on('connection', () => { connections++ })
    server.listen(0, '127.0.0.1')
    await new Promise(resolve => server.once('listening', resolve))
    const client = new SorchaClient({ endpoints: { rest: `https://127.0.0.1:${(server.address() as AddressInfo).port}` }, tls: {}, maxAttempts: 4, retryInitialDelayMs: 1 })
    try {
      const err = await client.nodeInfo().then(() => undefined, (e: unknown) => e) as NoTransportError
      assert.deepEqual(err.failures.map(f => f.kind), ['untrusted'])
      assert.equal(connections, 1, 'one attempt')
    } finally {
      client.close()
      server.close()
    }
    // A node that drops every connection (closed): transient, so each of the 3 attempts connects.
    let drops = 0
    const dropper = createServer(socket => { drops++; socket.destroy() }).listen(0, '127.0.0.1')
    await new Promise(resolve => dropper.once('listening', resolve))
    const retrying = new SorchaClient({ endpoints: { rest: `http://127.0.0.1:${(dropper.address() as AddressInfo).port}` }, maxAttempts: 3, retryInitialDelayMs: 1, breakerThreshold: 100 })
    try {
      const err = await retrying.nodeInfo().then(() => undefined, (e: unknown) => e) as NoTransportError
      assert.deepEqual(err.failures.map(f => f.kind), ['closed'])
      assert.equal(drops, 3, 'three attempts')
    } finally {
      retrying.close()
      dropper.close()
    }
  })

  it('classifies Node, OpenSSL and grpc-js texts', () => {
    const cases: Array<[string, string]> = [
      ['ECONNREFUSED connect ECONNREFUSED 127.0.0.1:1', 'refused'],
      ['UNAVAILABLE: No connection established. Last error: Error: connect ECONNREFUSED 127.0.0.1:1. Resolution note: ', 'refused'],
      ['UNABLE_TO_VERIFY_LEAF_SIGNATURE unable to verify the first certificate', 'untrusted'],
      ['SELF_SIGNED_CERT_IN_CHAIN self-signed certificate in certificate chain', 'untrusted'],
      ['ERR_TLS_CERT_ALTNAME_INVALID Hostname/IP does not match certificate\'s altnames', 'hostname'],
      ['CERT_HAS_EXPIRED certificate has expired', 'expired'],
      ['EPROTO write EPROTO 00000000:error:0A00010B:SSL routines:ssl3_get_record:wrong version number', 'not_tls'],
      ['ssl3_read_bytes:tlsv13 alert certificate required: SSL alert number 116', 'client_cert'],
      ['ENOTFOUND getaddrinfo ENOTFOUND node.invalid', 'unresolved'],
      ['ECONNRESET socket hang up', 'closed'],
      ['HPE_INVALID_CONSTANT Expected HTTP/', 'protocol'],
      ['something new', 'other']
    ]
    for (const [text, kind] of cases) assert.equal(classify(text), kind, text)
  })

  it('gives transports that failed alike one line, the others a line each, gRPC modes once', () => {
    assert.deepEqual(describeFailures([
      failure('grpc-stream', 'timeout', '10.0.0.1:4200'), failure('grpc-unary', 'timeout', '10.0.0.1:4200'), failure('rest', 'timeout', '10.0.0.1:4280'),
      failure('grpc-stream', 'timeout', '10.0.0.2:4200')
    ], 'cli'), ['timed out at 10.0.0.1:4200 (gRPC), :4280 (REST) and 10.0.0.2:4200 (gRPC): is the address right and the port open? (--timeout-ms waits longer)'])
    assert.deepEqual(describeFailures([
      failure('grpc-unary', 'other', '[::1]:4200', 'UNAVAILABLE: No connection established. Last error: Error: boom\n (2026-01-01T00:00:00.000Z). Resolution note: x'),
      failure('rest', 'untrusted', '[::1]:4280')
    ], 'library'), [
      'UNAVAILABLE: boom at [::1]:4200 (gRPC)',
      'certificate not trusted at [::1]:4280 (REST): set tls.ca to the CA that signed the node\'s certificate'
    ])
  })
})
