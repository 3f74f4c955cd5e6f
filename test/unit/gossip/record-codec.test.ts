/** The store's record and journal entry with one encoding of the notification (src/gossip/store/record-codec.ts). */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { describe, it } from 'node:test'
import { JournalEntry, StoredTransaction, type Transaction } from '../../../protos/gen/sorcha/p2p/v1/tx_gossip.ts'
import { encodeStored, encodeStoredByHand } from '../../../src/gossip/store/record-codec.ts'

const PEER = '12D3KooWQYhTNQdmr3ArTeUHRYzFg94BKyTkoWBDWez9kSCVe2Xo'

function tx (over: Partial<NonNullable<Transaction['notification']>>, size: number): Transaction {
  const payload = new Uint8Array(randomBytes(size))
  return { notification: { txId: new Uint8Array(randomBytes(32)), registerId: 'reg-1', sender: PEER, timestampMs: 1_765_000_000_123, sizeBytes: size, contentType: 'application/json', hopCount: 0, ...over }, payload }
}

describe('store record codec', () => {
  it('writes the bytes of the generated encoders, for the record and the journal entry alike', () => {
    const cases: Array<[Transaction, number, number]> = [
      [tx({}, 512), 0, 1_765_000_000_456],
      [tx({ hopCount: 3 }, 512), 2, 1_765_000_000_456],
      [tx({ hopCount: 200 }, 1), 300, 2 ** 40],
      [tx({ registerId: '', contentType: '', sender: '', timestampMs: 0, sizeBytes: 0 }, 0), 1, 0],
      [tx({ registerId: 'régistre-ü', timestampMs: 2 ** 52 }, 100_000), 7, 5],
      [tx({ txId: new Uint8Array(0), sender: 'emoji 😀 sender', contentType: 'x'.repeat(200), sizeBytes: 2 ** 53 - 1 }, 300), 127, 128],
      [tx({ hopCount: 2 ** 32 - 1 }, 2), 2 ** 31, 16_384],
      [{ notification: undefined, payload: new Uint8Array(randomBytes(10)) }, 1, 9]
    ]
    for (const [transaction, hops, storedAtMs] of cases) {
      // Every case with a notification is written by hand (the generated encoders are the reference).
      assert.equal(encodeStoredByHand(transaction, hops, storedAtMs) === undefined, transaction.notification === undefined)
      const { record, entry } = encodeStored(transaction, hops, storedAtMs)
      assert.deepEqual(Buffer.from(record), Buffer.from(StoredTransaction.encode({ transaction, storedAtMs, hopCount: hops }).finish()))
      const notification = transaction.notification === undefined ? undefined : { ...transaction.notification, hopCount: hops }
      assert.deepEqual(Buffer.from(entry), Buffer.from(JournalEntry.encode({ notification, storedAtMs }).finish()))
      assert.deepEqual(JournalEntry.decode(entry).notification?.hopCount, notification?.hopCount)
      assert.deepEqual(StoredTransaction.decode(record).transaction, transaction)
    }
  })
})
