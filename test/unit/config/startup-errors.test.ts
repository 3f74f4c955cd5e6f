import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { bindErrorFor, DataDirUnwritableError, listenErrorFor, StartupError } from '../../../src/config/index.ts'

const errno = (code: string, message: string): NodeJS.ErrnoException => Object.assign(new Error(message), { code })

describe('start-up errors', () => {
  it('map a listen error to a named class whose message is the one line: value, setting, reason, fix', () => {
    const inUse = listenErrorFor('listen', '/ip4/0.0.0.0/tcp/4100', errno('EADDRINUSE', 'listen EADDRINUSE: address already in use 0.0.0.0:4100'))
    assert.equal(inUse.name, 'AddressInUseError')
    assert.equal(inUse.exitCode, 1)
    assert.equal(inUse.message, 'cannot listen on /ip4/0.0.0.0/tcp/4100 (listen): address already in use: stop the other process or choose another port with --listen')
    assert.equal(listenErrorFor('gateway.rest.port', '192.0.2.1:4280', errno('EADDRNOTAVAIL', 'x')).name, 'AddressNotAvailableError')
    const denied = listenErrorFor('ops.port', '0.0.0.0:80', errno('EACCES', 'x'))
    assert.equal(denied.name, 'ListenPermissionError')
    assert.match(denied.message, /with --ops-port$/)
    const other = listenErrorFor('listen', '/ip4/0.0.0.0/tcp/1', new Error('something odd\nsecond line'))
    assert.equal(other.name, 'ListenFailedError')
    assert.equal(other.reason, 'something odd')
  })

  it('read the errno from the message when the library keeps only the text (grpc-js)', () => {
    const grpc = new Error('No address added out of total 1 resolved errors: [listen EADDRINUSE: address already in use 127.0.0.1:4200]')
    const mapped = bindErrorFor('gateway.grpc.port', '127.0.0.1:4200', grpc)
    assert.ok(mapped instanceof StartupError)
    assert.equal(mapped.name, 'AddressInUseError')
    assert.match(mapped.message, /\(gateway\.grpc\.port\).*--gateway-grpc-port$/)
  })

  it('bindErrorFor leaves errors that are not a refused bind alone', () => {
    const tls = new Error('cannot read /etc/tls/key.pem')
    assert.equal(bindErrorFor('gateway.grpc.port', '127.0.0.1:4200', tls), tls)
  })

  it('keep their cause and name the data directory', () => {
    const cause = errno('EACCES', 'permission denied')
    const err = new DataDirUnwritableError('/var/lib/sorcha', 'permission denied', cause)
    assert.equal(err.cause, cause)
    assert.equal(err.message, 'cannot write to the data directory /var/lib/sorcha (dataDir): permission denied: choose a writable directory with --data-dir, or give this user write access to it')
  })
})
