import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { resolveConfig } from '../../../src/config/index.ts'
import { MASK, isSecretSetting, maskSecrets } from '../../../src/config/secrets.ts'

describe('maskSecrets', () => {
  it('masks the API token when set, shows the TLS key file path, and leaves everything else alone', () => {
    const config = resolveConfig({ file: { path: 'test', data: { gateway: { token: 's3cret', tls: { cert: '/etc/tls/node.crt', key: '/etc/tls/node.key' } } } } })
    const masked = maskSecrets(config)
    assert.equal(masked.gateway.token, MASK)
    assert.equal(masked.gateway.tls.key, '/etc/tls/node.key')
    assert.equal(masked.gateway.tls.cert, '/etc/tls/node.crt')
    assert.deepEqual({ ...masked, gateway: { ...masked.gateway, token: 's3cret' } }, config)
    assert.equal(config.gateway.token, 's3cret', 'the original is untouched')
  })

  it('shows an unset secret as empty, so the output still says whether one is configured', () => {
    assert.equal(maskSecrets(resolveConfig({})).gateway.token, '')
  })

  it('knows secrets by name (token, passphrase, *Key...) and private-key PEM by value', () => {
    for (const key of ['gateway.token', 'a.apiKey', 'identity.passphrase', 'x.password', 'x.clientSecret', 'x.credentials']) assert.ok(isSecretSetting(key), key)
    for (const key of ['gateway.tls.cert', 'monkey', 'peers.maxKnown', 'tokens.count', 'keyring.size', 'gateway.tls.key']) assert.ok(!isSecretSetting(key), key)
    const pem = '-----BEGIN PRIVATE KEY-----\nMIIE...\n-----END PRIVATE KEY-----\n'
    assert.deepEqual(maskSecrets({ extra: { inline: pem, list: ['a', pem] }, n: 3 }), { extra: { inline: MASK, list: ['a', MASK] }, n: 3 })
  })
})
