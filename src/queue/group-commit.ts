/**
 * Group commit: one write at a time, and everything that arrives while it is in flight goes into
 * the next one. A synced write costs one fsync whatever it holds (measured: ~1 ms here, see
 * docs/benchmarks.md), so n concurrent submissions cost one or two fsyncs instead of n, and a lone
 * submission waits for nothing but its own write. A batch opens on the first arrival after the
 * previous write ended, once the current turn of the event loop is over (so a burst arriving in one
 * turn, e.g. a REST batch, shares one write), and holds at most GROUP_COMMIT_MAX_ITEMS items or
 * GROUP_COMMIT_MAX_BYTES bytes (one larger item goes alone). Every item of a batch shares the batch's
 * one promise: adding an item allocates nothing but its place in the batch.
 */
import { GROUP_COMMIT_MAX_BYTES, GROUP_COMMIT_MAX_ITEMS } from './constants.ts'

interface Batch<T> { items: T[], bytes: number, done: PromiseWithResolvers<void> }

/** Batches items into serial writes. */
export class GroupCommit<T> {
  private readonly write: (items: T[]) => Promise<void>
  private readonly maxItems: number
  private readonly maxBytes: number
  /** Batches not written yet, oldest first; the last one takes new items while it has room. */
  private readonly waiting: Array<Batch<T>> = []
  private running: Promise<void> | undefined
  /** Writes done and items they held; the largest batch. */
  readonly stats = { batches: 0, items: 0, largest: 0 }

  constructor (write: (items: T[]) => Promise<void>, options: { maxItems?: number, maxBytes?: number } = {}) {
    this.write = write
    this.maxItems = options.maxItems ?? GROUP_COMMIT_MAX_ITEMS
    this.maxBytes = options.maxBytes ?? GROUP_COMMIT_MAX_BYTES
  }

  /** Resolves once a write holding `item` has completed; rejects with that write's failure. */
  add (item: T, bytes = 0): Promise<void> {
    let batch = this.waiting.at(-1)
    if (batch === undefined || batch.items.length >= this.maxItems || (batch.items.length > 0 && batch.bytes + bytes > this.maxBytes)) {
      batch = { items: [], bytes: 0, done: Promise.withResolvers<void>() }
      this.waiting.push(batch)
    }
    batch.items.push(item)
    batch.bytes += bytes
    this.running ??= new Promise<void>(resolve => { setImmediate(resolve) }).then(async () => this.drain())
    return batch.done.promise
  }

  /** Resolves once nothing is pending or being written. */
  async idle (): Promise<void> {
    while (this.running !== undefined) await this.running
  }

  private async drain (): Promise<void> {
    for (let batch = this.waiting.shift(); batch !== undefined; batch = this.waiting.shift()) {
      try {
        await this.write(batch.items)
        this.stats.batches++
        this.stats.items += batch.items.length
        this.stats.largest = Math.max(this.stats.largest, batch.items.length)
        batch.done.resolve()
      } catch (err) {
        batch.done.reject(err)
      }
    }
    this.running = undefined
  }
}
