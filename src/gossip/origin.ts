/**
 * Origin tags of push trees (protocols/tx-gossip/SPEC.md §3.8): a publisher's transactions of one
 * register, as the 32-bit tag the core keys its trees by and inventory items carry: the first four
 * bytes of the SHA-256 of the publisher's peer id, a newline and the register id, big-endian, 0 read
 * as 1 (0 means "no origin" on the wire). Per register, so that only nodes that fetched a register's
 * transactions (they serve it) graft its tree. Two streams with one tag share a tree, which costs
 * latency, never a transaction.
 */
import { createHash } from 'node:crypto'

// A node sees few publishers often: each is hashed once (the map starts over past MAX_CACHED).
const MAX_CACHED = 4096
const tags = new Map<string, number>()

/** The origin tag of the transactions of `register` published by `sender` (a peer id string); undefined for an empty sender. */
export function originTag (sender: string, register: string): number | undefined {
  if (sender === '') return undefined
  const key = `${sender}\n${register}`
  let tag = tags.get(key)
  if (tag === undefined) {
    tag = createHash('sha256').update(key).digest().readUInt32BE(0)
    if (tag === 0) tag = 1
    if (tags.size >= MAX_CACHED) tags.clear()
    tags.set(key, tag)
  }
  return tag
}
