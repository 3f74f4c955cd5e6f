import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { ReconcileFrame, RangeMode } from '../../../../protos/gen/sorcha/p2p/v1/tx_reconcile.ts'
import type { ReconcileMessage } from '../../../../protocols/reconcile/index.ts'
import { decodeReconcile, encodeBodyRequest, encodeReconcile } from '../../../../protocols/reconcile/index.ts'

const ID = (c: string): string => c.repeat(64)

describe('reconcile wire format', () => {
  it('round-trips every kind of message', () => {
    const messages: ReconcileMessage[] = [
      {
        type: 'ranges',
        session: 4_000_000_000,
        initiator: true,
        open: { scope: '*', since: 1_700_000_000_000, until: 1_800_000_000_000, key: [0, 0xffffffff, 12345, 0x80000000] },
        ranges: [
          { mode: 'skip', upper: { ts: 1_750_000_000_000, prefix: '' } },
          { mode: 'fingerprint', upper: { ts: 1_760_000_000_000, prefix: '0a' }, count: 17, fingerprint: 'ffeeddccbbaa0099' },
          { mode: 'ids', upper: { ts: 1_760_000_000_000, prefix: 'ab01' }, items: [{ id: ID('a'), size: 0 }, { id: ID('b'), size: 64 * 1024 * 1024 }] },
          { mode: 'have', items: [{ id: ID('c'), size: 1 }] }
        ]
      },
      { type: 'ranges', session: 1, initiator: false, open: undefined, ranges: [{ mode: 'skip', upper: undefined }] },
      { type: 'refuse', session: 9, reason: 'not-served' }
    ]
    for (const message of messages) {
      const decoded = decodeReconcile(encodeReconcile(message))
      assert.deepEqual(JSON.parse(JSON.stringify(decoded)), { kind: 'message', message: JSON.parse(JSON.stringify(message)) })
    }
  })

  it('decodes body requests and rejects ids of the wrong length', () => {
    assert.deepEqual(decodeReconcile(encodeBodyRequest([ID('d')])), { kind: 'body-request', ids: [ID('d')] })
    assert.deepEqual(decodeReconcile(ReconcileFrame.encode({ bodyRequest: { txIds: [new Uint8Array(31)] } }).finish()), { kind: 'invalid' })
  })

  it('never throws on malformed frames: they come back invalid', () => {
    const range = { upper: undefined, mode: RangeMode.RANGE_MODE_IDS, count: 0, fingerprint: new Uint8Array(0), txIds: new Uint8Array(33), sizes: [1] }
    const frames = [
      new Uint8Array([0xff, 0xff, 0xff]),
      ReconcileFrame.encode({}).finish(),
      ReconcileFrame.encode({ refuse: { session: 1, reason: 0 }, bodyRequest: { txIds: [] } }).finish(),
      ReconcileFrame.encode({ refuse: { session: 1, reason: 0 } }).finish(),
      ReconcileFrame.encode({ ranges: { session: 1, initiator: true, open: undefined, ranges: [range] } }).finish(),
      ReconcileFrame.encode({ ranges: { session: 1, initiator: true, open: undefined, ranges: [{ ...range, txIds: new Uint8Array(32), mode: 9 as RangeMode }] } }).finish(),
      ReconcileFrame.encode({ ranges: { session: 1, initiator: true, open: { scope: '*', sinceMs: 0, untilMs: 1, key: new Uint8Array(15) }, ranges: [] } }).finish()
    ]
    for (const frame of frames) assert.deepEqual(decodeReconcile(frame), { kind: 'invalid' })
  })
})
