/**
 * Wire sizes of tx-gossip frames for the simulator's bandwidth and byte accounting.
 *
 * The node sends each message as one GossipFrame (protos/sorcha/p2p/v1/tx_gossip.proto) behind a
 * varint length prefix. Encoding every one of a 100,000-node run's hundred million messages with
 * the generated encoder would dominate the run, so sizes are computed from the protobuf encoding
 * rules (https://protobuf.dev/programming-guides/encoding/): a field costs its tag byte plus a varint,
 * or a length varint plus its bytes; proto3 leaves out zero values. test/sim/tx-gossip-sizes.test.ts
 * checks every formula against the generated encoder byte for byte. The one irregular part, the
 * TransactionNotification on a body's first chunk, is encoded for real (once per transaction).
 */
import type { GossipMessage } from '../../protocols/tx-gossip/index.ts'
import { TransactionNotification } from '../../protos/gen/sorcha/p2p/v1/models.ts'
import type { SimTransaction } from '../engine/types.ts'


/** Bytes of a varint encoding of n (n ≥ 0). */
export function varintBytes (n: number): number {
  let bytes = 1
  while (n >= 128) { n = Math.floor(n / 128); bytes++ }
  return bytes
}

/** A length-delimited field: tag, length, payload. */
const field = (payload: number): number => 1 + varintBytes(payload) + payload
/** A varint field: tag and value (omitted when 0, as proto3 does). */
const num = (n: number): number => n === 0 ? 0 : 1 + varintBytes(n)
/** A bytes field (omitted when empty). */
const bytes = (length: number): number => length === 0 ? 0 : field(length)
/** Id bytes on the wire: 32 for a 64-character (hex) key, else the key's own length. */
const idBytes = (id: string): number => id.length === 64 ? 32 : id.length
/** A fixed32 field (an origin tag): tag byte and four bytes, omitted when absent (or 0, as proto3 does). */
const fixed32 = (n: number | undefined): number => n === undefined || n === 0 ? 0 : 5
/** A packed repeated fixed32 field (graft or prune origins), omitted when empty. */
const packedFixed32 = (count: number): number => count === 0 ? 0 : field(4 * count)
/** A GossipFrame holding a message of `content` bytes, with its length prefix. */
const frame = (content: number): number => { const f = field(content); return varintBytes(f) + f }

/** The framed size of a control message. */
export function gossipMessageBytes (m: GossipMessage): number {
  let content = 0
  switch (m.type) {
    case 'inv':
      for (const it of m.items) content += field(bytes(idBytes(it.id)) + num(it.size) + num(it.hops) + bytes(it.register?.length ?? 0) + fixed32(it.origin))
      break
    case 'getdata':
      for (const it of m.items) content += field(bytes(idBytes(it.id)) + num(it.offset))
      break
    case 'notfound':
      for (const id of m.ids) content += 1 + varintBytes(idBytes(id)) + idBytes(id)
      break
    case 'summary':
      content = field(num(m.filter.k) + num(m.filter.salt) + bytes(m.filter.bits.length))
      break
    case 'tree':
      // On the wire a GetData with no items whose graft and prune fields list origins (tx_gossip.proto).
      content = packedFixed32(m.graft.length) + packedFixed32(m.prune.length)
      break
  }
  return frame(content)
}

/** Unix time the simulator's virtual clock starts at, for the size of notification timestamps. */
export const SIM_EPOCH_MS = 1_767_225_600_000 // 2026-01-01T00:00:00Z

const notificationSizes = new WeakMap<SimTransaction, number>()

/** Encoded size of the TransactionNotification a first chunk carries (real encoder, cached per tx). */
export function notificationBytes (tx: SimTransaction, publisherPeerId: string): number {
  let size = notificationSizes.get(tx)
  if (size === undefined) {
    size = TransactionNotification.encode(TransactionNotification.fromPartial({
      txId: tx.id,
      registerId: tx.registerId,
      sender: publisherPeerId,
      timestampMs: SIM_EPOCH_MS + Math.round(tx.publishedAt),
      sizeBytes: tx.payload.length,
      contentType: 'application/octet-stream',
      hopCount: 0
    })).finish().length
    notificationSizes.set(tx, size)
  }
  return size
}

/** The framed size of one uncompressed body chunk; `notification` is its encoded size on the first chunk, else 0. */
export function chunkFrameBytes (id: string, offset: number, length: number, total: number, hops: number, notification: number): number {
  const content = bytes(idBytes(id)) + num(offset) + num(length) + num(total) + num(hops) + bytes(length) +
    (offset === 0 ? field(notification) : 0)
  return frame(content)
}
