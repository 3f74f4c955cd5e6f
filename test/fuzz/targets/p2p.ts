/**
 * Fuzz targets of the other peer-to-peer decoders: reconciliation frames (and the session checks a
 * decoded frame goes through), peer exchange, direct messages, the have-query, and gossipsub's
 * Transaction.
 */
import { isDeepStrictEqual } from 'node:util'
import fc from 'fast-check'
import { chooseExchangePeers, judgeExchangeResponse, EXCHANGE_LIMITS } from '../../../protocols/topology/index.ts'
import { createRng } from '../../../protocols/common/rng.ts'
import { DEFAULT_RECONCILE_CONFIG } from '../../../protocols/reconcile/index.ts'
import type { Range, ReconcileMessage } from '../../../protocols/reconcile/index.ts'
import { checkOpen, checkRanges } from '../../../protocols/reconcile/validate.ts'
import { decodeReconcile, encodeBodyRequest, encodeReconcile, type InboundReconcileFrame } from '../../../protocols/reconcile/wire.ts'
import { DirectAck, DirectEnvelope } from '../../../protos/gen/sorcha/p2p/v1/direct.ts'
import { PeerExchangeRequest, PeerExchangeResponse } from '../../../protos/gen/sorcha/p2p/v1/peer_exchange.ts'
import { Transaction } from '../../../protos/gen/sorcha/p2p/v1/tx_gossip.ts'
import { TxHaveRequest, TxHaveResponse } from '../../../protos/gen/sorcha/p2p/v1/tx_queue.ts'
import { DefaultDirectMessaging } from '../../../src/direct/direct-messaging.ts'
import { packBits, unpackBits } from '../../../src/queue/tx-have.ts'
import { decoderInput } from '../mutate.ts'
import { plain, protoTarget } from '../proto-target.ts'
import { expect, type FuzzTarget } from '../target.ts'
import { idBytesArb, idHexArb, notificationArb, PEER_IDS, peerIdArb, registerIdArb, sizeArb } from './models.ts'

const word = fc.nat({ max: 0xffffffff })
/** A peer record as advertised: registers (or all), roles; protocols and size left empty. */
const capabilitiesArb = fc.record({
  protocols: fc.constant([] as string[]), registers: fc.uniqueArray(registerIdArb, { maxLength: 4 }), allRegisters: fc.boolean(), roles: fc.array(fc.constantFrom(0, 1, 2), { maxLength: 2 }), maxTransactionBytes: fc.constant(0), recordSeq: fc.nat()
})
const hexOf = (min: number, max: number): fc.Arbitrary<string> => fc.uint8Array({ minLength: min, maxLength: max }).map(b => Buffer.from(b).toString('hex'))
const boundArb = fc.option(fc.record({ ts: fc.nat({ max: 2 ** 45 }), prefix: hexOf(0, 32) }), { nil: undefined })
const rangeArb: fc.Arbitrary<Range> = fc.oneof(
  fc.record({ mode: fc.constant('skip' as const), upper: boundArb }),
  fc.record({ mode: fc.constant('fingerprint' as const), upper: boundArb, count: fc.nat({ max: 2 ** 40 }), fingerprint: hexOf(8, 8) }),
  fc.record({ mode: fc.constantFrom('ids' as const, 'have' as const), upper: boundArb, items: fc.array(fc.record({ id: idHexArb, size: sizeArb }), { maxLength: 5 }) })
).map(r => r.upper === undefined ? (({ upper: _u, ...rest }) => rest as Range)(r) : r)
const reconcileArb: fc.Arbitrary<ReconcileMessage> = fc.oneof(
  fc.record({ type: fc.constant('refuse' as const), session: word, reason: fc.constantFrom('busy' as const, 'not-served' as const, 'too-frequent' as const) }),
  fc.record({
    type: fc.constant('ranges' as const),
    session: word,
    initiator: fc.boolean(),
    open: fc.option(fc.record({ scope: fc.constantFrom('*', 'reg-1'), since: fc.nat({ max: 2 ** 44 }), until: fc.nat({ max: 2 ** 45 }), key: fc.tuple(word, word, word, word) }), { nil: undefined }),
    ranges: fc.array(rangeArb, { maxLength: 5 })
  }).map(m => m.open === undefined ? (({ open: _o, ...rest }) => rest as ReconcileMessage)(m) : m)
)
const validReconcile = fc.oneof(reconcileArb.map(encodeReconcile), fc.array(idHexArb, { maxLength: 5 }).map(encodeBodyRequest))

