import assert from 'node:assert/strict'
import { createHash, createHmac } from 'node:crypto'
import { describe, it } from 'node:test'
import {
  ATTR, crc32, decodeAddress, decodeChangeRequest, decodeErrorCode, decodeMessage, encodeAddress, encodeBindingError,
  encodeBindingRequest, encodeBindingSuccess, encodeErrorCode, encodeMessage, findAttribute, formatIp, looksLikeStun, messageType,
  parseIp, readBindingResponse, canonicalIp, METHOD_BINDING, type Endpoint, type StunMessage
} from '../../../protocols/stun/index.ts'
import { IPV4_RESPONSE, IPV6_RESPONSE, LONG_TERM_REQUEST, SAMPLE_REQUEST, SHORT_TERM_PASSWORD } from '../../fixtures/rfc5769.ts'

const TXID = Uint8Array.from([0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34, 0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae])

/** RFC 8489 §14.5: HMAC-SHA1 over the message up to MESSAGE-INTEGRITY, with the length covering it. */
function integrityOk (bytes: Uint8Array, key: Buffer): boolean {
  const view = new DataView(bytes.buffer, bytes.byteOffset)
  let offset = 20
  while (view.getUint16(offset) !== ATTR.MESSAGE_INTEGRITY) offset += 4 + ((view.getUint16(offset + 2) + 3) & ~3)
  const copy = Uint8Array.from(bytes.subarray(0, offset))
  new DataView(copy.buffer).setUint16(2, offset + 24 - 20)
  const mac = createHmac('sha1', key).update(copy).digest()
  return mac.equals(Buffer.from(bytes.subarray(offset + 4, offset + 24)))
}

function ok (bytes: Uint8Array): StunMessage {
  const decoded = decodeMessage(bytes)
  assert.ok(decoded.ok, `expected a message, got ${JSON.stringify(decoded)}`)
  return decoded.message
}

