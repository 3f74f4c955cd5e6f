/**
 * Group commit: one synced write at a time, and everything that arrives while it is in flight goes
 * into the next one. A write costs one fsync whatever it holds (measured: ~1 ms here, see
 * docs/benchmarks.md), so n concurrent submissions cost one or two fsyncs instead of n, and a lone
 * submission waits for nothing but its own write. A batch opens on the first arrival after the
 * previous write ended, once the current turn of the event loop is over (so a burst arriving in one
 * turn, e.g. a REST batch, shares one write), and holds at most GROUP_COMMIT_MAX_ITEMS items or
 * GROUP_COMMIT_MAX_BYTES bytes (one larger item goes alone).
 */
import { GROUP_COMMIT_MAX_BYTES, GROUP_COMMIT_MAX_ITEMS } from './constants.ts'

interface Waiter<T> { item: T, bytes: number, resolve: () => void, reject: (err: unknown) => void }

/** Batches items into serial writes. */
export class GroupCommit<T> {
  private readonly write: (items: T[]) => Promise<void>
  private readonly maxItems: number
  private readonly maxBytes: number
  private pending: Array<Waiter<T>> = []
  private running: Promise<void> | undefined
  /** Writes done and items they held; the largest batch. */
  readonly stats = { batches: 0, items: 0, largest: 0 }

  constructor (write: (items: T[]) => Promise<void>, options: { maxItems?: number, maxBytes?: number } = {}) {
    this.write = write
    this.maxItems = options.maxItems ?? GROUP_COMMIT_MAX_ITEMS
    this.maxBytes = options.maxBytes ?? GROUP_COMMIT_MAX_BYTES
  }

  /** Resolves once a write holding `item` has completed; rejects with that write's failure. */
  async add (item: T, bytes = 0): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ item, bytes, resolve, reject })
      this.running ??= new Promise<void>(resolve => { setImmediate(resolve) }).then(async () => this.drain())
    })
  }

  /** Resolves once nothing is pending or being written. */
  async idle (): Promise<void> {
    while (this.running !== undefined) await this.running
  }

  private async drain (): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.take()
      try {
        await this.write(batch.map(w => w.item))
        this.stats.batches++
        this.stats.items += batch.length
        this.stats.largest = Math.max(this.stats.largest, batch.length)
        for (const w of batch) w.resolve()
      } catch (err) {
        for (const w of batch) w.reject(err)
      }
    }
    this.running = undefined
  }

  private take (): Array<Waiter<T>> {
    let bytes = 0
    let n = 0
    while (n < this.pending.length && n < this.maxItems) {
      const next = (this.pending[n] as Waiter<T>).bytes
      if (n > 0 && bytes + next > this.maxBytes) break
      bytes += next
      n++
    }
    return this.pending.splice(0, n)
  }
}
