/**
 * The node's persistent Ed25519 identity: <dataDir>/identity.key holds the libp2p protobuf encoding
 * of the private key, created on first start with mode 0600 (directory 0700). The peer id follows
 * from it, so a restarted node keeps its id and peers' records of it stay valid.
 */
import { access, chmod, constants, mkdir, readFile, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import type { PrivateKey } from '@libp2p/interface'
import { DataDirUnwritableError, StartupError, flagOf, fsReason } from '../config/index.ts'

/** File name of the identity key inside the data directory. */
export const IDENTITY_FILE = 'identity.key'

/** The identity file exists but cannot be used. */
export class IdentityError extends StartupError {
  override name = 'IdentityError'
  /** The identity file. */
  readonly path: string
  constructor (what: string, path: string, reason: string, fix: string, cause?: unknown) {
    super(what, 'dataDir', path, reason, fix, { cause })
    this.path = path
  }
}

/** The identity file cannot be read (permissions, a directory in its place). */
export class IdentityUnreadableError extends IdentityError {
  override name = 'IdentityUnreadableError'
  constructor (path: string, cause: unknown) {
    const fix = (cause as NodeJS.ErrnoException | undefined)?.code === 'EISDIR'
      ? 'it must be a file: move the directory away to create a new identity (a new peer id)'
      : 'give this user read access to it'
    super('cannot read the node identity', path, fsReason(cause), `${fix}, or choose another data directory with ${flagOf('dataDir')}`, cause)
  }
}

/** The identity file is not a libp2p private key. */
export class IdentityCorruptError extends IdentityError {
  override name = 'IdentityCorruptError'
  constructor (path: string, cause: unknown) {
    super('cannot use the node identity', path, 'not a libp2p private key', 'restore it from a backup, or move it away to create a new identity (a new peer id)', cause)
  }
}

/** Creates the data directory (0700) if needed and checks that this process can write to it. */
export async function prepareDataDir (dataDir: string): Promise<void> {
  try {
    await mkdir(dataDir, { recursive: true, mode: 0o700 })
    await access(dataDir, constants.W_OK | constants.X_OK)
  } catch (err) {
    throw new DataDirUnwritableError(dataDir, fsReason(err), err)
  }
}

/**
 * Loads the identity key, creating it (0600) if the data directory has none.
 * @throws IdentityUnreadableError, IdentityCorruptError, DataDirUnwritableError
 */
export async function loadOrCreateIdentity (dataDir: string): Promise<{ privateKey: PrivateKey, created: boolean, path: string }> {
  const path = join(dataDir, IDENTITY_FILE)
  let bytes: Uint8Array | undefined
  try {
    bytes = await readFile(path)
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    // ENOTDIR: the data directory path runs through a file; prepareDataDir says so below.
    if (code !== 'ENOENT' && code !== 'ENOTDIR') throw new IdentityUnreadableError(path, err)
  }
  if (bytes !== undefined) {
    let privateKey: PrivateKey
    try {
      privateKey = privateKeyFromProtobuf(bytes)
    } catch (err) {
      throw new IdentityCorruptError(path, err)
    }
    // Keys readable by others are tightened rather than refused: the file is ours.
    if (((await stat(path)).mode & 0o077) !== 0) await chmod(path, 0o600).catch(() => {})
    return { privateKey, created: false, path }
  }
  await prepareDataDir(dataDir)
  const privateKey = await generateKeyPair('Ed25519')
  try {
    // 'wx' refuses to overwrite a key another process created in the meantime.
    await writeFile(path, privateKeyToProtobuf(privateKey), { mode: 0o600, flag: 'wx' })
  } catch (err) {
    // Another process (a second `id` or `start`) created it first: use that one.
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return loadOrCreateIdentity(dataDir)
    throw new DataDirUnwritableError(dataDir, fsReason(err), err)
  }
  return { privateKey, created: true, path }
}
