/**
 * The STUN client transaction core (RFC 8489 §6.2.1, unchanged from RFC 5389 §7.2.1): over UDP a request
 * is sent, then re-sent after RTO, 2xRTO, 4xRTO... until Rc requests have gone out; after the last one
 * the client waits Rm x RTO and then declares a timeout. With RTO 500 ms, Rc 7, Rm 16 the requests leave
 * at 0, 500, 1500, 3500, 7500, 15500, 31500 ms and the transaction fails at 39500 ms.
 *
 * Pure: time comes in as `now`, transaction ids come in with the request (the adapter draws them from a
 * cryptographic source, RFC 8489 §5), and a response is matched to its transaction by id alone, since
 * RFC 5780 responses to CHANGE-REQUEST legitimately come from another server address.
 */
import type { TraceEffect, VerdictEffect } from '../common/effects.ts'
import {
  DEFAULT_LAST_WAIT_FACTOR, DEFAULT_MAX_PENDING, DEFAULT_MAX_REQUESTS, DEFAULT_RTO_MS, HEADER_BYTES, TRANSACTION_ID_BYTES
} from './constants.ts'
import { formatEndpoint, type Endpoint } from './ip.ts'
import { decodeMessage, type DecodeRejection, type StunMessage } from './message.ts'

/** Retransmission settings. */
export interface TransactionTiming {
  /** Initial retransmission timeout. @default 500 */
  rtoMs?: number
  /** Rc: requests sent in all. @default 7 */
  maxRequests?: number
  /** Rm: wait after the last request, in multiples of the initial RTO. @default 16 */
  lastWaitFactor?: number
  /** Transactions in flight at once. @default 64 */
  maxPending?: number
}

/** Inputs to the core. Every input carries `now` (ms, any monotonic clock). */
export type TransactionInput =
  | { type: 'start', now: number, to: Endpoint, request: Uint8Array }
  | { type: 'packet', now: number, from: Endpoint, bytes: Uint8Array }
  | { type: 'tick', now: number }
  | { type: 'cancel', now: number, id: string }

/** Reason codes of verdicts on received datagrams. */
export type PacketVerdictCode = DecodeRejection | 'unknown-transaction' | 'unexpected-class'

/** Effects for the adapter to carry out. */
export type TransactionEffect =
  | { type: 'send', id: string, to: Endpoint, bytes: Uint8Array, attempt: number }
  | { type: 'response', id: string, from: Endpoint, message: StunMessage, attempts: number, startedAt: number }
  | { type: 'timeout', id: string, to: Endpoint, attempts: number }
  | { type: 'refused', id: string, reason: 'too-many-pending' | 'duplicate-transaction' | 'bad-request' }
  | VerdictEffect<PacketVerdictCode>
  | TraceEffect<'stun:retransmit'>

interface Pending {
  to: Endpoint
  request: Uint8Array
  attempts: number
  rto: number
  startedAt: number
  /** When to retransmit, or (after the last request) when to give up. */
  deadline: number
}

/** Hex form of a transaction id: the key of a transaction. */
export function transactionKey (transactionId: Uint8Array): string {
  let out = ''
  for (const b of transactionId) out += b.toString(16).padStart(2, '0')
  return out
}

/** The client transaction state machine for any number of concurrent Binding transactions. */
export class StunTransactions {
  private readonly rtoMs: number
  private readonly maxRequests: number
  private readonly lastWaitFactor: number
  private readonly maxPending: number
  private readonly pending = new Map<string, Pending>()

  constructor (timing: TransactionTiming = {}) {
    this.rtoMs = timing.rtoMs ?? DEFAULT_RTO_MS
    this.maxRequests = timing.maxRequests ?? DEFAULT_MAX_REQUESTS
    this.lastWaitFactor = timing.lastWaitFactor ?? DEFAULT_LAST_WAIT_FACTOR
    this.maxPending = timing.maxPending ?? DEFAULT_MAX_PENDING
  }

  /** Transactions in flight. */
  get size (): number {
    return this.pending.size
  }

  /** Feeds one input. */
  handle (input: TransactionInput): TransactionEffect[] {
    switch (input.type) {
      case 'start': return this.start(input.now, input.to, input.request)
      case 'packet': return this.packet(input.from, input.bytes)
      case 'tick': return this.tick(input.now)
      case 'cancel': this.pending.delete(input.id); return []
    }
  }

  /** The earliest deadline, or undefined with nothing in flight. */
  nextWakeup (): number | undefined {
    let next: number | undefined
    for (const p of this.pending.values()) if (next === undefined || p.deadline < next) next = p.deadline
    return next
  }

  private start (now: number, to: Endpoint, request: Uint8Array): TransactionEffect[] {
    if (request.length < HEADER_BYTES) return [{ type: 'refused', id: '', reason: 'bad-request' }]
    const id = transactionKey(request.subarray(8, 8 + TRANSACTION_ID_BYTES))
    if (this.pending.has(id)) return [{ type: 'refused', id, reason: 'duplicate-transaction' }]
    if (this.pending.size >= this.maxPending) return [{ type: 'refused', id, reason: 'too-many-pending' }]
    const entry: Pending = { to, request, attempts: 1, rto: this.rtoMs, startedAt: now, deadline: 0 }
    entry.deadline = now + (this.maxRequests > 1 ? entry.rto : this.rtoMs * this.lastWaitFactor)
    this.pending.set(id, entry)
    return [{ type: 'send', id, to, bytes: request, attempt: 1 }]
  }

  private packet (from: Endpoint, bytes: Uint8Array): TransactionEffect[] {
    const peer = formatEndpoint(from)
    const decoded = decodeMessage(bytes)
    if (!decoded.ok) return [{ type: 'verdict', peer, verdict: 'reject', code: decoded.reason }]
    const { message } = decoded
    if (message.cls !== 'success' && message.cls !== 'error') return [{ type: 'verdict', peer, verdict: 'ignore', code: 'unexpected-class' }]
    const id = transactionKey(message.transactionId)
    const entry = this.pending.get(id)
    // RFC 8489 §6.3: a response whose transaction id matches no outstanding request is discarded.
    if (entry === undefined) return [{ type: 'verdict', peer, verdict: 'reject', code: 'unknown-transaction' }]
    this.pending.delete(id)
    return [{ type: 'response', id, from, message, attempts: entry.attempts, startedAt: entry.startedAt }]
  }

  private tick (now: number): TransactionEffect[] {
    const effects: TransactionEffect[] = []
    for (const [id, entry] of this.pending) {
      if (now < entry.deadline) continue
      if (entry.attempts >= this.maxRequests) {
        this.pending.delete(id)
        effects.push({ type: 'timeout', id, to: entry.to, attempts: entry.attempts })
        continue
      }
      entry.attempts++
      entry.rto *= 2
      // After the Rc-th request, wait Rm x (initial) RTO instead of the doubled RTO (RFC 8489 §6.2.1).
      entry.deadline = now + (entry.attempts >= this.maxRequests ? this.rtoMs * this.lastWaitFactor : entry.rto)
      effects.push({ type: 'send', id, to: entry.to, bytes: entry.request, attempt: entry.attempts })
      effects.push({ type: 'trace', event: 'stun:retransmit', data: { attempt: entry.attempts } })
    }
    return effects
  }
}
