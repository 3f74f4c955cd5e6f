/**
 * Frames of /sorcha/tx-gossip/1.0.0 (SPEC.md §4) to and from the core's logical messages: tx ids
 * are 32 bytes on the wire and lower-case hex in the core. Decoding never throws: anything malformed
 * comes back as an `invalid` frame with the code the core turns into a reject verdict.
 */
import type { BinaryWriter } from '@bufbuild/protobuf/wire'
import { Compression, GossipFrame, type Chunk } from '../../protos/gen/sorcha/p2p/v1/tx_gossip.ts'
import { isRegisterId, validateTransactionNotification, type TransactionNotification } from '../../protocols/models/index.ts'
import { BloomFilter, type GossipMessage, type InvItem, type InvalidFrameCode } from '../../protocols/tx-gossip/index.ts'
import { MAX_CHUNK_BYTES } from './constants.ts'
import { Int64Writer } from './int64-writer.ts'
import { hexOfId } from './hex-id.ts'
import { decodeChunkFrame } from './chunk-decoder.ts'

/** A body chunk as the adapter handles it (data possibly gzip). */
export interface ChunkFrame {
  id: string
  offset: number
  length: number
  total: number
  hops: number
  gzip: boolean
  data: Uint8Array
  /** Present on the chunk at offset 0. */
  notification?: TransactionNotification
}

/** A decoded inbound frame. */
export type InboundFrame =
  | { kind: 'message', message: GossipMessage }
  | { kind: 'chunk', chunk: ChunkFrame }
  | { kind: 'invalid', code: InvalidFrameCode }

const TX_ID_BYTES = 32
/** Messages up to this size are encoded in one reused buffer (larger ones in a fresh one, so the buffer stays small). */
const SHARED_WRITER_MAX_BYTES = 64 * 1024
const shared = new Int64Writer()

/**
 * Encodes `message` with `encode`, into a reused buffer when `sizeHint` is small: a fresh writer
 * grows its buffer by doubling from a few bytes, which was a tenth of a sender's CPU in the queue
 * benchmark. finish() copies the bytes out and rewinds the shared writer.
 */
export function encodeWith<T> (encode: (message: T, writer: BinaryWriter) => BinaryWriter, message: T, sizeHint: number): Uint8Array {
  if (sizeHint > SHARED_WRITER_MAX_BYTES) return encode(message, new Int64Writer()).finish()
  try {
    return encode(message, shared).finish()
  } catch (err) {
    shared.finish()
    throw err
  }
}

// Node's hex decoder (ids come from toHex, so they are valid hex; Buffer.from stops at the first
// invalid pair, which the length check catches): fromHex per id was 3 % of a receiver's CPU.
const idBytes = (id: string): Uint8Array => {
  const bytes = Buffer.from(id, 'hex')
  return bytes.length * 2 === id.length ? bytes : new Uint8Array(0)
}

/** Encodes a control message as a GossipFrame. */
export function encodeMessage (message: GossipMessage): Uint8Array {
  switch (message.type) {
    case 'inv':
      return GossipFrame.encode({ inv: { items: message.items.map(i => ({ txId: idBytes(i.id), sizeBytes: i.size, hopCount: i.hops, registerId: i.register ?? '', origin: i.origin ?? 0 })) } }).finish()
    case 'getdata':
      return GossipFrame.encode({ getdata: { items: message.items.map(i => ({ txId: idBytes(i.id), offset: i.offset })), graft: [], prune: [] } }).finish()
    case 'tree':
      return GossipFrame.encode({ getdata: { items: [], graft: message.graft, prune: message.prune } }).finish()
    case 'notfound':
      return GossipFrame.encode({ notfound: { txIds: message.ids.map(idBytes) } }).finish()
    case 'summary': {
      const { k, salt, bits } = message.filter.toWire()
      return GossipFrame.encode({ summary: { filter: { hashCount: k, salt, bits } } }).finish()
    }
  }
}

/** Encodes a body chunk as a GossipFrame. */
export function encodeChunk (chunk: ChunkFrame): Uint8Array {
  const frame: Chunk = {
    txId: idBytes(chunk.id),
    offset: chunk.offset,
    length: chunk.length,
    totalBytes: chunk.total,
    hopCount: chunk.hops,
    compression: chunk.gzip ? Compression.COMPRESSION_GZIP : Compression.COMPRESSION_NONE,
    data: chunk.data,
    notification: chunk.notification
  }
  return encodeWith(GossipFrame.encode, { chunk: frame }, chunk.data.length + 512)
}