/** The reconciliation contract for one input; without `full`, the re-encoding checks are left out. */
function checkReconcile (bytes: Uint8Array, full = true): InboundReconcileFrame {
  const frame = decodeReconcile(bytes)
  expect(['message', 'body-request', 'body-response', 'invalid'].includes(frame.kind), `unknown kind ${frame.kind}`)
  if (frame.kind === 'message' && frame.message.type === 'ranges') {
    const m = frame.message
    const items = m.ranges.reduce((n, r) => n + ('items' in r ? r.items.length : 0), 0)
    expect(m.ranges.length + items * 32 <= bytes.length, 'more ranges or items than the frame carried')
    // The session checks the core applies next are total too.
    const open = m.open === undefined ? undefined : checkOpen(m.open)
    const ranges = checkRanges(m.ranges, m.open?.since ?? 0, m.open?.until ?? 2 ** 45, DEFAULT_RECONCILE_CONFIG)
    expect(open === undefined || typeof open === 'string', 'checkOpen returned a non-code')
    expect(ranges === undefined || typeof ranges === 'string', 'checkRanges returned a non-code')
  }
  if (!full) return frame
  if (frame.kind === 'message') expect(isDeepStrictEqual(plain(decodeReconcile(encodeReconcile(frame.message))), plain(frame)), 'a decoded frame does not survive re-encoding')
  if (frame.kind === 'body-request') expect(isDeepStrictEqual(plain(decodeReconcile(encodeBodyRequest(frame.ids))), plain(frame)), 'a body request does not survive re-encoding')
  return frame
}

export const reconcileWire: FuzzTarget = {
  name: 'reconcile-wire',
  description: 'decodeReconcile on arbitrary and mutated ReconcileFrames, then checkOpen/checkRanges: a message, body request/response or invalid; never a throw; re-encoding is stable; valid messages round-trip',
  files: ['protocols/reconcile/wire.ts', 'protocols/reconcile/validate.ts', 'protos/gen/sorcha/p2p/v1/tx_reconcile.ts'],
  wire: true,
  testRuns: 1500,
  property: () => fc.property(fc.oneof(decoderInput(validReconcile).map(bytes => ({ bytes })), reconcileArb.map(message => ({ message }))), input => {
    if ('bytes' in input) {
      checkReconcile(input.bytes)
      return
    }
    const frame = checkReconcile(encodeReconcile(input.message))
    expect(frame.kind === 'message' && isDeepStrictEqual(plain(frame.message), plain(input.message)), 'a valid message does not round-trip')
  }),
  fast: { inputs: decoderInput(validReconcile), check: (bytes, full) => { checkReconcile(bytes, full) } }
}

const addressArb = fc.constantFrom('/ip4/127.0.0.1/tcp/4001', '/ip6/::1/tcp/4001', '/dns4/example.org/tcp/443/wss')
const rng = createRng(1)
/** The responder's known peers (more than EXCHANGE_LIMITS.maxPeers). */
const KNOWN = Array.from({ length: 80 }, (_, i) => ({ peerId: `peer-${i}`, addresses: ['/ip4/127.0.0.1/tcp/1'], capabilities: undefined }))

export const peerExchange: FuzzTarget = protoTarget({
  name: 'peer-exchange',
  description: 'PeerExchangeResponse.decode + judgeExchangeResponse (the asker) on arbitrary and mutated responses: a judgement, accepted peers bounded by EXCHANGE_LIMITS',
  files: ['protocols/topology/exchange.ts', 'protos/gen/sorcha/p2p/v1/peer_exchange.ts'],
  wire: true,
  codec: PeerExchangeResponse,
  valid: fc.record({ peers: fc.array(fc.record({ peerId: peerIdArb, addresses: fc.uniqueArray(addressArb, { maxLength: 3 }), capabilities: fc.option(capabilitiesArb, { nil: undefined }) }), { maxLength: 8 }), self: fc.option(capabilitiesArb, { nil: undefined }) }),
  judge: response => {
    const judgement = judgeExchangeResponse(response.peers, { asked: EXCHANGE_LIMITS.maxPeers, self: PEER_IDS[0] as string, from: PEER_IDS[1] as string, ...(response.self === undefined ? {} : { record: response.self }) })
    expect(judgement.verdict === 'reject' || judgement.peers.length <= EXCHANGE_LIMITS.maxPeers, 'accepted more peers than the limit')
  }
})

