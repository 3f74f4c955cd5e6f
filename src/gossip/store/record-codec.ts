/**
 * The two values the store writes for a transaction (tx-store.ts): its `b:` record (StoredTransaction)
 * and its journal entry (JournalEntry). Both hold its notification, the journal's with the hops the
 * transaction arrived with as hop_count. hop_count is the notification's last field (7), so the
 * fields before it are laid out once and copied into both values, followed by each one's hop_count.
 *
 * Written by hand into two buffers of exactly the right size: every size is known before a byte is
 * written (the strings' UTF-8 lengths from Buffer.byteLength), so nothing grows, forks or is copied
 * out of a writer. The protobuf writer this replaces (fields pushed a byte at a time into a number
 * array, length-delimited fields forked and joined, the result copied out) was 8 % of a receiving
 * node's CPU in the queue benchmark (docs/benchmarks.md). The bytes are exactly those of the
 * generated encoders (tested); numbers a varint of a JavaScript number cannot hold exactly (negative
 * or beyond 2^53 - 1), which the store never writes, go through the generated encoders instead.
 */
import { JournalEntry, StoredTransaction, type Transaction } from '../../../protos/gen/sorcha/p2p/v1/tx_gossip.ts'
import type { TransactionNotification } from '../../../protocols/models/index.ts'

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

const exact = (n: number): boolean => Number.isSafeInteger(n) && n >= 0

/** Bytes of the varint of a non-negative safe integer. */
function varintBytes (n: number): number {
  let bytes = 1
  while (n >= 128) {
    n = Math.floor(n / 128)
    bytes++
  }
  return bytes
}

/** Writes the varint of a non-negative safe integer at `at`; returns the position after it. */
function putVarint (out: Uint8Array, at: number, n: number): number {
  while (n >= 128) {
    out[at++] = (n % 128) | 128
    n = Math.floor(n / 128)
  }
  out[at++] = n
  return at
}

/** Bytes of a varint field (tag + value), 0 when the value is the default. */
const varintField = (n: number): number => n === 0 ? 0 : 1 + varintBytes(n)
/** Bytes of a length-delimited field of `length` bytes (tag + length + bytes), 0 when empty. */
const lengthField = (length: number): number => length === 0 ? 0 : 1 + varintBytes(length) + length

/** The notification's fields 1-6, measured once. */
interface Head { n: TransactionNotification, register: number, sender: number, contentType: number, bytes: number }

function measure (n: TransactionNotification): Head {
  const register = Buffer.byteLength(n.registerId)
  const sender = Buffer.byteLength(n.sender)
  const contentType = Buffer.byteLength(n.contentType)
  const bytes = lengthField(n.txId.length) + lengthField(register) + lengthField(sender) + varintField(n.timestampMs) + varintField(n.sizeBytes) + lengthField(contentType)
  return { n, register, sender, contentType, bytes }
}

function putString (out: Buffer, at: number, tag: number, text: string, bytes: number): number {
  if (bytes === 0) return at
  out[at++] = tag
  at = putVarint(out, at, bytes)
  return at + out.write(text, at, bytes, 'utf8')
}

function putVarintField (out: Uint8Array, at: number, tag: number, n: number): number {
  if (n === 0) return at
  out[at++] = tag
  return putVarint(out, at, n)
}

/** Writes a notification (fields 1-6 of `head`, then hop_count) as field 1 of the enclosing message. */
function putNotification (out: Buffer, at: number, head: Head, hopCount: number): number {
  const { n } = head
  out[at++] = TAG_FIRST
  at = putVarint(out, at, head.bytes + varintField(hopCount))
  if (n.txId.length !== 0) {
    out[at++] = TAG_TX_ID
    at = putVarint(out, at, n.txId.length)
    out.set(n.txId, at)
    at += n.txId.length
  }
  at = putString(out, at, TAG_REGISTER, n.registerId, head.register)
  at = putString(out, at, TAG_SENDER, n.sender, head.sender)
  at = putVarintField(out, at, TAG_TIMESTAMP, n.timestampMs)
  at = putVarintField(out, at, TAG_SIZE, n.sizeBytes)
  at = putString(out, at, TAG_CONTENT_TYPE, n.contentType, head.contentType)
  return putVarintField(out, at, TAG_HOP_COUNT, hopCount)
}

/** The generated encoders' bytes, for what the hand-written path does not take. */
function generated (transaction: Transaction, hops: number, storedAtMs: number): { record: Uint8Array, entry: Uint8Array } {
  const notification = transaction.notification === undefined ? undefined : { ...transaction.notification, hopCount: hops }
  return {
    record: StoredTransaction.encode({ transaction, storedAtMs, hopCount: hops }).finish(),
    entry: JournalEntry.encode({ notification, storedAtMs }).finish()
  }
}

/** A transaction's `b:` record and journal entry (hop_count = `hops`), stored at `storedAtMs`. */
export function encodeStored (transaction: Transaction, hops: number, storedAtMs: number): { record: Uint8Array, entry: Uint8Array } {
  // What the hand-written path does not take is not written by the store (it checks every notification, and hops and times are small); kept exact all the same.
  return encodeStoredByHand(transaction, hops, storedAtMs) ?? generated(transaction, hops, storedAtMs)
}

/** encodeStored() written by hand; undefined for what it leaves to the generated encoders (exported for its test). */
export function encodeStoredByHand (transaction: Transaction, hops: number, storedAtMs: number): { record: Uint8Array, entry: Uint8Array } | undefined {
  const n = transaction.notification
  if (n === undefined || !exact(n.timestampMs) || !exact(n.sizeBytes) || !exact(n.hopCount) || !exact(hops) || hops > 0xffffffff || n.hopCount > 0xffffffff || !exact(storedAtMs)) return undefined
  const head = measure(n)
  const payload = transaction.payload
  const inRecord = head.bytes + varintField(n.hopCount)
  const inEntry = head.bytes + varintField(hops)
  const txBytes = 1 + varintBytes(inRecord) + inRecord + lengthField(payload.length)
  const record = Buffer.allocUnsafe(1 + varintBytes(txBytes) + txBytes + varintField(storedAtMs) + varintField(hops))
  record[0] = TAG_FIRST
  let at = putVarint(record, 1, txBytes)
  at = putNotification(record, at, head, n.hopCount)
  if (payload.length !== 0) {
    record[at++] = TAG_PAYLOAD
    at = putVarint(record, at, payload.length)
    record.set(payload, at)
    at += payload.length
  }
  at = putVarintField(record, at, TAG_STORED_AT, storedAtMs)
  const recordEnd = putVarintField(record, at, TAG_RECORD_HOPS, hops)
  const entry = Buffer.allocUnsafe(1 + varintBytes(inEntry) + inEntry + varintField(storedAtMs))
  const entryEnd = putVarintField(entry, putNotification(entry, 0, head, hops), TAG_STORED_AT, storedAtMs)
  // Every byte of both buffers is written when the sizes above are right (tested); never store a stale byte if not.
  if (recordEnd !== record.length || entryEnd !== entry.length) return undefined
  return { record: plain(record), entry: plain(entry) }
}

/** The bytes of a Buffer as a plain Uint8Array (what the generated encoders return), without a copy. */
const plain = (buffer: Buffer): Uint8Array => new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.length)
