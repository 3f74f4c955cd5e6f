/**
 * Events bound for another shard's nodes (engine/parallel.ts): numbers in one growable Float64Array
 * (moved to the other thread without copying), and the few messages that travel as objects beside
 * it (structured-cloned). A batch holds the events one shard sent another during one window.
 */

// Record layout: time, key, kind, to, from, c, d, payload (index + 1 in `objects`, 0 for none).
const STRIDE = 8

/** One window's events from one shard to another, as sent between threads. */
export interface Batch {
  readonly records: Float64Array
  readonly count: number
  readonly objects: unknown[]
}

/** What a batch's receiver does with each of its events. */
export type BatchSink = (time: number, key: number, kind: number, to: number, from: number, payload: unknown, c: number, d: number) => void

/** Collects events for one destination shard. */
export class Outbox {
  private records = new Float64Array(1024 * STRIDE)
  private count = 0
  private objects: unknown[] = []
  /** Earliest time among the events collected since the last take(). */
  minTime = Infinity

  /** Adds an event. */
  add (time: number, key: number, kind: number, to: number, from: number, payload: unknown, c: number, d: number): void {
    if ((this.count + 1) * STRIDE > this.records.length) {
      const grown = new Float64Array(this.records.length * 2)
      grown.set(this.records)
      this.records = grown
    }
    const o = this.count++ * STRIDE
    const r = this.records
    r[o] = time
    r[o + 1] = key
    r[o + 2] = kind
    r[o + 3] = to
    r[o + 4] = from
    r[o + 5] = c
    r[o + 6] = d
    r[o + 7] = payload === undefined ? 0 : this.objects.push(payload)
    if (time < this.minTime) this.minTime = time
  }

  /** The events collected so far, leaving the outbox empty (the batch's array is its own). */
  take (): Batch {
    const batch = { records: this.records.slice(0, this.count * STRIDE), count: this.count, objects: this.objects }
    this.count = 0
    this.objects = []
    this.minTime = Infinity
    return batch
  }
}

/** Feeds every event of a batch to `sink`. */
export function unpackBatch (batch: Batch, sink: BatchSink): void {
  const r = batch.records
  for (let i = 0; i < batch.count; i++) {
    const o = i * STRIDE
    const ref = r[o + 7]!
    sink(r[o]!, r[o + 1]!, r[o + 2]!, r[o + 3]!, r[o + 4]!, ref === 0 ? undefined : batch.objects[ref - 1], r[o + 5]!, r[o + 6]!)
  }
}