const invalid = (code: InvalidFrameCode): InboundFrame => ({ kind: 'invalid', code })
const bytesEqual = (a: Uint8Array, b: Uint8Array): boolean => Buffer.compare(a, b) === 0
const isId = (bytes: Uint8Array): boolean => bytes.length === TX_ID_BYTES

function decodeChunk (c: Chunk): InboundFrame {
  if (!isId(c.txId) || c.length > MAX_CHUNK_BYTES) return invalid('malformed-frame')
  if (c.compression !== Compression.COMPRESSION_NONE && c.compression !== Compression.COMPRESSION_GZIP) return invalid('malformed-frame')
  const gzip = c.compression === Compression.COMPRESSION_GZIP
  if (!gzip && c.data.length !== c.length) return invalid('malformed-frame')
  const id = hexOfId(c.txId)
  const chunk: ChunkFrame = { id, offset: c.offset, length: c.length, total: c.totalBytes, hops: c.hopCount, gzip, data: c.data }
  if (c.offset === 0) {
    const n = c.notification
    if (n === undefined || !validateTransactionNotification(n).ok || !bytesEqual(n.txId, c.txId) || n.sizeBytes !== c.totalBytes) return invalid('bad-notification')
    chunk.notification = n
  }
  return { kind: 'chunk', chunk }
}

function decodeBody (frame: GossipFrame): InboundFrame {
  if (frame.inv !== undefined) {
    // An item's register is empty (unknown) or a register id (SPEC.md §3.7).
    if (!frame.inv.items.every(i => isId(i.txId) && (i.registerId === '' || isRegisterId(i.registerId)))) return invalid('malformed-frame')
    const items = frame.inv.items.map((i): InvItem => {
      const item: InvItem = { id: hexOfId(i.txId), size: i.sizeBytes, hops: i.hopCount }
      if (i.registerId !== '') item.register = i.registerId
      if (i.origin !== 0) item.origin = i.origin
      return item
    })
    return { kind: 'message', message: { type: 'inv', items } }
  }
  if (frame.getdata !== undefined) {
    const { items, graft, prune } = frame.getdata
    if (!items.every(i => isId(i.txId))) return invalid('malformed-frame')
    // A GetData asks for bodies, or (with no items) grafts and prunes push trees (SPEC.md §3.8).
    if (items.length === 0 && (graft.length > 0 || prune.length > 0)) return { kind: 'message', message: { type: 'tree', graft, prune } }
    return { kind: 'message', message: { type: 'getdata', items: items.map(i => ({ id: hexOfId(i.txId), offset: i.offset })) } }
  }
  if (frame.notfound !== undefined) {
    if (!frame.notfound.txIds.every(isId)) return invalid('malformed-frame')
    return { kind: 'message', message: { type: 'notfound', ids: frame.notfound.txIds.map(hexOfId) } }
  }
  if (frame.summary !== undefined) {
    const wire = frame.summary.filter
    const filter = wire === undefined ? undefined : BloomFilter.fromWire({ k: wire.hashCount, salt: wire.salt, bits: wire.bits })
    return filter === undefined ? invalid('bad-summary') : { kind: 'message', message: { type: 'summary', filter } }
  }
  return frame.chunk === undefined ? invalid('malformed-frame') : decodeChunk(frame.chunk)
}

/** Decodes one frame's bytes. */
export function decodeFrame (bytes: Uint8Array): InboundFrame {
  // Nearly every received frame is a chunk: read the usual layout directly (chunk-decoder.ts).
  const fast = decodeChunkFrame(bytes)
  if (fast !== undefined) return decodeChunk(fast)
  let frame: GossipFrame
  try {
    frame = GossipFrame.decode(bytes)
  } catch {
    return invalid('malformed-frame')
  }
  // Exactly one body (counted without an array: one frame per transaction body).
  const set = (frame.inv === undefined ? 0 : 1) + (frame.getdata === undefined ? 0 : 1) + (frame.notfound === undefined ? 0 : 1) +
    (frame.summary === undefined ? 0 : 1) + (frame.chunk === undefined ? 0 : 1)
  return set === 1 ? decodeBody(frame) : invalid('malformed-frame')
}
