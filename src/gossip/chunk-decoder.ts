/**
 * A fast path for the frame that carries nearly every received body: a GossipFrame holding only a
 * chunk (SPEC.md §4), one per transaction. It reads the layout the encoders write (known fields with
 * their wire types, the chunk up to the frame's end) with the library's reader, and turns uint64
 * fields into numbers without the generated decoder's BigInt and decimal string per field (a chunk
 * carries five). Anything else (an unknown field, a wrong wire type, bytes the reader refuses, a
 * number beyond 2^53 - 1) returns undefined, and the caller decodes the frame with the generated
 * decoder, so a frame decodes to what GossipFrame.decode gives whichever path takes it (tested
 * against it on valid and mutated frames).
 */
import { BinaryReader } from '@bufbuild/protobuf/wire'
import type { Chunk, Compression } from '../../protos/gen/sorcha/p2p/v1/tx_gossip.ts'
import type { TransactionNotification } from '../../protocols/models/index.ts'

/** GossipFrame.chunk: field 5, length-delimited. */
const FRAME_CHUNK = 42

/** The reader's 64-bit varint, as its own uint64() reads it (low and high 32 bits; not in its types). */
interface Varint64Reader { varint64: () => void, varint64Lo: number, varint64Hi: number }

const TWO_32 = 4_294_967_296

/** Thrown inside the fast path to give the frame to the generated decoder. */
class NotCanonical extends Error {}

function uint64 (reader: BinaryReader): number {
  const r = reader as unknown as Varint64Reader
  r.varint64()
  const value = (r.varint64Hi >>> 0) * TWO_32 + (r.varint64Lo >>> 0)
  // The generated decoder refuses what a number cannot hold exactly; it decides (and throws).
  if (value > Number.MAX_SAFE_INTEGER) throw new NotCanonical()
  return value
}

function notification (reader: BinaryReader, end: number): TransactionNotification {
  const n: TransactionNotification = { txId: new Uint8Array(0), registerId: '', sender: '', timestampMs: 0, sizeBytes: 0, contentType: '', hopCount: 0 }
  while (reader.pos < end) {
    switch (reader.uint32()) {
      case 10: n.txId = reader.bytes(); break
      case 18: n.registerId = reader.string(); break
      case 26: n.sender = reader.string(); break
      case 32: n.timestampMs = uint64(reader); break
      case 40: n.sizeBytes = uint64(reader); break
      case 50: n.contentType = reader.string(); break
      case 56: n.hopCount = reader.uint32(); break
      default: throw new NotCanonical()
    }
  }
  if (reader.pos !== end) throw new NotCanonical()
  return n
}

function chunk (reader: BinaryReader): Chunk {
  const c: Chunk = { txId: new Uint8Array(0), offset: 0, length: 0, totalBytes: 0, hopCount: 0, compression: 0, data: new Uint8Array(0), notification: undefined }
  while (reader.pos < reader.len) {
    switch (reader.uint32()) {
      case 10: c.txId = reader.bytes(); break
      case 16: c.offset = uint64(reader); break
      case 24: c.length = uint64(reader); break
      case 32: c.totalBytes = uint64(reader); break
      case 40: c.hopCount = reader.uint32(); break
      case 48: c.compression = reader.int32() as Compression; break
      case 58: c.data = reader.bytes(); break
      case 66: {
        const length = reader.uint32()
        const end = reader.pos + length
        if (end > reader.len) throw new NotCanonical()
        c.notification = notification(reader, end)
        break
      }
      default: throw new NotCanonical()
    }
  }
  if (reader.pos !== reader.len) throw new NotCanonical()
  return c
}

/** The chunk of a frame that holds only a chunk, laid out as the encoders write it; undefined otherwise (decode it the general way). */
export function decodeChunkFrame (bytes: Uint8Array): Chunk | undefined {
  if (bytes[0] !== FRAME_CHUNK) return undefined
  try {
    const reader = new BinaryReader(bytes)
    reader.uint32()
    const length = reader.uint32()
    // One field that runs to the end of the frame: nothing after it.
    if (reader.pos + length !== reader.len) return undefined
    return chunk(reader)
  } catch {
    return undefined
  }
}
