import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { resolveConfig, type ConfigInput } from '../../../src/config/index.ts'
import { checkExposure } from '../../../src/gateway/exposure.ts'

const gateway = (input: NonNullable<ConfigInput['gateway']>) => resolveConfig({ file: { path: 'test', data: { gateway: input } } }).gateway
const TLS = { cert: '/tls/node.crt', key: '/tls/node.key', ca: '/tls/ca.crt' }

describe('checkExposure: a reachable API needs a token or mutual TLS, or gateway.allowInsecure', () => {
  it('allows loopback listeners without protection', () => {
    for (const host of ['127.0.0.1', '127.0.0.2', '::1', 'localhost']) checkExposure(gateway({ grpc: { host }, rest: { host } }))
  })

  it('refuses each reachable listener with neither, naming its setting and value', () => {
    assert.throws(() => { checkExposure(gateway({ grpc: { host: '0.0.0.0' } })) }, (err: Error & { setting?: string, value?: string, exitCode?: number }) =>
      err.name === 'InsecureApiError' && err.setting === 'gateway.grpc.host' && err.value === '0.0.0.0' && err.exitCode === 2)
    assert.throws(() => { checkExposure(gateway({ rest: { host: '::' } })) }, { name: 'InsecureApiError', setting: 'gateway.rest.host', value: '::' })
    assert.throws(() => { checkExposure(gateway({ rest: { host: '192.0.2.7' }, tls: { cert: TLS.cert, key: TLS.key } })) }, { name: 'InsecureApiError' }, 'TLS without client certificates is not enough')
  })

  it('accepts a token, a token file, mutual TLS, or the explicit insecure setting', () => {
    const open = { grpc: { host: '0.0.0.0' }, rest: { host: '0.0.0.0' } }
    checkExposure(gateway({ ...open, token: 't0ken' }))
    checkExposure(gateway({ ...open, tokenFile: '/run/secrets/token' }))
    checkExposure(gateway({ ...open, tls: { ...TLS, requireClientCert: true } }))
    checkExposure(gateway({ ...open, allowInsecure: true }))
  })
})