describe('STUN codec: RFC 5769 test vectors', () => {
  it('transcribed vectors carry valid MESSAGE-INTEGRITY (checked with node:crypto, so the bytes are right)', () => {
    const shortKey = Buffer.from(SHORT_TERM_PASSWORD)
    assert.ok(integrityOk(SAMPLE_REQUEST, shortKey))
    assert.ok(integrityOk(IPV4_RESPONSE, shortKey))
    assert.ok(integrityOk(IPV6_RESPONSE, shortKey))
    const longKey = createHash('md5').update('\u30DE\u30C8\u30EA\u30C3\u30AF\u30B9:example.org:TheMatrIX').digest()
    assert.ok(integrityOk(LONG_TERM_REQUEST, longKey))
  })

  it('§2.1 sample request: decodes, fingerprint verified, attributes in order', () => {
    const decoded = decodeMessage(SAMPLE_REQUEST)
    assert.ok(decoded.ok)
    assert.equal(decoded.hasFingerprint, true)
    assert.equal(decoded.message.cls, 'request')
    assert.equal(decoded.message.method, METHOD_BINDING)
    assert.deepEqual(decoded.message.transactionId, TXID)
    assert.deepEqual(decoded.message.attributes.map(a => a.type), [ATTR.SOFTWARE, ATTR.PRIORITY, ATTR.ICE_CONTROLLED, ATTR.USERNAME, ATTR.MESSAGE_INTEGRITY])
    assert.equal(new TextDecoder().decode(findAttribute(decoded.message, ATTR.SOFTWARE)), 'STUN test client')
    assert.equal(new TextDecoder().decode(findAttribute(decoded.message, ATTR.USERNAME)), 'evtj:h6vY')
  })

  it('§2.2 IPv4 response: XOR-MAPPED-ADDRESS 192.0.2.1:32853', () => {
    const read = readBindingResponse(ok(IPV4_RESPONSE))
    assert.equal(read.kind, 'success')
    assert.ok(read.kind === 'success')
    assert.deepEqual(read.result.mapped, { family: 4, address: '192.0.2.1', port: 32853 })
    assert.equal(read.result.software, 'test vector')
  })

  it('§2.3 IPv6 response: XOR-MAPPED-ADDRESS 2001:db8:1234:5678:11:2233:4455:6677 port 32853', () => {
    const read = readBindingResponse(ok(IPV6_RESPONSE))
    assert.ok(read.kind === 'success')
    assert.deepEqual(read.result.mapped, { family: 6, address: '2001:db8:1234:5678:11:2233:4455:6677', port: 32853 })
  })

  it('§2.4 long-term request parses (USERNAME, NONCE, REALM, MESSAGE-INTEGRITY; no fingerprint)', () => {
    const decoded = decodeMessage(LONG_TERM_REQUEST)
    assert.ok(decoded.ok)
    assert.equal(decoded.hasFingerprint, false)
    assert.deepEqual(decoded.message.attributes.map(a => a.type), [ATTR.USERNAME, ATTR.NONCE, ATTR.REALM, ATTR.MESSAGE_INTEGRITY])
    assert.equal(new TextDecoder().decode(findAttribute(decoded.message, ATTR.USERNAME)), '\u30DE\u30C8\u30EA\u30C3\u30AF\u30B9')
    assert.equal(new TextDecoder().decode(findAttribute(decoded.message, ATTR.REALM)), 'example.org')
  })

  it('re-encoding the decoded IPv4 response reproduces its fingerprint', () => {
    const message = ok(IPV4_RESPONSE)
    // Our encoder pads with zeros; the vector pads SOFTWARE with a space, so compare after equalising it.
    const vector = Uint8Array.from(IPV4_RESPONSE)
    vector[35] = 0
    const { crc } = { crc: crc32(vector, vector.length - 8) ^ 0x5354554e }
    const ours = encodeMessage(message)
    assert.equal(ours.length, IPV4_RESPONSE.length)
    assert.equal(new DataView(ours.buffer).getUint32(ours.length - 4), crc >>> 0)
    assert.deepEqual(ours.subarray(0, 35), IPV4_RESPONSE.subarray(0, 35))
  })
})

