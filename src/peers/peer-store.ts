/**
 * The peer list's LevelDB layer: records and their indexes (keys.ts), written together in one atomic
 * batch, and listings served from an index range so that an ordered or filtered query reads only the
 * keys it returns (at most `limit` per status range), never the whole list.
 */
import { PeerNode, decodeValid, validatePeerNode, type PeerStatus } from '../../protocols/models/index.ts'
import type { Sublevel } from '../storage/index.ts'
import {
  RECORD_PREFIX, indexKeys, indexPrefix, peerIdOfIndexKey, prefixRange, recordKey, seenKey, type OrderBy
} from './keys.ts'

type BatchOp = { type: 'put', key: string, value: Uint8Array } | { type: 'del', key: string }

/** A listing request as the store understands it. */
export interface StoreQuery {
  status?: readonly PeerStatus[]
  orderBy?: OrderBy
  direction?: 'asc' | 'desc'
  limit?: number
}

/** A record read while loading: valid, or the reason it was skipped. */
export type LoadedRecord = { key: string, ok: true, node: PeerNode } | { key: string, ok: false, field: string, reason: string }

const EMPTY = new Uint8Array(0)
/** Index keys written per batch while rebuilding. */
const REBUILD_BATCH_KEYS = 4096

function decodeRecord (key: string, bytes: Uint8Array): LoadedRecord {
  const result = decodeValid<PeerNode>(PeerNode, validatePeerNode, bytes)
  if (!result.ok) return { key, ok: false, field: result.field, reason: result.reason }
  if (recordKey(result.value.peerId) !== key) return { key, ok: false, field: 'peerId', reason: 'does not match its key' }
  return { key, ok: true, node: result.value }
}

/** Records and indexes of the peer list in one sublevel. Not concurrency-safe by itself: callers serialise writes. */
export class PeerStore {
  private readonly db: Sublevel
  /** Index keys read by listings since creation (diagnostics; tests use it to prove there is no scan). */
  indexKeysRead = 0

  constructor (db: Sublevel) {
    this.db = db
  }

  /** The valid record of a peer; undefined if absent or invalid. */
  async get (peerId: string): Promise<PeerNode | undefined> {
    const bytes = await this.db.get(recordKey(peerId))
    if (bytes === undefined) return undefined
    const loaded = decodeRecord(recordKey(peerId), bytes)
    return loaded.ok ? loaded.node : undefined
  }

  /** The batch that turns `before` into `after` (either may be undefined: add, remove). */
  ops (before: PeerNode | undefined, after: PeerNode | undefined): BatchOp[] {
    const keep = new Set(after === undefined ? [] : indexKeys(after))
    const ops: BatchOp[] = []
    if (before !== undefined) {
      for (const key of indexKeys(before)) if (!keep.has(key)) ops.push({ type: 'del', key })
      if (after === undefined) ops.push({ type: 'del', key: recordKey(before.peerId) })
    }
    if (after !== undefined) {
      ops.push({ type: 'put', key: recordKey(after.peerId), value: PeerNode.encode(after).finish() })
      const had = new Set(before === undefined ? [] : indexKeys(before))
      for (const key of keep) if (!had.has(key)) ops.push({ type: 'put', key, value: EMPTY })
    }
    return ops
  }

  /** Applies the operations atomically. */
  async write (ops: BatchOp[]): Promise<void> {
    if (ops.length > 0) await this.db.batch(ops)
  }

  /** Every stored record, valid or not, in peer-id order (for loading at start). */
  async * records (): AsyncGenerator<LoadedRecord> {
    for await (const [key, bytes] of this.db.iterator(prefixRange(RECORD_PREFIX))) yield decodeRecord(key, bytes)
  }

  /** Number of entries in the last-seen index (one per indexed record). */
  async indexedCount (): Promise<number> {
    let n = 0
    for await (const _ of this.db.keys(prefixRange('ls:'))) n++
    return n
  }

