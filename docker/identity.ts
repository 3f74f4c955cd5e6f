/**
 * The container entry point's identity step (docker/entrypoint.sh), kept out of the CLI: it loads
 * the identity module and @libp2p/peer-id only (one small Node.js process), and it does what `id`
 * cannot: install a key from a read-only Secret, checking it against the one in place, and read the
 * peer id of a key file without a data directory.
 *
 *   node docker/identity.ts <data dir> [--seed <key file>]
 *       loads the node's identity, creating it if the data directory has none (from the seed key
 *       when one is given: the bootstrap node's pre-generated key); prints the peer id.
 *   node docker/identity.ts --peer-id-of <key file>
 *       prints the peer id of a key file without touching any data directory.
 *
 * Failures: exit 1 with one line on stderr naming what failed, the setting, its value and the fix.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { privateKeyFromProtobuf } from '@libp2p/crypto/keys'
import type { PrivateKey } from '@libp2p/interface'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { IDENTITY_FILE, loadOrCreateIdentity } from '../src/node/identity.ts'

/** A failure of the identity step, reported as one line. */
export class EntrypointIdentityError extends Error {
  override name = 'EntrypointIdentityError'
}

/** Reads a key file given by an entry point setting (BOOTSTRAP_IDENTITY_FILE). */
async function readKey (path: string, setting: string): Promise<{ key: PrivateKey, bytes: Uint8Array }> {
  let bytes: Uint8Array
  try {
    bytes = await readFile(path)
  } catch (err) {
    throw new EntrypointIdentityError(`cannot read the bootstrap identity: ${setting}=${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}; mount the Secret that holds it (docs/deployment.md)`)
  }
  try {
    return { key: privateKeyFromProtobuf(bytes), bytes }
  } catch {
    throw new EntrypointIdentityError(`the bootstrap identity is not a libp2p private key: ${setting}=${path}: put the identity.key file that \`sorcha-peer id\` creates in the Secret`)
  }
}

/**
 * Loads (or creates) the identity in `dataDir`, seeding it from `seedPath` when the directory has
 * none; resolves with the peer id. A seed that disagrees with the identity already there is refused.
 */
export async function ensureIdentity (dataDir: string, seedPath?: string): Promise<string> {
  if (seedPath !== undefined) {
    const seed = await readKey(seedPath, 'BOOTSTRAP_IDENTITY_FILE')
    const seedId = peerIdFromPrivateKey(seed.key).toString()
    try {
      await mkdir(dataDir, { recursive: true, mode: 0o700 })
      // 'wx': a key already in place is never overwritten; it is compared below instead.
      await writeFile(join(dataDir, IDENTITY_FILE), seed.bytes, { mode: 0o600, flag: 'wx' })
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw new EntrypointIdentityError(`cannot write the node identity: SORCHA_DATA_DIR=${dataDir}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}; make the data directory writable by the node's user`)
    }
    const own = await loadIdentity(dataDir)
    if (own !== seedId) throw new EntrypointIdentityError(`the bootstrap node's identity ${own} in ${join(dataDir, IDENTITY_FILE)} is not the one in the Secret (${seedId}): BOOTSTRAP_IDENTITY_FILE=${seedPath}: move the old identity.key away or put it in the Secret`)
    return own
  }
  return await loadIdentity(dataDir)
}

async function loadIdentity (dataDir: string): Promise<string> {
  try {
    const { privateKey } = await loadOrCreateIdentity(dataDir)
    return peerIdFromPrivateKey(privateKey).toString()
  } catch (err) {
    const { code, syscall } = err as NodeJS.ErrnoException
    // A bare file-system error (creating the directory or the key); the node's own identity errors
    // already name the file, the reason and the fix, and pass through as they are.
    if (code !== undefined && syscall !== undefined) throw new EntrypointIdentityError(`cannot create the node identity: SORCHA_DATA_DIR=${dataDir}: ${code}; make the data directory writable by the node's user (uid 1000)`)
    throw new EntrypointIdentityError((err as Error).message)
  }
}

/** The peer id of a key file. */
export async function peerIdOf (path: string): Promise<string> {
  return peerIdFromPrivateKey((await readKey(path, 'BOOTSTRAP_IDENTITY_FILE')).key).toString()
}

async function main (argv: string[]): Promise<number> {
  let parsed
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: { seed: { type: 'string' }, 'peer-id-of': { type: 'string' } } })
  } catch (err) {
    process.stderr.write(`sorcha-entrypoint: ${(err as Error).message}\n`)
    return 2
  }
  const { values, positionals } = parsed
  try {
    if (values['peer-id-of'] !== undefined) {
      process.stdout.write(`${await peerIdOf(values['peer-id-of'])}\n`)
      return 0
    }
    const [dataDir] = positionals
    if (dataDir === undefined || positionals.length !== 1) {
      process.stderr.write('sorcha-entrypoint: usage: identity.ts <data dir> [--seed <key file>] | --peer-id-of <key file>\n')
      return 2
    }
    process.stdout.write(`${await ensureIdentity(dataDir, values.seed)}\n`)
    return 0
  } catch (err) {
    if (!(err instanceof EntrypointIdentityError)) throw err
    process.stderr.write(`sorcha-entrypoint: ${err.message}\n`)
    return 1
  }
}

if (import.meta.main) process.exitCode = await main(process.argv.slice(2))
