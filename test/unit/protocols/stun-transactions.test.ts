import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  StunTransactions, encodeBindingRequest, encodeBindingSuccess, transactionKey, type TransactionEffect, type Endpoint
} from '../../../protocols/stun/index.ts'

const server: Endpoint = { family: 4, address: '198.51.100.1', port: 3478 }
const txid = (n: number): Uint8Array => Uint8Array.from({ length: 12 }, (_, i) => (n * 31 + i) & 0xff)
const sends = (effects: TransactionEffect[]): number => effects.filter(e => e.type === 'send').length

/** Drives the core by jumping to each wakeup and records when requests leave and when it gives up. */
function schedule (core: StunTransactions, start: number): { sendTimes: number[], timeoutAt?: number } {
  const sendTimes = [start]
  let timeoutAt: number | undefined
  for (let guard = 0; guard < 100; guard++) {
    const wake = core.nextWakeup()
    if (wake === undefined) break
    for (const effect of core.handle({ type: 'tick', now: wake })) {
      if (effect.type === 'send') sendTimes.push(wake)
      if (effect.type === 'timeout') timeoutAt = wake
    }
  }
  return { sendTimes, timeoutAt }
}

describe('STUN transactions (RFC 8489 §6.2.1 retransmission)', () => {
  it('defaults: Rc=7 requests at 0, 500, 1500, 3500, 7500, 15500, 31500 ms; timeout at 39500 ms', () => {
    const core = new StunTransactions()
    const effects = core.handle({ type: 'start', now: 1000, to: server, request: encodeBindingRequest(txid(1)) })
    assert.equal(sends(effects), 1)
    const { sendTimes, timeoutAt } = schedule(core, 1000)
    assert.deepEqual(sendTimes.map(t => t - 1000), [0, 500, 1500, 3500, 7500, 15500, 31500])
    assert.equal(timeoutAt! - 1000, 39500)
    assert.equal(core.size, 0)
    assert.equal(core.nextWakeup(), undefined)
  })

  it('custom timing: RTO 100, Rc 3, Rm 4 -> requests at 0, 100, 300; timeout at 700', () => {
    const core = new StunTransactions({ rtoMs: 100, maxRequests: 3, lastWaitFactor: 4 })
    core.handle({ type: 'start', now: 0, to: server, request: encodeBindingRequest(txid(2)) })
    const { sendTimes, timeoutAt } = schedule(core, 0)
    assert.deepEqual(sendTimes, [0, 100, 300])
    assert.equal(timeoutAt, 700)
  })

  it('Rc=1 sends once and waits Rm x RTO', () => {
    const core = new StunTransactions({ rtoMs: 50, maxRequests: 1, lastWaitFactor: 2 })
    core.handle({ type: 'start', now: 0, to: server, request: encodeBindingRequest(txid(3)) })
    assert.deepEqual(schedule(core, 0), { sendTimes: [0], timeoutAt: 100 })
  })

  it('does nothing before a deadline', () => {
    const core = new StunTransactions()
    core.handle({ type: 'start', now: 0, to: server, request: encodeBindingRequest(txid(4)) })
    assert.deepEqual(core.handle({ type: 'tick', now: 499 }), [])
    assert.equal(sends(core.handle({ type: 'tick', now: 500 })), 1)
  })

  it('a matching response completes the transaction, from any source address (RFC 5780 CHANGE-REQUEST)', () => {
    const core = new StunTransactions()
    const id = txid(5)
    core.handle({ type: 'start', now: 0, to: server, request: encodeBindingRequest(id) })
    core.handle({ type: 'tick', now: 500 })
    const other: Endpoint = { family: 4, address: '198.51.100.2', port: 3479 }
    const response = encodeBindingSuccess(id, { mapped: { family: 4, address: '203.0.113.5', port: 1234 } })
    const effects = core.handle({ type: 'packet', now: 600, from: other, bytes: response })
    assert.equal(effects.length, 1)
    const [done] = effects
    assert.ok(done?.type === 'response')
    assert.equal(done.id, transactionKey(id))
    assert.equal(done.attempts, 2)
    assert.deepEqual(done.from, other)
    assert.equal(core.size, 0)
    // A duplicate (the response to the retransmission) now matches nothing.
    const dup = core.handle({ type: 'packet', now: 601, from: other, bytes: response })
    assert.deepEqual(dup.map(e => e.type === 'verdict' ? e.code : e.type), ['unknown-transaction'])
  })

  it('spoofed or malformed datagrams are verdicts, and the transaction keeps waiting', () => {
    const core = new StunTransactions()
    core.handle({ type: 'start', now: 0, to: server, request: encodeBindingRequest(txid(6)) })
    const wrongId = encodeBindingSuccess(txid(99), { mapped: { family: 4, address: '192.0.2.1', port: 1 } })
    const badFp = encodeBindingSuccess(txid(6), { mapped: { family: 4, address: '192.0.2.1', port: 1 } })
    badFp[badFp.length - 1] = badFp[badFp.length - 1]! ^ 1
    const codes = [wrongId, badFp, new Uint8Array(3), encodeBindingRequest(txid(6))]
      .flatMap(bytes => core.handle({ type: 'packet', now: 10, from: server, bytes }))
      .map(e => e.type === 'verdict' ? `${e.verdict}:${e.code}` : e.type)
    assert.deepEqual(codes, ['reject:unknown-transaction', 'reject:bad-fingerprint', 'reject:too-short', 'ignore:unexpected-class'])
    assert.equal(core.size, 1)
  })

  it('is bounded, refuses duplicates and bad requests, and can cancel', () => {
    const core = new StunTransactions({ maxPending: 2 })
    assert.equal(sends(core.handle({ type: 'start', now: 0, to: server, request: encodeBindingRequest(txid(7)) })), 1)
    assert.deepEqual(core.handle({ type: 'start', now: 0, to: server, request: encodeBindingRequest(txid(7)) }).map(e => e.type === 'refused' && e.reason), ['duplicate-transaction'])
    core.handle({ type: 'start', now: 0, to: server, request: encodeBindingRequest(txid(8)) })
    assert.deepEqual(core.handle({ type: 'start', now: 0, to: server, request: encodeBindingRequest(txid(9)) }).map(e => e.type === 'refused' && e.reason), ['too-many-pending'])
    assert.deepEqual(core.handle({ type: 'start', now: 0, to: server, request: new Uint8Array(5) }).map(e => e.type === 'refused' && e.reason), ['bad-request'])
    core.handle({ type: 'cancel', now: 0, id: transactionKey(txid(7)) })
    assert.equal(core.size, 1)
  })
})
