import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  PeerNode, PeerRole, PeerSource, PeerStatus, TransactionNotification, assertValid, decodeValid, fromHex,
  hexEquals, modelEquals, toHex, validatePeerNode, validateTransactionNotification
} from '../../../protocols/models/index.ts'

const ID_A = '12D3KooWQYhTNQdmr3ArTeUHRYzFg94BKyTkoWBDWez9kSCVe2Xo'
const ID_B = '12D3KooWJWoaqZhDaoEFshF7Rh1bpY9ohihFhzcW6d69Lr2NASuq'

const peer = (over: Partial<PeerNode> = {}): PeerNode => PeerNode.fromPartial({
  peerId: ID_A,
  addresses: ['/ip4/127.0.0.1/tcp/4100', '/ip6/::1/tcp/4100'],
  capabilities: { protocols: ['/sorcha/tx-gossip/1.0.0'], registers: ['reg-1'], roles: [PeerRole.PEER_ROLE_BOOTSTRAP], maxTransactionBytes: 10, recordSeq: 0 << 20 },
  status: PeerStatus.PEER_STATUS_HEALTHY,
  firstSeenMs: 1_700_000_000_000,
  lastSeenMs: 1_700_000_100_000,
  consecutiveFailures: 0,
  latencyMs: 12.5,
  score: 80,
  source: PeerSource.PEER_SOURCE_DHT,
  learnedFrom: ID_B,
  ...over
})

const tx = (over: Partial<TransactionNotification> = {}): TransactionNotification => TransactionNotification.fromPartial({
  txId: new Uint8Array(32).fill(7),
  registerId: 'c0ffee00c0ffee00c0ffee00c0ffee00',
  sender: ID_B,
  timestampMs: 1_700_000_000_000,
  sizeBytes: 512,
  contentType: 'application/json',
  hopCount: 2,
  ...over
})

describe('PeerNode', () => {
  it('round-trips through the wire encoding and JSON', () => {
    const original = peer()
    const bytes = PeerNode.encode(original).finish()
    const decoded = decodeValid(PeerNode, validatePeerNode, bytes)
    assert.ok(decoded.ok)
    assert.deepEqual(decoded.value, original)
    assert.deepEqual(PeerNode.fromJSON(JSON.parse(JSON.stringify(PeerNode.toJSON(original)))), original)
  })

  it('is equal exactly when every field is', () => {
    assert.ok(modelEquals(PeerNode, peer(), peer()))
    assert.ok(!modelEquals(PeerNode, peer(), peer({ consecutiveFailures: 1 })))
    assert.ok(!modelEquals(PeerNode, peer(), peer({ addresses: ['/ip4/127.0.0.1/tcp/4100'] })))
  })

  const invalid: Array<[string, Partial<PeerNode>, string]> = [
    ['a malformed peer id', { peerId: 'not-a-peer' }, 'peerId'],
    ['a non-multiaddr address', { addresses: ['127.0.0.1:4100'] }, 'addresses[0]'],
    ['duplicate addresses', { addresses: ['/ip4/1.2.3.4/tcp/1', '/ip4/1.2.3.4/tcp/1'] }, 'addresses'],
    ['too many addresses', { addresses: Array.from({ length: 33 }, (_, i) => `/ip4/10.0.0.${i}/tcp/1`) }, 'addresses'],
    ['an unknown status', { status: 42 as PeerStatus }, 'status'],
    ['last seen before first seen', { firstSeenMs: 10, lastSeenMs: 5 }, 'lastSeenMs'],
    ['a negative latency', { latencyMs: -1 }, 'latencyMs'],
    ['a score above 100', { score: 101 }, 'score'],
    ['a NaN score', { score: Number.NaN }, 'score'],
    ['itself as its source', { learnedFrom: ID_A }, 'learnedFrom'],
    ['a bad register in its capabilities', { capabilities: { protocols: [], registers: ['has space'], roles: [], maxTransactionBytes: 0, recordSeq: 0, allRegisters: false } }, 'capabilities.registers[0]'],
    ['an unknown role', { capabilities: { protocols: [], registers: [], roles: [9 as PeerRole], maxTransactionBytes: 0, recordSeq: 0, allRegisters: false } }, 'capabilities.roles[0]'],
    ['a protocol id without a leading slash', { capabilities: { protocols: ['ping'], registers: [], roles: [], maxTransactionBytes: 0, recordSeq: 0, allRegisters: false } }, 'capabilities.protocols[0]'],
    ['an overlong ban reason', { banReason: 'x'.repeat(300) }, 'banReason']
  ]
  for (const [what, over, field] of invalid) {
    it(`rejects ${what}`, () => {
      const result = validatePeerNode(peer(over))
      assert.equal(result.ok, false)
      assert.equal(!result.ok && result.field, field)
    })
  }

  it('turns undecodable bytes into a failure, not an exception', () => {
    const result = decodeValid(PeerNode, validatePeerNode, new Uint8Array([0x0a, 0xff, 0xff, 0xff]))
    assert.equal(result.ok, false)
    assert.equal(!result.ok && result.field, '(bytes)')
  })

  it('assertValid throws InvalidModelError naming the field', () => {
    assert.throws(() => assertValid('PeerNode', validatePeerNode, peer({ score: -3 })), (err: Error & { field?: string }) => err.name === 'InvalidModelError' && err.field === 'score')
    assert.doesNotThrow(() => assertValid('PeerNode', validatePeerNode, peer()))
  })
})

