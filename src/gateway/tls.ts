/**
 * The API servers' secrets, read from the files the configuration names: the TLS material (and, for
 * mutual TLS, the CA bundle client certificates must chain to) and the API token (inline, or from
 * gateway.tokenFile). Every read is checked before use: the certificate must parse and match the key
 * and the CA bundle must parse, so that a bad file is refused here rather than by a TLS handshake.
 */
import { X509Certificate } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { createSecureContext } from 'node:tls'

/** PEM-encoded certificate chain, key and (for mutual TLS) CA bundle. */
export interface TlsMaterial {
  cert: Buffer
  key: Buffer
  ca?: Buffer
}

/** What the servers authenticate with: TLS material (undefined = plaintext) and the token ('' = none). */
export interface GatewaySecrets {
  tls?: TlsMaterial
  token: string
}

/** The settings the secrets come from (part of the `gateway` section). */
export interface SecretSettings {
  tls: { cert: string, key: string, ca: string }
  token: string
  tokenFile: string
}

/** A TLS or token file named in the configuration cannot be read or is not usable. */
export class TlsFileError extends Error {
  override name = 'TlsFileError'
  readonly path: string
  constructor (key: string, path: string, reason: string) {
    super(`cannot read ${key} (${path}): ${reason}`)
    this.path = path
  }
}

async function read (key: string, path: string): Promise<Buffer> {
  try {
    return await readFile(path)
  } catch (err) {
    throw new TlsFileError(key, path, (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message)
  }
}

/** The first line of an OpenSSL message, without its `error:0123:lib::` prefix. */
const opensslReason = (err: unknown): string => ((err as Error).message.split('\n')[0] ?? '').replace(/^error:[0-9A-F]+:[^:]*::/, '')

/** Checks that the material makes a TLS context (certificate parses and matches the key; CA parses). */
function check (tls: { cert: string, key: string, ca: string }, material: TlsMaterial): void {
  if (material.ca !== undefined) {
    try {
      // createSecureContext accepts a CA file without any certificate in it; X509Certificate does not.
      void new X509Certificate(material.ca)
    } catch (err) {
      throw new TlsFileError('gateway.tls.ca', tls.ca, `not a PEM certificate bundle (${opensslReason(err)})`)
    }
  }
  try {
    createSecureContext({ cert: material.cert, key: material.key })
  } catch (err) {
    const mismatch = (err as { code?: string }).code === 'ERR_OSSL_X509_KEY_VALUES_MISMATCH'
    throw new TlsFileError(mismatch ? 'gateway.tls.key' : 'gateway.tls.cert', mismatch ? tls.key : tls.cert,
      mismatch ? `does not match the certificate ${tls.cert}` : `not a PEM certificate and key (${opensslReason(err)})`)
  }
}

/** Loads and checks the TLS files of the `gateway.tls` section; undefined when TLS is off. */
export async function loadTls (tls: { cert: string, key: string, ca: string }): Promise<TlsMaterial | undefined> {
  if (tls.cert === '' || tls.key === '') return undefined
  const [cert, key, ca] = await Promise.all([
    read('gateway.tls.cert', tls.cert), read('gateway.tls.key', tls.key), tls.ca === '' ? undefined : read('gateway.tls.ca', tls.ca)
  ])
  const material = ca === undefined ? { cert, key } : { cert, key, ca }
  check(tls, material)
  return material
}

/** The token: gateway.token, or the content of gateway.tokenFile without surrounding white space. */
export async function loadToken (settings: { token: string, tokenFile: string }): Promise<string> {
  if (settings.tokenFile === '') return settings.token
  const token = (await read('gateway.tokenFile', settings.tokenFile)).toString('utf8').trim()
  if (token === '') throw new TlsFileError('gateway.tokenFile', settings.tokenFile, 'the file is empty')
  if (/\s/.test(token)) throw new TlsFileError('gateway.tokenFile', settings.tokenFile, 'the token holds white space; write it on one line')
  return token
}

/** Loads and checks every secret file. @throws TlsFileError naming the setting and the file */
export async function loadSecrets (settings: SecretSettings): Promise<GatewaySecrets> {
  const [tls, token] = await Promise.all([loadTls(settings.tls), loadToken(settings)])
  return tls === undefined ? { token } : { tls, token }
}

/** Whether two sets of secrets are the same bytes. */
export function sameSecrets (a: GatewaySecrets, b: GatewaySecrets): boolean {
  const same = (x?: Buffer, y?: Buffer): boolean => x === undefined ? y === undefined : y !== undefined && x.equals(y)
  return a.token === b.token && same(a.tls?.cert, b.tls?.cert) && same(a.tls?.key, b.tls?.key) && same(a.tls?.ca, b.tls?.ca)
}
