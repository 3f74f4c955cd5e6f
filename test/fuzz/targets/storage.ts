/**
 * Fuzz targets of what the node reads back from LevelDB: peer records (PeerNode), outbound-queue
 * records, the transaction store's bodies and metadata, the journal, and the event log. A damaged
 * record must come back as "skip it" (undefined or a validation failure), never as an exception
 * that stops the node starting, nor as a NaN that poisons a byte count.
 */
import fc from 'fast-check'
import { PeerNode, PeerStatus, decodeValid, validatePeerNode } from '../../../protocols/models/index.ts'
import { JournalEntry, StoredTransaction } from '../../../protos/gen/sorcha/p2p/v1/tx_gossip.ts'
import { QueueRecord } from '../../../protos/gen/sorcha/p2p/v1/tx_queue.ts'
import { decodeEvent } from '../../../src/events/ring.ts'
import { decodeJournalRecord } from '../../../src/gossip/store/sequence.ts'
import { decodeAgeEntry, encodeAgeEntry, metaSize } from '../../../src/gossip/store/age-index.ts'
import { decodeStoredTransaction } from '../../../src/gossip/store/tx-store.ts'
import { decodeQueueRecord } from '../../../src/queue/outbound-queue.ts'
import { decoderInput } from '../mutate.ts'
import { protoTarget } from '../proto-target.ts'
import { expect, type FuzzTarget } from '../target.ts'
import { idBytesArb, notificationArb, peerIdArb } from './models.ts'

const time = fc.nat({ max: 2 ** 45 })
const text = new TextEncoder()

export const peerRecord: FuzzTarget = protoTarget({
  name: 'peer-record',
  description: 'PeerNode.decode, validatePeerNode and decodeValid (the peer store\'s decodeRecord) on arbitrary and mutated stored peer records: a valid record or a failure naming the field',
  files: ['protocols/models/validate.ts', 'protos/gen/sorcha/p2p/v1/models.ts'],
  wire: false,
  codec: PeerNode,
  valid: fc.record({
    peerId: peerIdArb,
    addresses: fc.uniqueArray(fc.constantFrom('/ip4/127.0.0.1/tcp/4001', '/ip6/::1/tcp/4001'), { maxLength: 2 }),
    status: fc.constantFrom(...Object.values(PeerStatus).filter((v): v is PeerStatus => typeof v === 'number' && v >= 0)),
    firstSeenMs: time,
    lastSeenMs: time,
    consecutiveFailures: fc.nat({ max: 1000 }),
    latencyMs: fc.nat({ max: 60_000 }),
    score: fc.nat({ max: 100 })
  }).map(p => PeerNode.fromPartial(p)),
  // What the peer store's decodeRecord does with the decoded bytes (decodeValid): validate, never throw.
  judge: node => {
    const result = validatePeerNode(node)
    expect(result.ok || (typeof result.field === 'string' && typeof result.reason === 'string'), 'validatePeerNode returned neither ok nor a failure')
    expect(decodeValid(PeerNode, validatePeerNode, PeerNode.encode(node).finish()).ok === result.ok, 'decodeValid disagrees with validatePeerNode')
  }
})

export const queueRecord: FuzzTarget = protoTarget({
  name: 'queue-record',
  description: 'decodeQueueRecord (OutboundQueue.open) on arbitrary and mutated queue records: a record with safe sizes and times, or undefined (skipped)',
  files: ['src/queue/outbound-queue.ts', 'protos/gen/sorcha/p2p/v1/tx_queue.ts'],
  wire: false,
  codec: { encode: QueueRecord.encode, decode: (bytes: Uint8Array) => decodeQueueRecord(bytes) ?? QueueRecord.fromPartial({ registerId: 'skipped' }) },
  valid: fc.record({ queuedAtMs: time, sizeBytes: fc.nat({ max: 2 ** 40 }), registerId: fc.constantFrom('reg', 'a.b:c') }),
  judge: record => { expect(Number.isSafeInteger(record.sizeBytes) && record.sizeBytes >= 0, 'a queue record with an unsafe size') }
})

const storedArb = fc.tuple(idBytesArb, fc.uint8Array({ maxLength: 100 })).chain(([id, payload]) => fc.record({
  transaction: notificationArb(id, payload.length).map(notification => ({ notification, payload })),
  storedAtMs: time,
  hopCount: fc.nat({ max: 255 })
}))

