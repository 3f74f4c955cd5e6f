/**
 * The sorcha strategy's puller (SPEC.md §9.2): what reconciliation found missing is handed to the
 * tx-gossip core as announcements from the peers that hold it, so the existing fetch machinery
 * (GETDATA, chunks, resume, verification, store) does the rest. Paced: the tx-gossip core ignores
 * announcements beyond maxInflight, so items are fed only while its fetches leave room, and more
 * as transactions are stored (or every PULL_RETRY_MS while items wait).
 *
 * A reconciled transaction is announced at hop count `hopLimit`: it is stored and delivered but not
 * relayed by push (its neighbours hold it, or reconcile with this node by cascade, §9.2); its real
 * hop count is unknown.
 */
import type { InvItem } from '../../../protocols/tx-gossip/index.ts'
import type { ReconcileItem } from '../../../protocols/reconcile/index.ts'
import type { Puller } from './reconciler.ts'

/** While items wait for room, the puller looks again this often. */
export const PULL_RETRY_MS = 200

/** What the puller needs from the strategy. */
export interface InvPullerInit {
  /** Feeds `items` to the tx-gossip core as an inv from `peer`. */
  announce: (peer: string, items: InvItem[]) => void
  /** Fetches the tx-gossip core can start now (its maxInflight less those in flight, halved for live traffic). */
  room: () => number
  /** The hop count reconciled transactions are announced at (gossip.hopLimit). */
  hops: number
  /** Items per inv (the core's maxItemsPerMessage). */
  maxItemsPerMessage: number
  /** Items waiting, at most; beyond it new needs are dropped (a later session finds them again). */
  maxQueued: number
  /** Told when a transaction reconciliation found missing is stored (the event log's tx_recovered). */
  recovered?: (id: string) => void
}

/** Pulls reconciled transactions through tx-gossip. */
export class InvPuller implements Puller {
  private readonly init: InvPullerInit
  private readonly queue = new Map<string, { size: number, sources: string[] }>()
  private timer: ReturnType<typeof setTimeout> | undefined
  private stopped = false

  constructor (init: InvPullerInit) {
    this.init = init
  }

  /** Items waiting to be announced to the tx-gossip core. */
  get waiting (): number { return this.queue.size }

  need (peer: string, items: ReconcileItem[]): void {
    for (const item of items) {
      const queued = this.queue.get(item.id)
      if (queued !== undefined) {
        if (!queued.sources.includes(peer) && queued.sources.length < 8) queued.sources.push(peer)
      } else if (this.queue.size < this.init.maxQueued) {
        this.queue.set(item.id, { size: item.size, sources: [peer] })
      }
    }
    this.pump()
  }

  stored (id: string): void {
    if (this.queue.delete(id)) this.init.recovered?.(id)
    if (this.queue.size > 0 && this.timer === undefined) this.pump()
  }

  peerDown (peer: string): void {
    for (const [id, entry] of this.queue) {
      entry.sources = entry.sources.filter(p => p !== peer)
      if (entry.sources.length === 0) this.queue.delete(id)
    }
  }

  stop (): void {
    this.stopped = true
    clearTimeout(this.timer)
    this.timer = undefined
    this.queue.clear()
  }

  /** Announces as many waiting items as the tx-gossip core has room for, each from all its sources. */
  private pump (): void {
    if (this.stopped) return
    let room = this.init.room()
    const batches = new Map<string, InvItem[]>()
    for (const [id, entry] of this.queue) {
      if (room <= 0) break
      room--
      this.queue.delete(id)
      for (const peer of entry.sources) {
        let batch = batches.get(peer)
        if (batch === undefined) batches.set(peer, batch = [])
        batch.push({ id, size: entry.size, hops: this.init.hops })
      }
    }
    for (const [peer, items] of batches) {
      for (let at = 0; at < items.length; at += this.init.maxItemsPerMessage) this.init.announce(peer, items.slice(at, at + this.init.maxItemsPerMessage))
    }
    if (this.queue.size > 0 && this.timer === undefined) {
      this.timer = setTimeout(() => {
        this.timer = undefined
        this.pump()
      }, PULL_RETRY_MS)
    }
  }
}
