/**
 * The gossipsub strategy's puller (protocols/tx-gossip/SPEC.md §9.2): gossipsub has no way to ask a
 * peer for an old message, so reconciled transactions are fetched on the reconciliation protocol
 * itself, `BodyRequest` (at most BODY_REQUEST_MAX_IDS ids, one request per peer at a time, a few
 * peers at once) answered by `BodyResponse` frames. Each transaction is checked as the gossipsub
 * topic validator checks one (notification, register, size, SHA-256 against the id requested) and
 * then goes through the store like any received transaction. This side also serves such requests.
 */
import { toHex, validateTransactionNotification } from '../../../protocols/models/index.ts'
import { encodeBodyRequest, encodeBodyResponse, type InboundReconcileFrame, type ReconcileItem } from '../../../protocols/reconcile/index.ts'
import type { Transaction } from '../../../protos/gen/sorcha/p2p/v1/tx_gossip.ts'
import type { Logger } from '../../logging/index.ts'
import { txIdOf, type TxStore } from '../store/tx-store.ts'
import type { Puller } from './reconciler.ts'

/** Ids per request, sent and served. */
export const BODY_REQUEST_MAX_IDS = 64
/** Peers asked at once. */
export const BODY_REQUESTS_IN_FLIGHT = 4
/** A request not fully answered after this long is given up (its ids go to their next source). */
export const BODY_REQUEST_TIMEOUT_MS = 10_000
/** Payload bytes per response frame (one larger transaction goes alone). */
const RESPONSE_PAYLOAD_BYTES = 512 * 1024

/** What the puller needs from the distributor. */
export interface BodyPullerInit {
  send: (peer: string, frame: Uint8Array) => boolean
  store: TxStore
  /** Stores and delivers a verified transaction (the distributor's receive path). */
  accept: (id: string, transaction: Transaction, from: string) => void
  /** True for a register this node follows. */
  serves: (registerId: string) => boolean
  verdict: (peer: string, verdict: 'accept' | 'ignore' | 'reject', code: string) => void
  maxTxBytes: number
  /** Items waiting, at most. */
  maxQueued: number
  /** Told when a transaction reconciliation found missing is stored (the event log's tx_recovered). */
  recovered?: (id: string) => void
  log: Logger
}

interface Request { ids: Set<string>, deadline: number }

/** Pulls (and serves) bodies on the reconciliation protocol. */
export class BodyPuller implements Puller {
  private readonly init: BodyPullerInit
  private readonly queue = new Map<string, string[]>()
  /** Pulled bodies handed to `accept` and not yet stored (at most maxQueued; a failed write's id ages out). */
  private readonly arriving = new Set<string>()
  private readonly requests = new Map<string, Request>()
  private timer: ReturnType<typeof setTimeout> | undefined
  private stopped = false

  constructor (init: BodyPullerInit) {
    this.init = init
  }

  need (peer: string, items: ReconcileItem[]): void {
    for (const item of items) {
      if (item.size > this.init.maxTxBytes) continue
      const sources = this.queue.get(item.id)
      if (sources !== undefined) {
        if (!sources.includes(peer) && sources.length < 8) sources.push(peer)
      } else if (this.queue.size < this.init.maxQueued) {
        this.queue.set(item.id, [peer])
      }
    }
    this.pump()
  }

  stored (id: string): void {
    // Found missing: still queued (its body came another way) or pulled here and now written.
    if (this.queue.delete(id) || this.arriving.delete(id)) this.init.recovered?.(id)
  }

  peerDown (peer: string): void {
    const request = this.requests.get(peer)
    this.requests.delete(peer)
    for (const [id, sources] of this.queue) {
      const rest = sources.filter(p => p !== peer)
      if (rest.length === 0 && request?.ids.has(id) !== true) this.queue.delete(id)
      else this.queue.set(id, rest)
    }
    this.pump()
  }

  stop (): void {
    this.stopped = true
    clearTimeout(this.timer)
    this.timer = undefined
    this.queue.clear()
    this.requests.clear()
  }

  onFrame (peer: string, frame: InboundReconcileFrame): void {
    if (frame.kind === 'body-request') return void this.serve(peer, frame.ids)
    if (frame.kind === 'body-response') this.receive(peer, frame.transactions, frame.missing)
  }

