/**
 * The node's persistent Ed25519 identity: <dataDir>/identity.key holds the libp2p protobuf encoding
 * of the private key, created on first start with mode 0600 (directory 0700). The peer id follows
 * from it, so a restarted node keeps its id and peers' records of it stay valid.
 */
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import type { PrivateKey } from '@libp2p/interface'

/** File name of the identity key inside the data directory. */
export const IDENTITY_FILE = 'identity.key'

/** The identity file exists but is not a usable key. */
export class IdentityError extends Error {
  override name = 'IdentityError'
  readonly path: string
  constructor (path: string, reason: string) {
    super(`cannot use the node identity in ${path}: ${reason}`)
    this.path = path
  }
}

/** Loads the identity key, creating it (0600) if the data directory has none. */
export async function loadOrCreateIdentity (dataDir: string): Promise<{ privateKey: PrivateKey, created: boolean, path: string }> {
  const path = join(dataDir, IDENTITY_FILE)
  let bytes: Uint8Array | undefined
  try {
    bytes = await readFile(path)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new IdentityError(path, (err as Error).message)
  }
  if (bytes !== undefined) {
    let privateKey: PrivateKey
    try {
      privateKey = privateKeyFromProtobuf(bytes)
    } catch (err) {
      throw new IdentityError(path, `not a libp2p private key (${(err as Error).message}); move it away to create a new identity`)
    }
    // Keys readable by others are tightened rather than refused: the file is ours.
    if (((await stat(path)).mode & 0o077) !== 0) await chmod(path, 0o600)
    return { privateKey, created: false, path }
  }
  await mkdir(dataDir, { recursive: true, mode: 0o700 })
  const privateKey = await generateKeyPair('Ed25519')
  // 'wx' refuses to overwrite a key another process created in the meantime.
  await writeFile(path, privateKeyToProtobuf(privateKey), { mode: 0o600, flag: 'wx' })
  return { privateKey, created: true, path }
}
