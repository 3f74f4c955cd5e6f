/** TLS material of the API servers, read once from the files the configuration names. */
import { readFile } from 'node:fs/promises'

/** PEM-encoded certificate chain, key and (for mutual TLS) CA bundle. */
export interface TlsMaterial {
  cert: Buffer
  key: Buffer
  ca?: Buffer
}

/** A TLS file named in the configuration cannot be read. */
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

/** Loads the TLS files of the `gateway.tls` section; undefined when TLS is off. */
export async function loadTls (tls: { cert: string, key: string, ca: string }): Promise<TlsMaterial | undefined> {
  if (tls.cert === '' || tls.key === '') return undefined
  const [cert, key, ca] = await Promise.all([
    read('gateway.tls.cert', tls.cert), read('gateway.tls.key', tls.key), tls.ca === '' ? undefined : read('gateway.tls.ca', tls.ca)
  ])
  return ca === undefined ? { cert, key } : { cert, key, ca }
}