  /** Drops every index entry and writes fresh ones for the valid records (used when loading finds damage). */
  async rebuildIndexes (): Promise<void> {
    for (const prefix of ['ls:', 'sc:', 'st:']) await this.db.clear(prefixRange(prefix))
    let ops: BatchOp[] = []
    for await (const record of this.records()) {
      if (!record.ok) continue
      for (const key of indexKeys(record.node)) ops.push({ type: 'put', key, value: EMPTY })
      if (ops.length >= REBUILD_BATCH_KEYS) {
        await this.db.batch(ops)
        ops = []
      }
    }
    await this.write(ops)
  }

  /** Ids of up to `limit` peers seen (or first heard of) before `beforeMs`, stalest first; reads only those keys. */
  async staleIds (beforeMs: number, limit: number): Promise<string[]> {
    const out: string[] = []
    for await (const key of this.db.keys({ gte: 'ls:', lt: `ls:${seenKey(beforeMs)}`, limit })) {
      this.indexKeysRead++
      out.push(peerIdOfIndexKey(key))
    }
    return out
  }

  /** The index keys under a prefix, in order; for tests and diagnostics. */
  async indexKeys (prefix: string): Promise<string[]> {
    const out: string[] = []
    for await (const key of this.db.keys(prefixRange(prefix))) out.push(key)
    return out
  }

  /** A listing served from the records (no order asked) or from index ranges. */
  async list (query: StoreQuery = {}): Promise<PeerNode[]> {
    const limit = query.limit ?? Number.POSITIVE_INFINITY
    if (!(limit > 0)) return []
    if (query.status === undefined && query.orderBy === undefined) return this.listRecords(limit)
    const orderBy = query.orderBy ?? 'lastSeen'
    const reverse = (query.direction ?? 'desc') === 'desc'
    const prefixes = query.status === undefined ? [indexPrefix(orderBy)] : [...new Set(query.status)].map(s => indexPrefix(orderBy, s))
    const entries: Array<{ sort: string, peerId: string }> = []
    for (const prefix of prefixes) {
      const range = { ...prefixRange(prefix), reverse, ...(Number.isFinite(limit) ? { limit } : {}) }
      for await (const key of this.db.keys(range)) {
        this.indexKeysRead++
        entries.push({ sort: key.slice(prefix.length), peerId: peerIdOfIndexKey(key) })
      }
    }
    // Each range is already in order; merging them needs only a sort of at most limit × ranges keys.
    entries.sort((a, b) => (a.sort < b.sort ? -1 : a.sort > b.sort ? 1 : 0) * (reverse ? -1 : 1))
    const ids = [...new Set(entries.map(e => e.peerId))].slice(0, limit)
    const wanted = query.status === undefined ? undefined : new Set<number>(query.status)
    return (await this.getMany(ids)).filter(node => wanted === undefined || wanted.has(node.status))
  }

  /** The `perStatus` lowest-scored (then stalest) records of each status: eviction candidates. */
  async lowestPerStatus (statuses: readonly PeerStatus[], perStatus: number): Promise<PeerNode[]> {
    const lists = await Promise.all(statuses.map(async status => this.list({ status: [status], orderBy: 'score', direction: 'asc', limit: perStatus })))
    return lists.flat()
  }

  /** Valid records for these ids, in the same order, skipping absent or invalid ones. */
  async getMany (peerIds: string[]): Promise<PeerNode[]> {
    if (peerIds.length === 0) return []
    const values = await this.db.getMany(peerIds.map(recordKey))
    const out: PeerNode[] = []
    values.forEach((bytes, i) => {
      if (bytes === undefined) return
      const loaded = decodeRecord(recordKey(peerIds[i] ?? ''), bytes)
      if (loaded.ok) out.push(loaded.node)
    })
    return out
  }

  private async listRecords (limit: number): Promise<PeerNode[]> {
    const out: PeerNode[] = []
    for await (const record of this.records()) {
      if (record.ok) out.push(record.node)
      if (out.length >= limit) break
    }
    return out
  }
}