export const peerExchangeRequest: FuzzTarget = protoTarget({
  name: 'peer-exchange-request',
  description: 'PeerExchangeRequest.decode + chooseExchangePeers (the responder): whatever maxPeers says, at most EXCHANGE_LIMITS.maxPeers peers',
  files: ['protocols/topology/exchange.ts', 'protos/gen/sorcha/p2p/v1/peer_exchange.ts'],
  wire: true,
  codec: PeerExchangeRequest,
  valid: fc.record({ maxPeers: word, self: fc.option(capabilitiesArb, { nil: undefined }) }),
  judge: request => {
    expect(chooseExchangePeers(KNOWN, { max: request.maxPeers, requester: 'x', rng }).length <= EXCHANGE_LIMITS.maxPeers, 'answered more peers than the limit')
  }
})

// The receiver's checks of an envelope, as DefaultDirectMessaging runs them (its private verdict()).
const envelopeVerdict = (DefaultDirectMessaging.prototype as unknown as { verdict: (this: { maxMessageBytes: number }, e: DirectEnvelope) => string }).verdict
const VERDICTS = ['', 'invalid_message_id', 'invalid_topic', 'too_large']

export const directEnvelope: FuzzTarget = protoTarget({
  name: 'direct-envelope',
  description: 'DirectEnvelope.decode + the receiver\'s verdict (DefaultDirectMessaging) on arbitrary and mutated envelopes: accepted or one of its reason codes',
  files: ['src/direct/direct-messaging.ts', 'protos/gen/sorcha/p2p/v1/direct.ts'],
  wire: true,
  codec: DirectEnvelope,
  valid: fc.record({ messageId: hexOf(16, 16), topic: fc.stringMatching(/^[A-Za-z0-9._:/-]{1,20}$/), payload: fc.uint8Array({ maxLength: 200 }), sentAtMs: fc.nat({ max: 2 ** 45 }) }),
  judge: envelope => {
    const verdict = envelopeVerdict.call({ maxMessageBytes: 100 }, envelope)
    expect(VERDICTS.includes(verdict), `unknown verdict ${verdict}`)
  }
})

export const directAck: FuzzTarget = protoTarget({
  name: 'direct-ack',
  description: 'DirectAck.decode (the sender) on arbitrary and mutated acknowledgements',
  files: ['protos/gen/sorcha/p2p/v1/direct.ts'],
  wire: true,
  codec: DirectAck,
  valid: fc.record({ messageId: hexOf(16, 16), accepted: fc.boolean(), reason: fc.constantFrom('', 'no_listener', 'invalid_topic') })
})

export const txHaveRequest: FuzzTarget = protoTarget({
  name: 'tx-have-request',
  description: 'TxHaveRequest.decode (the answerer of a have-query) on arbitrary and mutated queries',
  files: ['protos/gen/sorcha/p2p/v1/tx_queue.ts'],
  wire: true,
  codec: TxHaveRequest,
  valid: fc.record({ txIds: fc.array(idBytesArb, { maxLength: 8 }) })
})

export const txHaveResponse: FuzzTarget = protoTarget({
  name: 'tx-have-response',
  description: 'TxHaveResponse.decode + unpackBits (the asker) on arbitrary and mutated bitmaps: a bitmap of the wrong length is undefined, never a throw',
  files: ['src/queue/tx-have.ts', 'protos/gen/sorcha/p2p/v1/tx_queue.ts'],
  wire: true,
  codec: TxHaveResponse,
  valid: fc.array(fc.boolean(), { maxLength: 40 }).map(bits => ({ held: packBits(bits) })),
  judge: r => {
    for (const n of [0, 1, 8, r.held.length * 8, r.held.length * 8 + 1, 1024]) {
      const bits = unpackBits(r.held, n)
      expect(bits === undefined || bits.length === n, 'unpackBits returned the wrong count')
    }
  }
})

export const gossipsubTransaction: FuzzTarget = protoTarget({
  name: 'gossipsub-transaction',
  description: 'Transaction.decode (gossipsub strategy messages) on arbitrary and mutated transactions',
  files: ['protos/gen/sorcha/p2p/v1/tx_gossip.ts'],
  wire: true,
  codec: Transaction,
  valid: fc.tuple(idBytesArb, fc.uint8Array({ maxLength: 200 })).chain(([id, payload]) => notificationArb(id, payload.length).map(notification => ({ notification, payload })))
})

export const P2P_TARGETS = [reconcileWire, peerExchange, peerExchangeRequest, directEnvelope, directAck, txHaveRequest, txHaveResponse, gossipsubTransaction]
