/**
 * Frames of /sorcha/tx-reconcile/1.0.0 (../tx-gossip/SPEC.md §9.8) to and from the core's
 * logical messages: ids and prefixes are bytes on the wire and hex in the core, a session key is 16
 * little-endian bytes on the wire and four 32-bit words in the core. Decoding never throws: a frame
 * that cannot be read comes back as `invalid` (a reject verdict); the core checks what it means.
 */
import { RangeMode, ReconcileFrame, RefuseReason, type ReconcileRange } from '../../protos/gen/sorcha/p2p/v1/tx_reconcile.ts'
import type { Transaction } from '../../protos/gen/sorcha/p2p/v1/tx_gossip.ts'
import { toHex } from '../models/index.ts'
import type { Range, ReconcileItem, ReconcileMessage, RefuseReason as Reason } from './types.ts'

const ID_BYTES = 32

/** A decoded inbound frame. */
export type InboundReconcileFrame =
  | { kind: 'message', message: ReconcileMessage }
  | { kind: 'body-request', ids: string[] }
  | { kind: 'body-response', transactions: Transaction[], missing: string[] }
  | { kind: 'invalid' }

const MODES = { skip: RangeMode.RANGE_MODE_SKIP, fingerprint: RangeMode.RANGE_MODE_FINGERPRINT, ids: RangeMode.RANGE_MODE_IDS, have: RangeMode.RANGE_MODE_HAVE } as const
const REASONS: Record<Reason, RefuseReason> = {
  busy: RefuseReason.REFUSE_REASON_BUSY,
  'not-served': RefuseReason.REFUSE_REASON_NOT_SERVED,
  'too-frequent': RefuseReason.REFUSE_REASON_TOO_FREQUENT
}

const nibble = (code: number): number => code <= 57 ? code - 48 : (code | 32) - 87

/** Lower-case hex (the core's ids and prefixes, valid by construction) to bytes, without a regex per call. */
function bytesOf (hex: string): Uint8Array {
  const out = new Uint8Array(hex.length >> 1)
  for (let i = 0; i < out.length; i++) out[i] = (nibble(hex.charCodeAt(2 * i)) << 4) | nibble(hex.charCodeAt(2 * i + 1))
  return out
}

function writeHex (hex: string, into: Uint8Array, at: number): void {
  for (let i = 0; i < ID_BYTES; i++) into[at + i] = (nibble(hex.charCodeAt(2 * i)) << 4) | nibble(hex.charCodeAt(2 * i + 1))
}

function keyBytes (key: readonly number[]): Uint8Array {
  const out = new Uint8Array(16)
  const view = new DataView(out.buffer)
  key.forEach((word, i) => { view.setUint32(4 * i, word, true) })
  return out
}

function encodeRange (range: Range): ReconcileRange {
  const wire: ReconcileRange = {
    upper: range.upper === undefined ? undefined : { timestampMs: range.upper.ts, idPrefix: bytesOf(range.upper.prefix) },
    mode: MODES[range.mode],
    count: 0,
    fingerprint: new Uint8Array(0),
    txIds: new Uint8Array(0),
    sizes: []
  }
  if (range.mode === 'fingerprint') {
    wire.count = range.count
    wire.fingerprint = bytesOf(range.fingerprint)
  } else if (range.mode === 'ids' || range.mode === 'have') {
    wire.txIds = new Uint8Array(ID_BYTES * range.items.length)
    range.items.forEach((item, i) => { writeHex(item.id, wire.txIds, ID_BYTES * i) })
    wire.sizes = range.items.map(item => item.size)
  }
  return wire
}

/** Encodes a core message as a ReconcileFrame. */
export function encodeReconcile (message: ReconcileMessage): Uint8Array {
  if (message.type === 'refuse') return ReconcileFrame.encode({ refuse: { session: message.session, reason: REASONS[message.reason] } }).finish()
  const open = message.open === undefined
    ? undefined
    : { scope: message.open.scope, sinceMs: message.open.since, untilMs: message.open.until, key: keyBytes(message.open.key) }
  return ReconcileFrame.encode({ ranges: { session: message.session, initiator: message.initiator, open, ranges: message.ranges.map(encodeRange) } }).finish()
}

