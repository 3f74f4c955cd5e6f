/**
 * The simulator's priority queue of pending events: a binary min-heap ordered by (time, sequence).
 *
 * Written by hand rather than taken from a package because the simulator's speed rests on it: events
 * live in parallel typed arrays (struct-of-arrays, one slot per event, slots recycled through a free
 * list), so a 100,000-node run allocates no object per event and the garbage collector stays idle.
 * Equal times are broken by a monotonically increasing sequence number, so two runs with the same seed
 * pop events in exactly the same order (determinism does not depend on the heap's internal layout).
 */

/** Thrown when the queue would exceed its configured maximum number of pending events. */
export class EventQueueFullError extends Error {
  override name = 'EventQueueFullError'
}

/** Default upper bound on pending events (about 1.3 GB of slots at the maximum). */
export const DEFAULT_MAX_PENDING_EVENTS = 50_000_000

/** A min-heap of events; each event is a time, a kind, two integer fields and an optional payload. */
export class EventQueue {
  private times: Float64Array
  private seqs: Float64Array
  private kinds: Uint8Array
  private as: Int32Array
  private bs: Int32Array
  private payloads: unknown[]
  private heap: Int32Array
  private freeSlots: Int32Array
  private freeCount = 0
  private nextSlot = 0
  private seq = 0
  private length = 0
  private readonly maxPending: number

  constructor (initialCapacity = 1024, maxPending = DEFAULT_MAX_PENDING_EVENTS) {
    const cap = Math.max(16, initialCapacity)
    this.maxPending = maxPending
    this.times = new Float64Array(cap)
    this.seqs = new Float64Array(cap)
    this.kinds = new Uint8Array(cap)
    this.as = new Int32Array(cap)
    this.bs = new Int32Array(cap)
    this.payloads = new Array<unknown>(cap)
    this.heap = new Int32Array(cap)
    this.freeSlots = new Int32Array(cap)
  }

  /** Number of pending events. */
  get size (): number { return this.length }

  /** Total events ever pushed (also the next sequence number). */
  get pushed (): number { return this.seq }

  /** Time of the earliest pending event, or Infinity when empty. */
  peekTime (): number {
    return this.length === 0 ? Infinity : this.times[this.heap[0]!]!
  }

  /** Adds an event; returns its slot (valid until the event is popped and released). */
  push (time: number, kind: number, a: number, b: number, payload?: unknown): number {
    if (this.length >= this.maxPending) throw new EventQueueFullError(`more than ${this.maxPending} pending events`)
    const slot = this.allocSlot()
    this.times[slot] = time
    this.seqs[slot] = this.seq++
    this.kinds[slot] = kind
    this.as[slot] = a
    this.bs[slot] = b
    this.payloads[slot] = payload
    this.siftUp(this.length++, slot)
    return slot
  }

  /**
   * Removes the earliest event and returns its slot; read it with time()/kind()/a()/b()/payload(),
   * then call release(slot). Returns -1 when empty.
   */
  pop (): number {
    if (this.length === 0) return -1
    const top = this.heap[0]!
    const last = this.heap[--this.length]!
    if (this.length > 0) this.siftDown(0, last)
    return top
  }

  /** Returns a popped slot to the free list (drops its payload reference). */
  release (slot: number): void {
    this.payloads[slot] = undefined
    this.freeSlots[this.freeCount++] = slot
  }

  /** The event's time. */
  time (slot: number): number { return this.times[slot]! }
  /** The event's kind. */
  kind (slot: number): number { return this.kinds[slot]! }
  /** The event's first integer field. */
  a (slot: number): number { return this.as[slot]! }
  /** The event's second integer field. */
  b (slot: number): number { return this.bs[slot]! }
  /** The event's payload. */
  payload (slot: number): unknown { return this.payloads[slot] }

  private less (x: number, y: number): boolean {
    const tx = this.times[x]!
    const ty = this.times[y]!
    return tx < ty || (tx === ty && this.seqs[x]! < this.seqs[y]!)
  }

  private siftUp (pos: number, slot: number): void {
    const heap = this.heap
    while (pos > 0) {
      const parent = (pos - 1) >> 1
      const p = heap[parent]!
      if (!this.less(slot, p)) break
      heap[pos] = p
      pos = parent
    }
    heap[pos] = slot
  }

  private siftDown (pos: number, slot: number): void {
    const heap = this.heap
    const n = this.length
    const half = n >> 1
    while (pos < half) {
      let child = 2 * pos + 1
      let c = heap[child]!
      const right = child + 1
      if (right < n && this.less(heap[right]!, c)) {
        child = right
        c = heap[right]!
      }
      if (!this.less(c, slot)) break
      heap[pos] = c
      pos = child
    }
    heap[pos] = slot
  }

  private allocSlot (): number {
    if (this.freeCount > 0) return this.freeSlots[--this.freeCount]!
    if (this.nextSlot === this.times.length) this.grow()
    return this.nextSlot++
  }

  private grow (): void {
    const cap = this.times.length * 2
    const growF = (old: Float64Array): Float64Array => { const n = new Float64Array(cap); n.set(old); return n }
    const growI = (old: Int32Array): Int32Array => { const n = new Int32Array(cap); n.set(old); return n }
    this.times = growF(this.times)
    this.seqs = growF(this.seqs)
    const kinds = new Uint8Array(cap)
    kinds.set(this.kinds)
    this.kinds = kinds
    this.as = growI(this.as)
    this.bs = growI(this.bs)
    this.heap = growI(this.heap)
    this.freeSlots = growI(this.freeSlots)
    this.payloads.length = cap
  }
}
