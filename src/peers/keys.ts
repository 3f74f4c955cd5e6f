/**
 * Key layout of the peer list inside its `peers` sublevel. One record key per peer plus four index
 * keys, all written in the same batch as the record so that an index never disagrees with it:
 *
 *   rec:<peerId>                              PeerNode protobuf bytes
 *   ls:<seen16>:<peerId>                      by last seen (or first heard of), all statuses
 *   sc:<score5>:<seen16>:<peerId>             by score, then last seen, all statuses
 *   st:<status>:ls:<seen16>:<peerId>          per status, by last seen
 *   st:<status>:sc:<score5>:<seen16>:<peerId> per status, by score, then last seen
 *
 * Numbers are zero-padded to a fixed width so that byte order is numeric order: seen is epoch ms
 * (16 digits covers Number.MAX_SAFE_INTEGER), score is hundredths of a point (0..10000, 5 digits).
 * Index values are empty. Base58 peer ids never contain ':'.
 */
import type { PeerNode, PeerStatus } from '../../protocols/models/index.ts'
import { seenMs } from '../../protocols/peer-health/index.ts'

/** Prefix of record keys. */
export const RECORD_PREFIX = 'rec:'

/** A key range [gte, lt). */
export interface KeyRange { gte: string, lt: string }

/** What a listing is ordered by. */
export type OrderBy = 'lastSeen' | 'score'

const pad = (n: number, width: number): string => Math.max(0, Math.floor(n)).toString().padStart(width, '0')
/** A time as it appears in index keys. */
export const seenKey = (ms: number): string => pad(ms, 16)
const seen16 = (node: PeerNode): string => seenKey(seenMs(node))
const score5 = (node: PeerNode): string => pad(Math.round(node.score * 100), 5)

/** Every key beginning with `prefix`. ';' is the character after ':'. */
export function prefixRange (prefix: string): KeyRange {
  return { gte: prefix, lt: prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1) }
}

/** The record key of a peer. */
export function recordKey (peerId: string): string {
  return RECORD_PREFIX + peerId
}

/** The four index keys of a record. */
export function indexKeys (node: PeerNode): string[] {
  const s = seen16(node)
  const c = score5(node)
  return [
    `ls:${s}:${node.peerId}`,
    `sc:${c}:${s}:${node.peerId}`,
    `st:${node.status}:ls:${s}:${node.peerId}`,
    `st:${node.status}:sc:${c}:${s}:${node.peerId}`
  ]
}

/** The index prefix for an ordering, over all statuses or one. */
export function indexPrefix (orderBy: OrderBy, status?: PeerStatus): string {
  const order = orderBy === 'score' ? 'sc:' : 'ls:'
  return status === undefined ? order : `st:${status}:${order}`
}

/** The peer id at the end of an index key. */
export function peerIdOfIndexKey (key: string): string {
  return key.slice(key.lastIndexOf(':') + 1)
}
