import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { BloomFilter, type GossipMessage } from '../../protocols/tx-gossip/index.ts'
import { GossipFrame, type Chunk } from '../../protos/gen/sorcha/p2p/v1/tx_gossip.ts'
import { TransactionNotification } from '../../protos/gen/sorcha/p2p/v1/models.ts'
import { chunkFrameBytes, gossipMessageBytes, notificationBytes, SIM_EPOCH_MS, varintBytes } from '../../simulations/protocols/tx-gossip-sizes.ts'
import { simPeerId } from '../../simulations/engine/peer-ids.ts'

const hex = (s: string): string => createHash('sha256').update(s).digest('hex')
const raw = (h: string): Uint8Array => Uint8Array.from(Buffer.from(h, 'hex'))
/** Framed size as the node sends it: varint length prefix + GossipFrame. */
const framed = (f: GossipFrame): number => { const n = GossipFrame.encode(f).finish().length; return varintBytes(n) + n }

// The node's adapter maps logical messages to frames this way (ids: hex in the core, 32 bytes on the wire).
function toFrame (m: GossipMessage): GossipFrame {
  switch (m.type) {
    case 'inv': return GossipFrame.fromPartial({ inv: { items: m.items.map(i => ({ txId: raw(i.id), sizeBytes: i.size, hopCount: i.hops, registerId: i.register ?? '', origin: i.origin ?? 0 })) } })
    case 'getdata': return GossipFrame.fromPartial({ getdata: { items: m.items.map(i => ({ txId: raw(i.id), offset: i.offset })) } })
    case 'notfound': return GossipFrame.fromPartial({ notfound: { txIds: m.ids.map(raw) } })
    case 'summary': return GossipFrame.fromPartial({ summary: { filter: { hashCount: m.filter.k, salt: m.filter.salt, bits: m.filter.bits } } })
    case 'tree': return GossipFrame.fromPartial({ getdata: { graft: m.graft, prune: m.prune } })
  }
}

test('control message sizes equal the generated encoder\'s, byte for byte', () => {
  const ids = Array.from({ length: 300 }, (_, i) => hex(String(i)))
  const filter = BloomFilter.create(500, 0.01, 0xdeadbeef)
  const messages: GossipMessage[] = [
    { type: 'inv', items: [{ id: ids[0]!, size: 512, hops: 1 }] },
    { type: 'inv', items: [{ id: ids[0]!, size: 512, hops: 1, register: 'r42' }, { id: ids[1]!, size: 7, hops: 3 }] },
    { type: 'inv', items: ids.map((id, i) => ({ id, size: i * 1000, hops: i % 256 })) },
    { type: 'getdata', items: [{ id: ids[1]!, offset: 0 }, { id: ids[2]!, offset: 70_000 }] },
    { type: 'getdata', items: ids.map((id, i) => ({ id, offset: i * 65536 })) },
    { type: 'notfound', ids: [ids[3]!] },
    { type: 'notfound', ids },
    { type: 'summary', filter },
    { type: 'summary', filter: BloomFilter.create(1, 0.01, 0) },
    { type: 'inv', items: [{ id: ids[0]!, size: 512, hops: 2, origin: 1 }, { id: ids[1]!, size: 512, hops: 2, origin: 0xffffffff, register: 'r1' }] },
    { type: 'tree', graft: [7], prune: [] },
    { type: 'tree', graft: [], prune: [1, 0xffffffff] },
    { type: 'tree', graft: ids.map((_, i) => i + 1), prune: [3] }
  ]
  for (const m of messages) assert.equal(gossipMessageBytes(m), framed(toFrame(m)), m.type)
})

test('chunk sizes equal the generated encoder\'s, with the notification on the first chunk', () => {
  const payload = new Uint8Array(150_000).fill(7)
  const id = createHash('sha256').update(payload).digest()
  const tx = { index: 0, id: new Uint8Array(id), key: id.toString('hex'), payload, registerId: 'sim', publisher: 3, publishedAt: 1234.5 }
  const sender = simPeerId(3)
  const notification = TransactionNotification.fromPartial({
    txId: tx.id, registerId: 'sim', sender, timestampMs: SIM_EPOCH_MS + 1235, sizeBytes: payload.length, contentType: 'application/octet-stream'
  })
  const n = notificationBytes(tx, sender)
  assert.equal(n, TransactionNotification.encode(notification).finish().length)
  for (const [offset, length, hops] of [[0, 65536, 1], [65536, 65536, 3], [131072, 18928, 200], [0, 100, 0]] as const) {
    const chunk: Partial<Chunk> = { txId: tx.id, offset, length, totalBytes: payload.length, hopCount: hops, data: payload.subarray(offset, offset + length), ...(offset === 0 ? { notification } : {}) }
    assert.equal(chunkFrameBytes(tx.key, offset, length, payload.length, hops, offset === 0 ? n : 0), framed(GossipFrame.fromPartial({ chunk })), `chunk at ${offset}`)
  }
})