describe('TransactionNotification', () => {
  it('round-trips and compares', () => {
    const original = tx()
    const decoded = decodeValid(TransactionNotification, validateTransactionNotification, TransactionNotification.encode(original).finish())
    assert.ok(decoded.ok)
    assert.ok(modelEquals(TransactionNotification, decoded.value, original))
    assert.ok(!modelEquals(TransactionNotification, original, tx({ hopCount: 3 })))
  })

  const invalid: Array<[string, Partial<TransactionNotification>, string]> = [
    ['a short tx id', { txId: new Uint8Array(31) }, 'txId'],
    ['an empty register id', { registerId: '' }, 'registerId'],
    ['a bad sender', { sender: 'bob' }, 'sender'],
    ['a zero timestamp', { timestampMs: 0 }, 'timestampMs'],
    ['a fractional size', { sizeBytes: 1.5 }, 'sizeBytes'],
    ['a content type without a subtype', { contentType: 'json' }, 'contentType'],
    ['a hop count above 255', { hopCount: 256 }, 'hopCount']
  ]
  for (const [what, over, field] of invalid) {
    it(`rejects ${what}`, () => {
      const result = validateTransactionNotification(tx(over))
      assert.equal(!result.ok && result.field, field)
    })
  }
})

describe('hex', () => {
  it('round-trips and rejects non-hex', () => {
    const bytes = new Uint8Array([0, 1, 0xab, 0xff])
    assert.equal(toHex(bytes), '0001abff')
    assert.deepEqual(fromHex('0001ABff'), bytes)
    assert.equal(fromHex('abc'), undefined)
    assert.equal(fromHex('zz'), undefined)
  })

  it('compares bytes with their lower-case hex without building a string', () => {
    const bytes = new Uint8Array([0, 1, 0xab, 0xff])
    assert.equal(hexEquals(bytes, '0001abff'), true)
    assert.equal(hexEquals(bytes, '0001abfe'), false)
    assert.equal(hexEquals(bytes, '1001abff'), false)
    assert.equal(hexEquals(bytes, '0001ABFF'), false)
    assert.equal(hexEquals(bytes, '0001ab'), false)
    assert.equal(hexEquals(bytes, '0001abff00'), false)
    assert.equal(hexEquals(new Uint8Array(0), ''), true)
    for (let b = 0; b < 256; b++) assert.equal(hexEquals(new Uint8Array([b]), toHex(new Uint8Array([b]))), true)
  })
})
