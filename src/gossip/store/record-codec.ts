/**
 * The two values the store writes for a transaction (tx-store.ts): its `b:` record (StoredTransaction)
 * and its journal entry (JournalEntry). Both hold its notification, the journal's with the hops the
 * transaction arrived with as hop_count. hop_count is the notification's last field (7), so the
 * fields before it are encoded once and copied into both values, followed by each one's hop_count:
 * the bytes are exactly those of the generated encoders (tested), for a third less encoding per
 * stored transaction (the notification's three strings were encoded twice, as UTF-8).
 */
import type { BinaryWriter } from '@bufbuild/protobuf/wire'
import { JournalEntry, StoredTransaction, type Transaction } from '../../../protos/gen/sorcha/p2p/v1/tx_gossip.ts'
import type { TransactionNotification } from '../../../protocols/models/index.ts'
import { encodeWith } from '../wire.ts'

// Field tags: (field number << 3) | wire type (0 varint, 2 length-delimited).
const TAG_TX_ID = 10
const TAG_REGISTER = 18
const TAG_SENDER = 26
const TAG_TIMESTAMP = 32
const TAG_SIZE = 40
const TAG_CONTENT_TYPE = 50
const TAG_HOP_COUNT = 56
/** StoredTransaction.transaction, JournalEntry.notification and Transaction.notification are field 1. */
const TAG_FIRST = 10
const TAG_PAYLOAD = 18
const TAG_STORED_AT = 16
const TAG_RECORD_HOPS = 24

/** The notification's fields 1-6, as TransactionNotification.encode writes them. */
function writeHead (n: TransactionNotification, w: BinaryWriter): BinaryWriter {
  if (n.txId.length !== 0) w.uint32(TAG_TX_ID).bytes(n.txId)
  if (n.registerId !== '') w.uint32(TAG_REGISTER).string(n.registerId)
  if (n.sender !== '') w.uint32(TAG_SENDER).string(n.sender)
  if (n.timestampMs !== 0) w.uint32(TAG_TIMESTAMP).uint64(n.timestampMs)
  if (n.sizeBytes !== 0) w.uint32(TAG_SIZE).uint64(n.sizeBytes)
  if (n.contentType !== '') w.uint32(TAG_CONTENT_TYPE).string(n.contentType)
  return w
}

/** A notification from its encoded head and a hop count, as field 1 of the enclosing message. */
function writeNotification (head: Uint8Array, hopCount: number, w: BinaryWriter): void {
  w.uint32(TAG_FIRST).fork().raw(head)
  if (hopCount !== 0) w.uint32(TAG_HOP_COUNT).uint32(hopCount)
  w.join()
}

interface Values { head: Uint8Array, transaction: Transaction, notification: TransactionNotification, hops: number, storedAtMs: number }

function writeRecord (v: Values, w: BinaryWriter): BinaryWriter {
  w.uint32(TAG_FIRST).fork()
  writeNotification(v.head, v.notification.hopCount, w)
  if (v.transaction.payload.length !== 0) w.uint32(TAG_PAYLOAD).bytes(v.transaction.payload)
  w.join()
  if (v.storedAtMs !== 0) w.uint32(TAG_STORED_AT).uint64(v.storedAtMs)
  if (v.hops !== 0) w.uint32(TAG_RECORD_HOPS).uint32(v.hops)
  return w
}

function writeEntry (v: Values, w: BinaryWriter): BinaryWriter {
  writeNotification(v.head, v.hops, w)
  if (v.storedAtMs !== 0) w.uint32(TAG_STORED_AT).uint64(v.storedAtMs)
  return w
}

/** A transaction's `b:` record and journal entry (hop_count = `hops`), stored at `storedAtMs`. */
export function encodeStored (transaction: Transaction, hops: number, storedAtMs: number): { record: Uint8Array, entry: Uint8Array } {
  const notification = transaction.notification
  if (notification === undefined) {
    // Not written by the store (it checks every notification); kept exact all the same.
    return {
      record: encodeWith(StoredTransaction.encode, { transaction, storedAtMs, hopCount: hops }, transaction.payload.length + 512),
      entry: encodeWith(JournalEntry.encode, { notification: undefined, storedAtMs }, 64)
    }
  }
  const values: Values = { head: encodeWith(writeHead, notification, 1024), transaction, notification, hops, storedAtMs }
  return { record: encodeWith(writeRecord, values, transaction.payload.length + 1024), entry: encodeWith(writeEntry, values, 1024) }
}