describe('STUN codec: malformed and spoofed packets are rejected with a reason', () => {
  const good = (): Uint8Array => Uint8Array.from(IPV4_RESPONSE)
  const cases: Array<[string, () => Uint8Array, string]> = [
    ['empty', () => new Uint8Array(0), 'too-short'],
    ['19 bytes', () => good().subarray(0, 19), 'too-short'],
    ['top bits set (not STUN)', () => { const b = good(); b[0] = 0x81; return b }, 'not-stun'],
    ['wrong magic cookie', () => { const b = good(); b[4] = 0x22; return b }, 'bad-magic-cookie'],
    ['length not a multiple of 4', () => { const b = good(); b[3] = 0x3d; return b }, 'bad-length'],
    ['length beyond the datagram', () => { const b = good(); b[3] = 0x40; return b }, 'bad-length'],
    ['datagram cut short', () => good().subarray(0, 60), 'bad-length'],
    ['attribute length runs past the end', () => { const b = good(); b[23] = 0xff; return b }, 'truncated-attribute'],
    ['flipped bit under the fingerprint', () => { const b = good(); b[40] = b[40]! ^ 1; return b }, 'bad-fingerprint'],
    ['corrupted fingerprint', () => { const b = good(); b[b.length - 1] = b[b.length - 1]! ^ 0xff; return b }, 'bad-fingerprint'],
    ['attribute after a valid FINGERPRINT', fingerprintThenMore, 'fingerprint-not-last'],
    ['trailing half attribute header', () => withExtra(encodeMessage({ cls: 'success', method: 1, transactionId: TXID, attributes: [] }, { fingerprint: false }), [0x00, 0x01]), 'bad-length'],
    ['unknown comprehension-required attribute', () => encodeMessage({ cls: 'success', method: 1, transactionId: TXID, attributes: [{ type: 0x7777, value: new Uint8Array(4) }] }), 'unknown-comprehension-required'],
    ['over 64 KiB', () => new Uint8Array(70_000), 'too-large']
  ]
  for (const [name, make, reason] of cases) {
    it(name, () => {
      const decoded = decodeMessage(make())
      assert.equal(decoded.ok, false)
      assert.ok(!decoded.ok)
      assert.equal(decoded.reason, reason)
    })
  }

  it('unknown comprehension-optional attributes are accepted', () => {
    const bytes = encodeMessage({ cls: 'success', method: 1, transactionId: TXID, attributes: [{ type: 0xc001, value: new Uint8Array(3) }] })
    assert.ok(decodeMessage(bytes).ok)
  })

  it('fuzz: random bytes and random mutations never throw', () => {
    let seed = 7
    const rnd = (): number => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed }
    for (let i = 0; i < 3000; i++) {
      const b = i % 2 === 0 ? Uint8Array.from(IPV6_RESPONSE) : new Uint8Array(20 + (rnd() % 80))
      if (i % 2 === 1) { b.forEach((_, j) => { b[j] = rnd() & 0xff }); b[0] = (b[0] as number) & 0x3f; new DataView(b.buffer).setUint32(4, 0x2112a442) }
      for (let k = 0; k < 3; k++) b[rnd() % b.length] = rnd() & 0xff
      const decoded = decodeMessage(b)
      if (decoded.ok) readBindingResponse(decoded.message)
    }
  })

  it('a response whose address attribute is malformed is rejected, not thrown', () => {
    const bad = encodeMessage({ cls: 'success', method: 1, transactionId: TXID, attributes: [{ type: ATTR.XOR_MAPPED_ADDRESS, value: Uint8Array.from([0, 3, 0, 0, 1, 2, 3, 4]) }] })
    assert.deepEqual(readBindingResponse(ok(bad)), { kind: 'rejected', reason: 'bad-address-attribute' })
    const none = encodeMessage({ cls: 'success', method: 1, transactionId: TXID, attributes: [] })
    assert.deepEqual(readBindingResponse(ok(none)), { kind: 'rejected', reason: 'missing-mapped-address' })
    const noCode = encodeMessage({ cls: 'error', method: 1, transactionId: TXID, attributes: [] })
    assert.deepEqual(readBindingResponse(ok(noCode)), { kind: 'rejected', reason: 'bad-error-code' })
    const request = encodeBindingRequest(TXID)
    assert.deepEqual(readBindingResponse(ok(request)), { kind: 'rejected', reason: 'not-binding' })
  })
})

/** A message whose FINGERPRINT is valid (computed with the final length) but is followed by another attribute. */
function fingerprintThenMore (): Uint8Array {
  const out = new Uint8Array(20 + 8 + 4)
  const view = new DataView(out.buffer)
  view.setUint16(0, 0x0101)
  view.setUint16(2, 12)
  view.setUint32(4, 0x2112a442)
  out.set(TXID, 8)
  view.setUint16(20, ATTR.FINGERPRINT)
  view.setUint16(22, 4)
  view.setUint32(24, (crc32(out, 20) ^ 0x5354554e) >>> 0)
  view.setUint16(28, ATTR.SOFTWARE)
  return out
}

function withExtra (bytes: Uint8Array, extra: number[]): Uint8Array {
  const out = new Uint8Array(bytes.length + extra.length)
  out.set(bytes)
  out.set(extra, bytes.length)
  new DataView(out.buffer).setUint16(2, out.length - 20)
  return out
}

