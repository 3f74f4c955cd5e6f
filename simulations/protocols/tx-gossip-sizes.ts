/**
 * Wire sizes of tx-gossip messages for the simulator's bandwidth and byte accounting.
 *
 * The node frames each message as a varint length prefix plus a protobuf message. Until the codec
 * is importable from protocols/ (it lives with the node's adapter), sizes are computed here from
 * the protobuf encoding rules (https://protobuf.dev/programming-guides/encoding/): every field costs
 * a tag byte plus its payload, bytes/strings and sub-messages a length varint, and ids travel as
 * 32 raw bytes (the core's 64-character hex key is the node's in-memory form only). Simulated and
 * real byte counts are compared in test/sim/real-vs-sim.test.ts.
 */
import type { GossipMessage } from '../../protocols/tx-gossip/index.ts'

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
/** Id bytes on the wire: 32 for a 64-character (hex) key, else the key's own length. */
const idBytes = (id: string): number => id.length === 64 ? 32 : id.length

/** The framed size of a control message (length prefix + envelope + message). */
export function gossipMessageBytes (m: GossipMessage): number {
  let body: number
  switch (m.type) {
    case 'inv': {
      let items = 0
      for (const it of m.items) items += field(field(idBytes(it.id)) + num(it.size) + num(it.hops))
      body = items
      break
    }
    case 'getdata': {
      let items = 0
      for (const it of m.items) items += field(field(idBytes(it.id)) + num(it.offset))
      body = items
      break
    }
    case 'notfound': {
      let ids = 0
      for (const id of m.ids) ids += field(idBytes(id))
      body = ids
      break
    }
    case 'summary': {
      const f = m.filter
      body = num(f.k) + num(f.salt) + field(f.bits.length)
      break
    }
  }
  // Envelope: a oneof holding the message (one length-delimited field).
  const envelope = field(body)
  return varintBytes(envelope) + envelope
}

/** The framed size of one body chunk carrying `length` bytes. */
export function chunkFrameBytes (id: string, length: number): number {
  // Chunk { id, offset, total, hops, data }: offset and total up to 64 MiB fit 4-byte varints.
  const body = field(idBytes(id)) + 1 + 4 + 1 + 4 + 1 + 1 + field(length)
  const envelope = field(body)
  return varintBytes(envelope) + envelope
}
