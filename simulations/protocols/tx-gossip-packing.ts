/**
 * The simulator's "wire encoding" of tx-gossip messages. A 100,000-node run has about a million
 * messages in flight at any moment; as objects they outlive the young generation and the garbage
 * collector copies them again and again. So the three messages that make up nearly all traffic (an
 * inventory of one item, a request for one item, a body chunk) travel as a small-integer tag plus
 * two numbers in the engine's event record, and become the same logical message again on arrival.
 * So does a summary whose filter is empty: every node sends one to each neighbour when it starts
 * (anti-entropy on connect), 800,000 of them at once in a 100,000-node run. Anything else (other
 * summaries, multi-item messages) travels as the object the core produced.
 *
 * Only encoding lives here: what to send, and what to make of it, is the core's business.
 */
import { BloomFilter } from '../../protocols/tx-gossip/index.ts'
import type { ChunkInput, FetchItem, GossipInput, GossipMessage, InvItem } from '../../protocols/tx-gossip/index.ts'
import { BOXED_TIME, type EffectSink } from '../engine/types.ts'

/** Tag of an inventory of one item: c = transaction index, d = (size × 256 + hops) × 2 + 1 if it names its origin (the publisher's). */
export const INV = 1
/** Tag of a request for one item: c = transaction index, d = offset. */
export const GETDATA = 2
/** Tag of a body chunk: c = transaction index, d = offset × 256 + hops (length and total follow from the body). */
export const CHUNK = 3
/** Tag of a summary whose filter has no bit set: c = the filter's bytes, d = k × 2^32 + salt. */
export const EMPTY_SUMMARY = 4

const HOPS = 256
// (size × 256 + hops) × 2 + 1 must stay an exact double.
const MAX_PACKED_SIZE = 2 ** 44
const SALTS = 2 ** 32
/** Largest empty filter packed (a summary of nothing is a few bytes; a big one is not worth scanning). */
const MAX_EMPTY_SUMMARY_BYTES = 64

/** A packed message: its tag and its two numbers. */
export interface Packed {
  tag: number
  c: number
  d: number
}

const scratch: Packed = { tag: 0, c: 0, d: 0 }

function packed (tag: number, c: number, d: number): Packed {
  scratch.tag = tag
  scratch.c = c
  scratch.d = d
  return scratch
}

const isCount = (n: number, max: number): boolean => Number.isInteger(n) && n >= 0 && n < max

/**
 * The packed form of a message, or undefined when it must travel as an object. The result is
 * shared (overwritten by the next call): read it at once.
 */
export function packMessage (message: GossipMessage, sink: EffectSink): Packed | undefined {
  if (message.type === 'inv' && message.items.length === 1) {
    const { id, size, hops, origin } = message.items[0]!
    const index = sink.txIndex(id)
    if (index < 0 || !isCount(size, MAX_PACKED_SIZE) || !isCount(hops, HOPS)) return undefined
    // An item names its origin only as the publisher's tag (originOf), so one bit says which.
    if (origin !== undefined && origin !== originOf(sink.txAt(index)!.publisher)) return undefined
    return packed(INV, index, (size * HOPS + hops) * 2 + (origin === undefined ? 0 : 1))
  }
  if (message.type === 'getdata' && message.items.length === 1) {
    const { id, offset } = message.items[0]!
    const index = sink.txIndex(id)
    if (index < 0 || !isCount(offset, Number.MAX_SAFE_INTEGER)) return undefined
    return packed(GETDATA, index, offset)
  }
  if (message.type === 'summary') {
    const { bits, k, salt } = message.filter
    if (bits.length === 0 || bits.length > MAX_EMPTY_SUMMARY_BYTES || bits.some(byte => byte !== 0)) return undefined
    return packed(EMPTY_SUMMARY, bits.length, k * SALTS + salt)
  }
  return undefined
}

/** A simulated publisher's origin tag (push trees): its node index plus one (tags start at 1). */
export function originOf (publisher: number): number {
  return publisher + 1
}

/** The `d` number of a packed body chunk (see CHUNK). */
export function packChunk (offset: number, hops: number): number {
  return offset * HOPS + hops
}

// The inputs of the packed messages are reused from call to call (one event after another, never
// nested): the core reads an input while handling it and keeps none of its objects (it copies the
// ids and numbers it needs), and at 100,000 nodes four short-lived objects per event were a good
// part of the garbage collector's work. Their `now` starts as BOXED_TIME (engine/types.ts): it
// refers to the engine's boxed time instead of holding a number the core would box again for every
// call it passes `now` to.
const invItem: InvItem = { id: '', size: 0, hops: 0, register: undefined, origin: undefined }
const invInput = { type: 'message' as const, now: BOXED_TIME, from: 0, message: { type: 'inv' as const, items: [invItem] } }
const fetchItem: FetchItem = { id: '', offset: 0 }
const getdataInput = { type: 'message' as const, now: BOXED_TIME, from: 0, message: { type: 'getdata' as const, items: [fetchItem] } }
const chunkInput: ChunkInput<number> = { type: 'chunk', now: BOXED_TIME, from: 0, id: '', offset: 0, length: 0, total: 0, hops: 0, register: undefined, origin: undefined }

/**
 * The core's input for a message that arrived (packed or not). For a packed message the input is
 * shared (overwritten by the next call): hand it to the core at once.
 */
export function unpackInput (message: unknown, from: number, now: number, c: number, d: number, sink: EffectSink, chunkBytes: number): GossipInput<number> {
  if (message === EMPTY_SUMMARY) {
    // A fresh filter each time: the core may keep what it is given.
    const filter = BloomFilter.fromWire({ k: Math.floor(d / SALTS), salt: d % SALTS, bits: new Uint8Array(c) })
    if (filter !== undefined) return { type: 'message', now, from, message: { type: 'summary', filter } }
  }
  if (typeof message === 'number') {
    const tx = sink.txAt(c)
    if (tx !== undefined) {
      const id = tx.key
      switch (message) {
        case INV:
          invInput.now = now
          invInput.from = from
          invItem.id = id
          invItem.size = Math.floor(d / (2 * HOPS))
          invItem.hops = Math.floor(d / 2) % HOPS
          invItem.origin = d % 2 === 1 ? originOf(tx.publisher) : undefined
          // A register scenario's items name their register (the sender knows it: it published or
          // received the transaction with it); elsewhere none, as before.
          invItem.register = tx.register
          return invInput
        case GETDATA:
          getdataInput.now = now
          getdataInput.from = from
          fetchItem.id = id
          fetchItem.offset = d
          return getdataInput
        case CHUNK: {
          const total = tx.payload.length
          const offset = Math.floor(d / HOPS)
          chunkInput.now = now
          chunkInput.from = from
          chunkInput.id = id
          chunkInput.offset = offset
          chunkInput.length = Math.min(chunkBytes, total - offset)
          chunkInput.total = total
          chunkInput.hops = d % HOPS
          // The first chunk's notification names the register and the publisher (its origin).
          chunkInput.register = offset === 0 ? tx.register : undefined
          chunkInput.origin = offset === 0 ? originOf(tx.publisher) : undefined
          return chunkInput
        }
      }
    }
  }
  return { type: 'message', now, from, message: message as GossipMessage }
}
