/**
 * Times body fetches for the metrics: from the first request for a body (a getdata from offset 0)
 * to its verified delivery. Bounded: at most MAX_TIMED_FETCHES at once, the oldest forgotten first
 * (a fetch that ends neither way, or one abandoned, is forgotten when the core discards it).
 */
import type { GossipRecorder } from '../metrics/gossip.ts'

/** Most fetches timed at once (the core's maxInflight is far lower by default). */
export const MAX_TIMED_FETCHES = 10_000

/** Fetch start times by transaction id. */
export class FetchTimer {
  private readonly started_ = new Map<string, number>()
  private readonly metrics: GossipRecorder

  constructor (metrics: GossipRecorder) {
    this.metrics = metrics
  }

  /** A getdata went out for these items; the first request of each body starts its clock. */
  started (items: ReadonlyArray<{ id: string, offset: number }>): void {
    const now = performance.now()
    for (const item of items) {
      if (item.offset !== 0 || this.started_.has(item.id)) continue
      if (this.started_.size >= MAX_TIMED_FETCHES) this.started_.delete(this.started_.keys().next().value as string)
      this.started_.set(item.id, now)
    }
  }

  /** The body of `id` was delivered (recorded) or discarded (forgotten). */
  ended (id: string, delivered: boolean): void {
    const at = this.started_.get(id)
    if (at === undefined) return
    this.started_.delete(id)
    if (delivered) this.metrics.fetched(performance.now() - at)
  }
}
