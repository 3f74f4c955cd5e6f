/**
 * The node's one LevelDB database (via `level`) in <dataDir>/db. LevelDB locks its directory, so a
 * process opens it once and hands each domain a sublevel (peers, transactions, queue...). Values are
 * raw bytes (protobuf encodings); keys are strings.
 */
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { Level } from 'level'
import type { AbstractSublevel } from 'abstract-level'
import { StartupError, flagOf, fsReason } from '../config/index.ts'

/** A domain's slice of the database: string keys, byte values. */
export type Sublevel = AbstractSublevel<Level<string, Uint8Array>, string | Uint8Array | Buffer, string, Uint8Array>

/** The database could not be opened. */
export class StorageOpenError extends StartupError {
  override name = 'StorageOpenError'
  /** The database directory. */
  readonly path: string
  /** True when another process holds the database's lock (typically a running node). */
  readonly locked: boolean
  constructor (path: string, reason: string, cause?: unknown, locked = false) {
    super('cannot open the database', 'dataDir', path, reason, locked
      ? `stop the node that uses this data directory, or choose another with ${flagOf('dataDir')}`
      : `check the disk and the directory's permissions, or choose another data directory with ${flagOf('dataDir')}`, { cause })
    this.path = path
    this.locked = locked
  }
}

/** Another process (commonly a running node) holds the database's lock. */
export class DatabaseLockedError extends StorageOpenError {
  override name = 'DatabaseLockedError'
  constructor (path: string, cause?: unknown) {
    super(path, 'locked by another process', cause, true)
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
  /** True while the database is open. */
  readonly isOpen: boolean
}

/** Creates the database handle for `dataDir` (not yet open). */
export function createStorage (dataDir: string): Storage {
  const path = join(dataDir, 'db')
  const db = new Level<string, Uint8Array>(path, { valueEncoding: 'view', keyEncoding: 'utf8' })
  const subs = new Map<string, Sublevel>()
  return {
    path,
    get isOpen () {
      return db.status === 'open'
    },
    open: async () => {
      if (db.status === 'open') return
      try {
        await mkdir(path, { recursive: true, mode: 0o700 })
      } catch (err) {
        throw new StorageOpenError(path, fsReason(err), err)
      }
      try {
        await db.open()
      } catch (err) {
        const cause = (err as { cause?: { code?: string, message?: string } }).cause
        if (cause?.code === 'LEVEL_LOCKED' || /lock/i.test(cause?.message ?? '')) throw new DatabaseLockedError(path, err)
        throw new StorageOpenError(path, (cause?.message ?? (err as Error).message).split('\n')[0] ?? 'unknown error', err)
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
