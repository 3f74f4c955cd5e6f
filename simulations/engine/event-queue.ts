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

/**
 * A min-heap of events; each event is a time, a kind, two integer fields, two numbers and an
 * optional payload.
 * The heap keeps each entry's (time, sequence) beside it in heap order, so sifting compares
 * neighbouring memory instead of chasing slots: at a million pending events this is what keeps
 * the queue out of the cache-miss profile.
 */
export class EventQueue {
  private kinds: Uint8Array
  private as: Int32Array
  private bs: Int32Array
  private cs: Float64Array
  private ds: Float64Array
  private slotTimes: Float64Array
  private payloads: unknown[]
  private heapTime: Float64Array
  private heapSeq: Float64Array
  private heapSlot: Int32Array
  private freeSlots: Int32Array
  private freeCount = 0
  private nextSlot = 0
  private seq = 0
  private length = 0
  private readonly maxPending: number

  constructor (initialCapacity = 1024, maxPending = DEFAULT_MAX_PENDING_EVENTS) {
    const cap = Math.max(16, initialCapacity)
    this.maxPending = maxPending
    this.kinds = new Uint8Array(cap)
    this.as = new Int32Array(cap)
    this.bs = new Int32Array(cap)
    this.cs = new Float64Array(cap)
    this.ds = new Float64Array(cap)
    this.slotTimes = new Float64Array(cap)
    this.payloads = new Array<unknown>(cap)
    this.heapTime = new Float64Array(cap)
    this.heapSeq = new Float64Array(cap)
    this.heapSlot = new Int32Array(cap)
    this.freeSlots = new Int32Array(cap)
  }

  /** Number of pending events. */
  get size (): number { return this.length }

  /** Total events ever pushed (also the next sequence number). */
  get pushed (): number { return this.seq }

  /** Time of the earliest pending event, or Infinity when empty. */
  peekTime (): number {
    return this.length === 0 ? Infinity : this.heapTime[0]!
  }

  /** Adds an event; returns its slot (valid until the event is popped and released). */
  push (time: number, kind: number, a: number, b: number, payload?: unknown, c = 0, d = 0): number {
    if (this.length >= this.maxPending) throw new EventQueueFullError(`more than ${this.maxPending} pending events`)
    const slot = this.allocSlot()
    this.kinds[slot] = kind
    this.as[slot] = a
    this.bs[slot] = b
    this.cs[slot] = c
    this.ds[slot] = d
    this.slotTimes[slot] = time
    this.payloads[slot] = payload
    this.siftUp(this.length++, time, this.seq++, slot)
    return slot
  }

  /**
   * Removes the earliest event and returns its slot; read it with time()/kind()/a()/b()/payload(),
   * then call release(slot). Returns -1 when empty.
   */
  pop (): number {
    if (this.length === 0) return -1
    const top = this.heapSlot[0]!
    const last = --this.length
    if (last > 0) this.siftDown(this.heapTime[last]!, this.heapSeq[last]!, this.heapSlot[last]!)
    return top
  }

  /** Returns a popped slot to the free list (drops its payload reference). */
  release (slot: number): void {
    this.payloads[slot] = undefined
    this.freeSlots[this.freeCount++] = slot
  }

  /** The event's time. */
  time (slot: number): number { return this.slotTimes[slot]! }
  /** The event's kind. */
  kind (slot: number): number { return this.kinds[slot]! }
  /** The event's first integer field. */
  a (slot: number): number { return this.as[slot]! }
  /** The event's second integer field. */
  b (slot: number): number { return this.bs[slot]! }
  /** The event's first number. */
  c (slot: number): number { return this.cs[slot]! }
  /** The event's second number. */
  d (slot: number): number { return this.ds[slot]! }
  /** The event's payload. */
  payload (slot: number): unknown { return this.payloads[slot] }

  private siftUp (pos: number, time: number, seq: number, slot: number): void {
    const ht = this.heapTime
    const hs = this.heapSeq
    const hl = this.heapSlot
    while (pos > 0) {
      const parent = (pos - 1) >> 1
      const pt = ht[parent]!
      if (pt < time || (pt === time && hs[parent]! < seq)) break
      ht[pos] = pt
      hs[pos] = hs[parent]!
      hl[pos] = hl[parent]!
      pos = parent
    }
    ht[pos] = time
    hs[pos] = seq
    hl[pos] = slot
  }

  private siftDown (time: number, seq: number, slot: number): void {
    const ht = this.heapTime
    const hs = this.heapSeq
    const hl = this.heapSlot
    const n = this.length
    const half = n >> 1
    let pos = 0
    while (pos < half) {
      let child = 2 * pos + 1
      let ct = ht[child]!
      let cs = hs[child]!
      const right = child + 1
      if (right < n) {
        const rt = ht[right]!
        if (rt < ct || (rt === ct && hs[right]! < cs)) { child = right; ct = rt; cs = hs[right]! }
      }
      if (time < ct || (time === ct && seq < cs)) break
      ht[pos] = ct
      hs[pos] = cs
      hl[pos] = hl[child]!
      pos = child
    }
    ht[pos] = time
    hs[pos] = seq
    hl[pos] = slot
  }

  private allocSlot (): number {
    if (this.freeCount > 0) return this.freeSlots[--this.freeCount]!
    if (this.nextSlot === this.kinds.length) this.grow()
    return this.nextSlot++
  }

  private grow (): void {
    const cap = this.kinds.length * 2
    const growF = (old: Float64Array): Float64Array => { const n = new Float64Array(cap); n.set(old); return n }
    const growI = (old: Int32Array): Int32Array => { const n = new Int32Array(cap); n.set(old); return n }
    const kinds = new Uint8Array(cap)
    kinds.set(this.kinds)
    this.kinds = kinds
    this.as = growI(this.as)
    this.bs = growI(this.bs)
    this.cs = growF(this.cs)
    this.ds = growF(this.ds)
    this.slotTimes = growF(this.slotTimes)
    this.heapTime = growF(this.heapTime)
    this.heapSeq = growF(this.heapSeq)
    this.heapSlot = growI(this.heapSlot)
    this.freeSlots = growI(this.freeSlots)
    this.payloads.length = cap
  }
}