export const storedTransaction: FuzzTarget = protoTarget({
  name: 'stored-transaction',
  description: 'decodeStoredTransaction (TxStore.get) on arbitrary and mutated bodies: a StoredTransaction or undefined (read as not held)',
  files: ['src/gossip/store/tx-store.ts', 'protos/gen/sorcha/p2p/v1/tx_gossip.ts'],
  wire: false,
  codec: { encode: StoredTransaction.encode, decode: (bytes: Uint8Array) => decodeStoredTransaction(bytes) ?? StoredTransaction.fromPartial({}) },
  valid: storedArb
})

const registerArb = fc.constantFrom('reg', 'a:b', '')
const metaArb = fc.tuple(fc.nat({ max: 2 ** 40 }), fc.nat({ max: 255 }), time, registerArb).map(([size, hops, ts, reg]) => text.encode(`${size}:${hops}:${ts}:${reg}`))
const ageItemArb = fc.record({ id: idBytesArb.map(b => Buffer.from(b).toString('hex')), size: fc.nat({ max: 2 ** 40 }), hops: fc.nat({ max: 255 }), timestampMs: time, registerId: registerArb })
/** A batch entry of the age index (age-index.ts) with the sum of its sizes. */
const batchArb = fc.array(ageItemArb, { minLength: 1, maxLength: 6 }).map(items => ({ value: encodeAgeEntry(items, true), size: items.reduce((sum, i) => sum + i.size, 0) }))

export const storeMeta: FuzzTarget = {
  name: 'store-meta',
  description: 'metaSize and decodeAgeEntry (TxStore.open, newest and eviction) on arbitrary and mutated age index values, "size:hops:ts:register" and batch entries: never a throw, sizes always safe non-negative integers, the size when the value is well formed',
  files: ['src/gossip/store/age-index.ts'],
  wire: false,
  testRuns: 800,
  property: () => fc.property(fc.oneof(
    decoderInput(metaArb, 64).map(value => ({ value, size: undefined })),
    decoderInput(batchArb.map(b => b.value), 512).map(value => ({ value, size: undefined })),
    batchArb,
    fc.tuple(fc.nat({ max: 2 ** 40 }), fc.nat({ max: 255 })).map(([size, hops]) => ({ value: text.encode(`${size}:${hops}`), size }))
  ), ({ value, size }) => {
    const got = metaSize(value)
    expect(Number.isSafeInteger(got) && got >= 0, `metaSize gave ${got}`)
    if (size !== undefined) expect(got === size, `metaSize gave ${got} for ${size}`)
    for (const item of decodeAgeEntry('t:000000000000001:x', value)) expect(Number.isSafeInteger(item.size) && item.size >= 0 && Number.isSafeInteger(item.hops), `an item with size ${item.size}, hops ${item.hops}`)
  })
}

export const journalEntry: FuzzTarget = {
  name: 'journal-entry',
  description: 'decodeJournalRecord (the store\'s journal, read by the gateway\'s subscriptions) on arbitrary and mutated entries and keys: a record or undefined',
  files: ['src/gossip/store/sequence.ts', 'protos/gen/sorcha/p2p/v1/tx_gossip.ts'],
  wire: false,
  testRuns: 800,
  property: () => fc.property(
    decoderInput(fc.tuple(idBytesArb, fc.nat({ max: 1000 })).chain(([id, size]) => fc.record({ notification: notificationArb(id, size), storedAtMs: time })).map(e => JournalEntry.encode(e).finish())),
    fc.oneof(fc.nat({ max: 2 ** 40 }).map(n => `j:${String(n).padStart(16, '0')}`), fc.string({ maxLength: 24 })),
    (value, key) => {
      const record = decodeJournalRecord(key, value)
      expect(record === undefined || (typeof record.id === 'string' && record.notification !== undefined), 'a journal record without id or notification')
    })
}

const eventArb = fc.record({ seq: fc.nat(), atMs: time, type: fc.constantFrom('peer-connected', 'ban', 'tx-received'), peerId: fc.option(peerIdArb, { nil: undefined }) })

export const eventLog: FuzzTarget = {
  name: 'event-log',
  description: 'decodeEvent (the event ring\'s reads) on arbitrary and mutated JSON records: an event with a numeric seq and a type, or undefined',
  files: ['src/events/ring.ts'],
  wire: false,
  testRuns: 800,
  property: () => fc.property(fc.oneof(
    decoderInput(eventArb.map(e => text.encode(JSON.stringify(e))), 256),
    fc.jsonValue().map(v => text.encode(JSON.stringify(v)))
  ), bytes => {
    const event = decodeEvent(bytes)
    expect(event === undefined || (typeof event.seq === 'number' && typeof event.type === 'string'), 'an event without seq or type')
  })
}

export const STORAGE_TARGETS = [peerRecord, queueRecord, storedTransaction, storeMeta, journalEntry, eventLog]
