/**
 * Events bound for another shard's nodes (engine/parallel.ts): numbers in one growable Float64Array
 * (moved to the other thread without copying), and the few messages that travel as objects beside
 * it (structured-cloned). A payload that is a number (a binding's packed message) stays in the record. A batch holds the events one shard sent another during one window.
 */

// Record layout: time, key, kind, to, from, c, d, then the payload: its form (none, a number, an
// object) and the number itself or the object's index in `objects`.
const STRIDE = 9
const NONE = 0
const NUMBER = 1
const OBJECT = 2

/** One window's events from one shard to another, as sent between threads. */
export interface Batch {
  readonly records: Float64Array<ArrayBuffer>
  readonly count: number
  readonly objects: unknown[]
}

/** What a batch's receiver does with each of its events. */
export type BatchSink = (time: number, key: number, kind: number, to: number, from: number, payload: unknown, c: number, d: number) => void

/** Collects events for one destination shard. */
export class Outbox {
  private records: Float64Array<ArrayBuffer> = new Float64Array(1024 * STRIDE)
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
    if (payload === undefined) {
      r[o + 7] = NONE
    } else if (typeof payload === 'number') {
      r[o + 7] = NUMBER
      r[o + 8] = payload
    } else {
      r[o + 7] = OBJECT
      r[o + 8] = this.objects.push(payload) - 1
    }
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
    const form = r[o + 7]!
    const payload = form === NONE ? undefined : form === NUMBER ? r[o + 8] : batch.objects[r[o + 8]!]
    sink(r[o]!, r[o + 1]!, r[o + 2]!, r[o + 3]!, r[o + 4]!, payload, r[o + 5]!, r[o + 6]!)
  }
}
