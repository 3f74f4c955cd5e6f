/**
 * The node's one LevelDB database (via `level`) in <dataDir>/db. LevelDB locks its directory, so a
 * process opens it once and hands each domain a sublevel (peers, transactions, queue...). Values are
 * raw bytes (protobuf encodings); keys are strings.
 */
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { Level } from 'level'
import type { AbstractSublevel } from 'abstract-level'

/** A domain's slice of the database: string keys, byte values. */
export type Sublevel = AbstractSublevel<Level<string, Uint8Array>, string | Uint8Array | Buffer, string, Uint8Array>

/** The database could not be opened (commonly: another node already uses this data directory). */
export class StorageOpenError extends Error {
  override name = 'StorageOpenError'
  readonly path: string
  /** True when another process holds the database's lock (typically a running node). */
  readonly locked: boolean
  constructor (path: string, reason: string, locked = false) {
    super(`cannot open the database in ${path}: ${reason}`)
    this.path = path
    this.locked = locked
  }
}

/**
 * The node's database. Sublevel handles may be taken before `open()`; they work once it has run.
 * open/close are idempotent and may alternate (the node opens it in start and closes it in stop).
 */
export interface Storage {
  /** A named sublevel; names are fixed strings chosen by each domain. */
  sublevel: (name: string) => Sublevel
  /** Opens (creating if needed); idempotent. */
  open: () => Promise<void>
  /** Flushes and closes; idempotent. */
  close: () => Promise<void>
  readonly path: string
}

/** Creates the database handle for `dataDir` (not yet open). */
export function createStorage (dataDir: string): Storage {
  const path = join(dataDir, 'db')
  const db = new Level<string, Uint8Array>(path, { valueEncoding: 'view', keyEncoding: 'utf8' })
  const subs = new Map<string, Sublevel>()
  return {
    path,
    open: async () => {
      if (db.status === 'open') return
      await mkdir(path, { recursive: true, mode: 0o700 })
      try {
        await db.open()
      } catch (err) {
        const cause = (err as { cause?: { code?: string, message?: string } }).cause
        const locked = cause?.code === 'LEVEL_LOCKED' || /lock/i.test(cause?.message ?? '')
        throw new StorageOpenError(path, locked ? 'it is locked by another process (is another node using this data directory?)' : (cause?.message ?? (err as Error).message), locked)
      }
    },
    sublevel: name => {
      let sub = subs.get(name)
      if (sub === undefined) {
        sub = db.sublevel<string, Uint8Array>(name, { valueEncoding: 'view', keyEncoding: 'utf8' }) as Sublevel
        subs.set(name, sub)
      }
      return sub
    },
    close: async () => {
      if (db.status === 'open' || db.status === 'opening') await db.close()
    }
  }
}

/** Creates and opens the database under `dataDir`. */
export async function openStorage (dataDir: string): Promise<Storage> {
  const storage = createStorage(dataDir)
  await storage.open()
  return storage
}
