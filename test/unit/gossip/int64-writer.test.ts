import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { BinaryWriter } from '@bufbuild/protobuf/wire'
import { StoredTransaction } from '../../../protos/gen/sorcha/p2p/v1/tx_gossip.ts'
import { Int64Writer } from '../../../src/gossip/int64-writer.ts'

const VALUES: Array<number | bigint | string> = [
  0, 1, 127, 128, 300, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 32 + 1, 2 ** 35 + 12345,
  1_765_000_000_000, 4_102_444_800_000, 2 ** 49 + 7, 2 ** 52, Number.MAX_SAFE_INTEGER,
  2n ** 63n, '18446744073709551615', '42'
]

describe('Int64Writer', () => {
  it('writes every uint64 with the same bytes as the library writer', () => {
    for (const value of VALUES) {
      const fast = new Int64Writer().uint32(8).uint64(value).uint32(16).uint64(value).finish()
      const slow = new BinaryWriter().uint32(8).uint64(value).uint32(16).uint64(value).finish()
      assert.deepEqual(fast, slow, `uint64 ${String(value)}`)
    }
  })

  it('refuses what the library refuses', () => {
    assert.throws(() => new BinaryWriter().uint64(-1))
    assert.throws(() => new Int64Writer().uint64(-1))
    assert.throws(() => new Int64Writer().uint64(2 ** 64))
  })

  it('encodes a stored record that decodes to the same values', () => {
    const record = {
      transaction: {
        notification: { txId: new Uint8Array(32).fill(0xab), sender: 'peer', registerId: 'reg-a:1', timestampMs: 1_765_000_123_456, sizeBytes: 512, contentType: 'x', hopCount: 2 },
        payload: new Uint8Array(512).fill(7)
      },
      storedAtMs: 1_765_000_123_999,
      hopCount: 2
    }
    const fast = StoredTransaction.encode(record, new Int64Writer()).finish()
    assert.deepEqual(fast, StoredTransaction.encode(record).finish())
    const back = StoredTransaction.decode(fast)
    assert.equal(back.storedAtMs, record.storedAtMs)
    assert.equal(back.transaction?.notification?.timestampMs, record.transaction.notification.timestampMs)
  })
})