/** Encodes a request for bodies. */
export function encodeBodyRequest (ids: readonly string[]): Uint8Array {
  return ReconcileFrame.encode({ bodyRequest: { txIds: ids.map(bytesOf) } }).finish()
}

/** Encodes bodies (and the ids not held). */
export function encodeBodyResponse (transactions: Transaction[], missing: readonly string[]): Uint8Array {
  return ReconcileFrame.encode({ bodyResponse: { transactions, missing: missing.map(bytesOf) } }).finish()
}

function decodeItems (range: ReconcileRange): ReconcileItem[] | undefined {
  if (range.txIds.length !== ID_BYTES * range.sizes.length) return undefined
  return range.sizes.map((size, i) => ({ id: toHex(range.txIds.subarray(ID_BYTES * i, ID_BYTES * (i + 1))), size }))
}

function decodeRange (range: ReconcileRange): Range | undefined {
  const upper = range.upper === undefined ? undefined : { ts: range.upper.timestampMs, prefix: toHex(range.upper.idPrefix) }
  switch (range.mode) {
    case RangeMode.RANGE_MODE_SKIP: return { mode: 'skip', upper }
    case RangeMode.RANGE_MODE_FINGERPRINT: return { mode: 'fingerprint', upper, count: range.count, fingerprint: toHex(range.fingerprint) }
    case RangeMode.RANGE_MODE_IDS:
    case RangeMode.RANGE_MODE_HAVE: {
      const items = decodeItems(range)
      if (items === undefined) return undefined
      return { mode: range.mode === RangeMode.RANGE_MODE_IDS ? 'ids' : 'have', upper, items }
    }
    default: return undefined
  }
}

function decodeBody (frame: ReconcileFrame): InboundReconcileFrame {
  if (frame.refuse !== undefined) {
    const reason = (Object.keys(REASONS) as Reason[]).find(r => REASONS[r] === frame.refuse!.reason)
    return reason === undefined ? { kind: 'invalid' } : { kind: 'message', message: { type: 'refuse', session: frame.refuse.session, reason } }
  }
  if (frame.bodyRequest !== undefined) {
    if (!frame.bodyRequest.txIds.every(id => id.length === ID_BYTES)) return { kind: 'invalid' }
    return { kind: 'body-request', ids: frame.bodyRequest.txIds.map(toHex) }
  }
  if (frame.bodyResponse !== undefined) {
    if (!frame.bodyResponse.missing.every(id => id.length === ID_BYTES)) return { kind: 'invalid' }
    return { kind: 'body-response', transactions: frame.bodyResponse.transactions, missing: frame.bodyResponse.missing.map(toHex) }
  }
  const wire = frame.ranges!
  const ranges: Range[] = []
  for (const range of wire.ranges) {
    const decoded = decodeRange(range)
    if (decoded === undefined) return { kind: 'invalid' }
    ranges.push(decoded)
  }
  let open
  if (wire.open !== undefined) {
    if (wire.open.key.length !== 16) return { kind: 'invalid' }
    const view = new DataView(wire.open.key.buffer, wire.open.key.byteOffset, 16)
    const key = [view.getUint32(0, true), view.getUint32(4, true), view.getUint32(8, true), view.getUint32(12, true)] as const
    open = { scope: wire.open.scope, since: wire.open.sinceMs, until: wire.open.untilMs, key }
  }
  return { kind: 'message', message: { type: 'ranges', session: wire.session, initiator: wire.initiator, open, ranges } }
}

/** Decodes one frame's bytes. */
export function decodeReconcile (bytes: Uint8Array): InboundReconcileFrame {
  let frame: ReconcileFrame
  try {
    frame = ReconcileFrame.decode(bytes)
  } catch {
    return { kind: 'invalid' }
  }
  const set = [frame.ranges, frame.refuse, frame.bodyRequest, frame.bodyResponse].filter(f => f !== undefined).length
  return set === 1 ? decodeBody(frame) : { kind: 'invalid' }
}