describe('STUN codec: round trips', () => {
  it('binding request with CHANGE-REQUEST and SOFTWARE', () => {
    const bytes = encodeBindingRequest(TXID, { change: { changeIp: true, changePort: false }, software: 'sorcha' })
    assert.ok(looksLikeStun(bytes))
    const message = ok(bytes)
    assert.deepEqual(decodeChangeRequest(findAttribute(message, ATTR.CHANGE_REQUEST)!), { changeIp: true, changePort: false })
    assert.equal(messageType(METHOD_BINDING, 'request'), 0x0001)
    assert.equal(messageType(METHOD_BINDING, 'success'), 0x0101)
    assert.equal(messageType(METHOD_BINDING, 'error'), 0x0111)
    assert.equal(findAttribute(ok(encodeBindingRequest(TXID, { change: { changeIp: false, changePort: false } })), ATTR.CHANGE_REQUEST), undefined)
  })

  it('binding success with every address attribute, IPv4 and IPv6', () => {
    const pairs: Array<[Endpoint, Endpoint]> = [
      [{ family: 4, address: '203.0.113.9', port: 4000 }, { family: 4, address: '198.51.100.2', port: 3479 }],
      [{ family: 6, address: '2001:db8::1', port: 1 }, { family: 6, address: '3fff::2', port: 65535 }]
    ]
    for (const [mapped, other] of pairs) {
      const bytes = encodeBindingSuccess(TXID, { mapped, otherAddress: other, responseOrigin: other, software: 'x', plainMapped: true })
      const read = readBindingResponse(ok(bytes))
      assert.ok(read.kind === 'success')
      assert.deepEqual(read.result.mapped, mapped)
      assert.deepEqual(read.result.otherAddress, other)
      assert.deepEqual(read.result.responseOrigin, other)
    }
  })

  it('legacy CHANGED-ADDRESS stands in for OTHER-ADDRESS; MAPPED-ADDRESS for XOR-MAPPED-ADDRESS', () => {
    const bytes = encodeMessage({
      cls: 'success', method: 1, transactionId: TXID, attributes: [
        { type: ATTR.MAPPED_ADDRESS, value: encodeAddress({ family: 4, address: '192.0.2.7', port: 9 }) },
        { type: ATTR.CHANGED_ADDRESS, value: encodeAddress({ family: 4, address: '192.0.2.8', port: 10 }) }
      ]
    })
    const read = readBindingResponse(ok(bytes))
    assert.ok(read.kind === 'success')
    assert.deepEqual(read.result.mapped, { family: 4, address: '192.0.2.7', port: 9 })
    assert.deepEqual(read.result.otherAddress, { family: 4, address: '192.0.2.8', port: 10 })
  })

  it('error responses carry their code', () => {
    const read = readBindingResponse(ok(encodeBindingError(TXID, { code: 420, reason: 'Unknown Attribute' })))
    assert.deepEqual(read, { kind: 'error', error: { code: 420, reason: 'Unknown Attribute' } })
    assert.equal(decodeErrorCode(encodeErrorCode({ code: 700, reason: '' })), undefined)
    assert.equal(decodeErrorCode(new Uint8Array(2)), undefined)
  })

  it('address parsing and canonical formatting', () => {
    assert.equal(canonicalIp('2001:DB8:0:0:1:0:0:1'), '2001:db8::1:0:0:1')
    assert.equal(canonicalIp('::ffff:192.0.2.1'), '::ffff:c000:201')
    assert.equal(canonicalIp('::'), '::')
    assert.equal(canonicalIp('1:2:3:4:5:6:7:8'), '1:2:3:4:5:6:7:8')
    assert.equal(formatIp(parseIp('fe80::1')!.bytes), 'fe80::1')
    for (const bad of ['1.2.3', '256.1.1.1', '01.1.1.1', '1::2::3', '1:2:3:4:5:6:7:8:9', 'x::', '']) assert.equal(parseIp(bad), undefined, bad)
    assert.equal(decodeAddress(Uint8Array.from([0, 1, 0, 0, 1, 2, 3])), undefined)
    assert.throws(() => encodeAddress({ family: 4, address: 'nope', port: 1 }), { name: 'RangeError' })
  })
})
