import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { decodeReconcile } from '../../../protocols/reconcile/index.ts'
import type { Transaction } from '../../../protos/gen/sorcha/p2p/v1/tx_gossip.ts'
import { toHex } from '../../../protocols/models/index.ts'
import { logger } from '../../../src/logging/index.ts'
import { BodyPuller, BODY_REQUEST_MAX_IDS } from '../../../src/gossip/reconcile/body-puller.ts'
import { txIdOf, type TxStore } from '../../../src/gossip/store/tx-store.ts'

const PEER = '12D3KooWQYhTNQdmr3ArTeUHRYzFg94BKyTkoWBDWez9kSCVe2Xo'

function tx (text: string, register = 'reg-a'): Transaction {
  const payload = new TextEncoder().encode(text)
  return { notification: { txId: txIdOf(payload), registerId: register, sender: PEER, timestampMs: 1, sizeBytes: payload.length, contentType: 'text/plain', hopCount: 0 }, payload }
}
const idOf = (t: Transaction): string => toHex(t.notification!.txId)

function setup (held: Transaction[] = []) {
  const sent: Array<{ peer: string, frame: ReturnType<typeof decodeReconcile> }> = []
  const accepted: string[] = []
  const verdicts: string[] = []
  const store = { get: async (id: string) => { const t = held.find(h => idOf(h) === id); return t === undefined ? undefined : { transaction: t, hops: 0, storedAtMs: 0 } } } as unknown as TxStore
  const puller = new BodyPuller({
    send: (peer, frame) => { sent.push({ peer, frame: decodeReconcile(frame) }); return true },
    store,
    accept: id => { accepted.push(id) },
    serves: register => register === 'reg-a',
    verdict: (peer, verdict, code) => { verdicts.push(`${peer}:${verdict}:${code}`) },
    maxTxBytes: 1024,
    maxQueued: 1000,
    log: logger('sorcha:test')
  })
  return { puller, sent, accepted, verdicts }
}

describe('gossipsub body puller', () => {
  it('asks one source for each need, checks every body it gets, and asks the next source for what the first lacks', () => {
    const good = tx('good'); const other = tx('other')
    const { puller, sent, accepted, verdicts } = setup()
    puller.need('p1', [{ id: idOf(good), size: 4 }, { id: idOf(other), size: 5 }])
    puller.need('p2', [{ id: idOf(other), size: 5 }])
    assert.deepEqual(sent.map(s => [s.peer, s.frame]), [['p1', { kind: 'body-request', ids: [idOf(good), idOf(other)] }]])
    // A forged body, a body of a register not followed, an unasked one, then the real one; `other` is missing at p1.
    const forged = { ...tx('forged'), notification: { ...tx('forged').notification!, txId: good.notification!.txId } }
    puller.onFrame('p1', { kind: 'body-response', transactions: [forged, tx('elsewhere', 'reg-b'), tx('unasked'), good], missing: [idOf(other)] })
    assert.deepEqual(verdicts, ['p1:reject:tx-id-mismatch', 'p1:reject:bad-notification', 'p1:reject:not-requested', 'p1:accept:tx-valid'])
    assert.deepEqual(accepted, [idOf(good)])
    assert.deepEqual(sent.at(-1), { peer: 'p2', frame: { kind: 'body-request', ids: [idOf(other)] } })
    puller.onFrame('p3', { kind: 'body-response', transactions: [other], missing: [] })
    assert.equal(verdicts.at(-1), 'p3:ignore:not-requested')
    puller.stop()
  })

  it('serves what it holds of the registers it follows, names the rest missing, and rejects oversized requests', async () => {
    const held = [tx('one'), tx('two'), tx('hidden', 'reg-b')]
    const { puller, sent, verdicts } = setup(held)
    puller.onFrame('p1', { kind: 'body-request', ids: [...held.map(idOf), 'ab'.repeat(32)] })
    await new Promise(resolve => setTimeout(resolve, 10))
    const [reply] = sent
    assert.equal(reply?.frame.kind, 'body-response')
    if (reply?.frame.kind !== 'body-response') return
    assert.deepEqual(reply.frame.transactions.map(idOf), [idOf(held[0]!), idOf(held[1]!)])
    assert.deepEqual(reply.frame.missing, [idOf(held[2]!), 'ab'.repeat(32)])
    puller.onFrame('p1', { kind: 'body-request', ids: Array.from({ length: BODY_REQUEST_MAX_IDS + 1 }, () => 'cd'.repeat(32)) })
    await new Promise(resolve => setTimeout(resolve, 10))
    assert.deepEqual(verdicts, ['p1:reject:too-many-items'])
    assert.equal(sent.length, 1)
    puller.stop()
  })
})