  /** Asks the first source of waiting ids that has no request in flight, up to BODY_REQUESTS_IN_FLIGHT peers. */
  private pump (): void {
    if (this.stopped) return
    const batches = new Map<string, string[]>()
    const asked = new Set<string>()
    for (const request of this.requests.values()) for (const id of request.ids) asked.add(id)
    for (const [id, sources] of this.queue) {
      if (asked.has(id)) continue
      // A source already being batched, else one with no request in flight while there is room for another.
      const peer = sources.find(p => (batches.get(p)?.length ?? BODY_REQUEST_MAX_IDS) < BODY_REQUEST_MAX_IDS) ??
        (this.requests.size + batches.size < BODY_REQUESTS_IN_FLIGHT ? sources.find(p => !this.requests.has(p) && !batches.has(p)) : undefined)
      if (peer === undefined) continue
      const batch = batches.get(peer) ?? []
      batch.push(id)
      batches.set(peer, batch)
    }
    const deadline = Date.now() + BODY_REQUEST_TIMEOUT_MS
    for (const [peer, ids] of batches) {
      if (!this.init.send(peer, encodeBodyRequest(ids))) continue
      this.requests.set(peer, { ids: new Set(ids), deadline })
      // Asked: the other sources stay behind it in case this one fails.
      for (const id of ids) this.queue.set(id, [...(this.queue.get(id) ?? []).filter(p => p !== peer), peer])
    }
    this.arm()
  }

  private arm (): void {
    if (this.timer !== undefined || this.requests.size === 0) return
    this.timer = setTimeout(() => {
      this.timer = undefined
      const now = Date.now()
      for (const [peer, request] of this.requests) if (request.deadline <= now) this.giveUp(peer, request.ids)
      this.pump()
    }, 1000)
  }

  /** `peer` could not give these: their next source is asked (or they are dropped: a later session finds them). */
  private giveUp (peer: string, ids: Iterable<string>): void {
    this.requests.delete(peer)
    for (const id of ids) {
      const rest = (this.queue.get(id) ?? []).filter(p => p !== peer)
      if (rest.length === 0) this.queue.delete(id)
      else this.queue.set(id, rest)
    }
  }

  private receive (peer: string, transactions: Transaction[], missing: string[]): void {
    const request = this.requests.get(peer)
    if (request === undefined) return this.init.verdict(peer, 'ignore', 'not-requested')
    for (const tx of transactions) {
      const code = this.check(tx, request)
      if (code !== undefined) { this.init.verdict(peer, 'reject', code); continue }
      const id = toHex(tx.notification!.txId)
      request.ids.delete(id)
      this.queue.delete(id)
      if (this.arriving.size >= this.init.maxQueued) this.arriving.delete(this.arriving.values().next().value as string)
      this.arriving.add(id)
      this.init.verdict(peer, 'accept', 'tx-valid')
      this.init.accept(id, tx, peer)
    }
    const lacking = missing.filter(id => request.ids.delete(id))
    if (lacking.length > 0) this.giveUp(peer, lacking)
    if (request.ids.size === 0) this.requests.delete(peer)
    this.pump()
  }

  /** Why a received transaction is refused, or undefined (SPEC.md §9.2: as gossipsub's topic validator). */
  private check (tx: Transaction, request: Request): string | undefined {
    const n = tx.notification
    if (n === undefined || !validateTransactionNotification(n).ok || n.sizeBytes !== tx.payload.length || !this.init.serves(n.registerId)) return 'bad-notification'
    const id = toHex(n.txId)
    if (!request.ids.has(id)) return 'not-requested'
    if (tx.payload.length > this.init.maxTxBytes) return 'too-large'
    return toHex(txIdOf(tx.payload)) === id ? undefined : 'tx-id-mismatch'
  }

  /** Answers a request with the bodies held, in frames of about RESPONSE_PAYLOAD_BYTES, and the ids not held. */
  private async serve (peer: string, ids: string[]): Promise<void> {
    if (ids.length > BODY_REQUEST_MAX_IDS) return this.init.verdict(peer, 'reject', 'too-many-items')
    const missing: string[] = []
    let batch: Transaction[] = []
    let bytes = 0
    for (const id of ids) {
      const stored = await this.init.store.get(id).catch(() => undefined)
      const register = stored?.transaction.notification?.registerId
      if (stored === undefined || register === undefined || !this.init.serves(register)) { missing.push(id); continue }
      if (batch.length > 0 && bytes + stored.transaction.payload.length > RESPONSE_PAYLOAD_BYTES) {
        this.init.send(peer, encodeBodyResponse(batch, []))
        batch = []
        bytes = 0
      }
      batch.push(stored.transaction)
      bytes += stored.transaction.payload.length
    }
    this.init.send(peer, encodeBodyResponse(batch, missing))
  }
}
