/**
 * Masking of secrets for display (`sorcha-peer config`): a setting whose name says it holds a secret
 * (token, secret, password, passphrase, credential, privateKey, apiKey...) is shown as MASK when
 * set, and so is any value that carries PEM private-key material, whatever its name. Unset (empty)
 * values stay visible, so the output still shows whether a secret is configured.
 */

/** What a masked value is printed as. */
export const MASK = '********'

/** A last key segment that marks a secret: the word itself (`token`) or a camelCase end (`apiKey`). */
// A bare `key` is not on the list: gateway.tls.key is the path of the key file, which an operator
// needs to see; the key material itself is caught by PRIVATE_KEY_PEM if it is ever inlined.
const SECRET_NAME = /^(token|secret|password|passphrase|credentials?)$|(Token|Secret|Password|Passphrase|Credentials?|Key)$/

const PRIVATE_KEY_PEM = /-----BEGIN [A-Z ]*PRIVATE KEY-----/

/** Whether a setting (dotted key, e.g. gateway.token) holds a secret by its name. */
export function isSecretSetting (key: string): boolean {
  return SECRET_NAME.test(key.split('.').at(-1) ?? '')
}

function mask (value: unknown, key: string): unknown {
  if (typeof value === 'string') return value !== '' && (isSecretSetting(key) || PRIVATE_KEY_PEM.test(value)) ? MASK : value
  if (Array.isArray(value)) return value.map(item => mask(item, key))
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([name, child]) => [name, mask(child, key === '' ? name : `${key}.${name}`)]))
  }
  return value
}

/** A copy of a configuration (or any part of it) with its secrets replaced by MASK. */
export function maskSecrets<T> (config: T): T {
  return mask(config, '') as T
}
