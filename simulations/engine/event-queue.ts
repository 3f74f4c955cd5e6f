/**
 * The simulator's priority queue of pending events, ordered by (time, sequence): a calendar queue
 * (R. Brown, "Calendar queues", CACM 31(10), 1988) with a small binary heap for the bucket being
 * drained.
 *
 * Written by hand rather than taken from a package because the simulator's speed rests on it. At
 * 100,000 nodes several hundred thousand events are pending at any moment; in a binary heap over all
 * of them every pop walks ~19 levels of cold memory, and the event's fields sat in other arrays
 * again. Here time is cut into buckets of `bucketMs`: an event pushed into a future bucket is
 * appended to that bucket's record array (sequential writes), and only the bucket being drained is
 * kept as a heap, small enough to stay in the CPU cache. Each event is one record of 8 numbers in one
 * Float64Array (a cache line), so reading it costs one memory access. Events further ahead than the
 * ring of buckets covers wait in an overflow heap.
 *
 * Equal times are broken by a sequence number: the push order (push), or a key the caller gives
 * (pushKeyed: the engine's event keys, see event-keys.ts), so events pop in exactly the same order
 * run after run (determinism does not depend on the queue's internal layout), the order a plain
 * (time, sequence) heap gives.
 */

/** Thrown when the queue would exceed its configured maximum number of pending events. */
export class EventQueueFullError extends Error {
  override name = 'EventQueueFullError'
}

/** Default upper bound on pending events (64 bytes each: about 3.2 GB at the maximum). */
export const DEFAULT_MAX_PENDING_EVENTS = 50_000_000
/** Default bucket width, ms: a few thousand events per bucket at 100,000 nodes. */
export const DEFAULT_BUCKET_MS = 1
/** Buckets in the ring (a power of two); with 1 ms buckets, events up to ~16 s ahead skip the overflow heap. */
const RING_BUCKETS = 16384
/** Drained bucket arrays kept for reuse; the rest are left to the garbage collector. */
const MAX_POOLED_BUCKETS = 256

// Record layout (numbers per event).
const STRIDE = 8
const TIME = 0
const SEQ = 1
const KIND = 2
const A = 3
const B = 4
const C = 5
const D = 6
/**
 * Payload: 0 for none; index + 1 in the payload table for an object; -1 - n for a small non-negative
 * integer n (a binding's packed message tag), kept in the record so that it needs no table slot.
 */
const PAYLOAD = 7

/** Largest payload kept in the record (see PAYLOAD). */
const MAX_INLINE_PAYLOAD = 0x7fffffff

const INITIAL_BUCKET_RECORDS = 16
/** Numbers per entry of the current bucket's heap: time, sequence, record index. */
const HEAP_STRIDE = 3

/** A growable array of event records. */
class Records {
  data: Float64Array
  length = 0
  constructor (records: number) { this.data = new Float64Array(records * STRIDE) }

  /** Appends a record; returns its index. */
  append (time: number, seq: number, kind: number, a: number, b: number, c: number, d: number, payloadRef: number): number {
    if ((this.length + 1) * STRIDE > this.data.length) {
      const grown = new Float64Array(this.data.length * 2)
      grown.set(this.data)
      this.data = grown
    }
    const i = this.length++
    const o = i * STRIDE
    const r = this.data
    r[o + TIME] = time
    r[o + SEQ] = seq
    r[o + KIND] = kind
    r[o + A] = a
    r[o + B] = b
    r[o + C] = c
    r[o + D] = d
    r[o + PAYLOAD] = payloadRef
    return i
  }
}

/** True if record i of `x` comes before record j of `y` in (time, sequence) order. */
function before (x: Float64Array, i: number, y: Float64Array, j: number): boolean {
  const ti = x[i * STRIDE + TIME]!
  const tj = y[j * STRIDE + TIME]!
  return ti < tj || (ti === tj && x[i * STRIDE + SEQ]! < y[j * STRIDE + SEQ]!)
}

/**
 * A queue of events; each event is a time, a kind, two integer fields (a, b), two numbers (c, d) and
 * an optional payload. pop() returns a slot to read the event from; the slot stays valid until
 * release(slot), which must come before the next pop() or peekTime().
 */
export class EventQueue {
  private readonly maxPending: number
  private readonly bucketMs: number
  private readonly ring: Array<Records | undefined> = new Array<Records | undefined>(RING_BUCKETS)
  private readonly pool: Records[] = []
  /** Records in ring buckets (not counting the current bucket). */
  private inRing = 0
  /** Absolute index of the current bucket (the one being drained). */
  private cursor = 0
  /**
   * The current bucket's records, and a heap of (time, sequence, record index) triples in (time,
   * sequence) order: the keys sit in the heap itself, so sifting reads adjacent memory.
   */
  private cur: Records
  private heap: Float64Array
  private heapLength = 0
  /** Events beyond the ring: a heap of records moved as they sift. */
  private far: Records
  private readonly payloads: unknown[] = []
  private readonly freePayloads: number[] = []
  private seq = 0
  private length = 0

  constructor (initialCapacity = 1024, maxPending = DEFAULT_MAX_PENDING_EVENTS, bucketMs = DEFAULT_BUCKET_MS) {
    if (!(bucketMs > 0)) throw new RangeError('bucketMs must be positive')
    this.maxPending = maxPending
    this.bucketMs = bucketMs
    this.cur = new Records(Math.max(16, initialCapacity))
    this.heap = new Float64Array(Math.max(16, initialCapacity) * HEAP_STRIDE)
    this.far = new Records(INITIAL_BUCKET_RECORDS)
  }

  /** Number of pending events. */
  get size (): number { return this.length }

  /** Total events ever pushed (also the next sequence number of a plain push). */
  get pushed (): number { return this.seq }

  /** Time of the earliest pending event, or Infinity when empty. */
  peekTime (): number {
    if (this.heapLength === 0 && !this.advance()) return Infinity
    return this.heap[0]!
  }

  /** Adds an event; events at equal times pop in push order. */
  push (time: number, kind: number, a: number, b: number, payload?: unknown, c = 0, d = 0): void {
    this.pushKeyed(time, this.seq, kind, a, b, payload, c, d)
  }

  /**
   * Adds an event whose order among equal times is `key` (unique, a non-negative integer below
   * 2^53; see event-keys.ts), whatever the order of pushes. A queue takes keyed pushes or plain
   * ones, not both.
   */
  pushKeyed (time: number, key: number, kind: number, a: number, b: number, payload?: unknown, c = 0, d = 0): void {
    if (this.length >= this.maxPending) throw new EventQueueFullError(`more than ${this.maxPending} pending events`)
    this.length++
    const ref = payload === undefined ? 0 : isInlinePayload(payload) ? -1 - payload : this.storePayload(payload)
    const seq = key
    this.seq++
    const bucket = Math.floor(time / this.bucketMs)
    if (bucket <= this.cursor) {
      // The current bucket (or, for a time already passed, still the earliest place it can go).
      this.heapPush(time, seq, this.cur.append(time, seq, kind, a, b, c, d, ref))
    } else if (bucket - this.cursor < RING_BUCKETS) {
      const slot = bucket & (RING_BUCKETS - 1)
      let records = this.ring[slot]
      if (records === undefined) {
        records = this.pool.pop() ?? new Records(INITIAL_BUCKET_RECORDS)
        this.ring[slot] = records
      }
      records.append(time, seq, kind, a, b, c, d, ref)
      this.inRing++
    } else {
      this.farPush(time, seq, kind, a, b, c, d, ref)
    }
  }

  /**
   * Removes the earliest event and returns its slot; read it with time()/kind()/a()/b()/c()/d()/
   * payload(), then call release(slot). Returns -1 when empty.
   */
  pop (): number {
    if (this.heapLength === 0 && !this.advance()) return -1
    const h = this.heap
    const top = h[2]!
    const n = --this.heapLength
    if (n > 0) this.siftDown(0, n, n)
    this.length--
    return top
  }

  /**
   * Pops up to `max` of the earliest events, all before `end`, into `slots` (in order); returns how
   * many. They all come from one bucket, so every slot stays valid until released: the queue moves
   * on to the next bucket only when called with the current one drained. An event pushed while
   * these are handled may come before some of them (see pendingBefore).
   */
  popBatch (slots: Int32Array, max: number, end: number): number {
    if (this.heapLength === 0 && !this.advance()) return 0
    let n = 0
    while (n < max && this.heapLength > 0 && this.heap[0]! < end) slots[n++] = this.pop()
    return n
  }

  /** True if an event still queued comes before the popped event in `slot`. */
  pendingBefore (slot: number): boolean {
    if (this.heapLength === 0) return false
    const h = this.heap
    const r = this.cur.data
    const t = r[slot * STRIDE + TIME]!
    return h[0]! < t || (h[0] === t && h[1]! < r[slot * STRIDE + SEQ]!)
  }

  /** Returns a popped slot (drops its payload reference). */
  release (slot: number): void {
    const o = slot * STRIDE + PAYLOAD
    const ref = this.cur.data[o]!
    if (ref === 0) return
    if (ref > 0) {
      this.payloads[ref - 1] = undefined
      this.freePayloads.push(ref - 1)
    }
    this.cur.data[o] = 0
  }

  /** The event's time. */
  time (slot: number): number { return this.cur.data[slot * STRIDE + TIME]! }
  /** The event's kind. */
  kind (slot: number): number { return this.cur.data[slot * STRIDE + KIND]! }
  /** The event's first integer field. */
  a (slot: number): number { return this.cur.data[slot * STRIDE + A]! }
  /** The event's second integer field. */
  b (slot: number): number { return this.cur.data[slot * STRIDE + B]! }
  /** The event's first number. */
  c (slot: number): number { return this.cur.data[slot * STRIDE + C]! }
  /** The event's second number. */
  d (slot: number): number { return this.cur.data[slot * STRIDE + D]! }
  /** The event's payload (undefined once released). */
  payload (slot: number): unknown {
    const ref = this.cur.data[slot * STRIDE + PAYLOAD]!
    return ref === 0 ? undefined : ref < 0 ? -1 - ref : this.payloads[ref - 1]
  }

  private storePayload (payload: unknown): number {
    const free = this.freePayloads.pop()
    if (free !== undefined) {
      this.payloads[free] = payload
      return free + 1
    }
    this.payloads.push(payload)
    return this.payloads.length
  }

  /**
   * The current bucket is drained: make the next non-empty bucket current (its ring records plus any
   * overflow records of the same bucket). False when nothing is pending.
   */
  private advance (): boolean {
    if (this.inRing === 0 && this.far.length === 0) return false
    const farBucket = this.far.length === 0 ? Infinity : Math.floor(this.far.data[TIME]! / this.bucketMs)
    let next = this.cursor + 1
    if (this.inRing === 0) {
      next = farBucket
    } else {
      while (next < farBucket && this.ring[next & (RING_BUCKETS - 1)] === undefined) next++
    }
    this.cursor = next
    // Within the ring's window a slot holds exactly one bucket's records, so this one holds `next`'s
    // (or nothing). The drained array goes back to the pool.
    const slot = next & (RING_BUCKETS - 1)
    const incoming = this.ring[slot]
    this.cur.length = 0
    if (incoming !== undefined) {
      this.ring[slot] = undefined
      this.inRing -= incoming.length
      if (this.pool.length < MAX_POOLED_BUCKETS) this.pool.push(this.cur)
      this.cur = incoming
    }
    while (this.far.length > 0 && Math.floor(this.far.data[TIME]! / this.bucketMs) <= next) this.farPopInto(this.cur)
    this.heapify()
    return true
  }

  private heapify (): void {
    const n = this.cur.length
    if (this.heap.length < n * HEAP_STRIDE) this.heap = new Float64Array(Math.max(n, 2 * this.heap.length / HEAP_STRIDE) * HEAP_STRIDE)
    const h = this.heap
    const r = this.cur.data
    for (let i = 0; i < n; i++) {
      h[i * HEAP_STRIDE] = r[i * STRIDE + TIME]!
      h[i * HEAP_STRIDE + 1] = r[i * STRIDE + SEQ]!
      h[i * HEAP_STRIDE + 2] = i
    }
    this.heapLength = n
    for (let i = (n >> 1) - 1; i >= 0; i--) this.siftDown(i, i, n)
  }

  private heapPush (time: number, seq: number, index: number): void {
    if ((this.heapLength + 1) * HEAP_STRIDE > this.heap.length) {
      const grown = new Float64Array(this.heap.length * 2)
      grown.set(this.heap)
      this.heap = grown
    }
    const h = this.heap
    let pos = this.heapLength++
    while (pos > 0) {
      const parent = (pos - 1) >> 1
      const pt = h[parent * HEAP_STRIDE]!
      if (pt < time || (pt === time && h[parent * HEAP_STRIDE + 1]! < seq)) break
      h[pos * HEAP_STRIDE] = pt
      h[pos * HEAP_STRIDE + 1] = h[parent * HEAP_STRIDE + 1]!
      h[pos * HEAP_STRIDE + 2] = h[parent * HEAP_STRIDE + 2]!
      pos = parent
    }
    h[pos * HEAP_STRIDE] = time
    h[pos * HEAP_STRIDE + 1] = seq
    h[pos * HEAP_STRIDE + 2] = index
  }

  /**
   * Places the entry now at heap position `from` (pos itself, or the last one, beyond n) at `pos` or
   * below, in a heap of n entries. (The entry is read here rather than passed in: times and keys are
   * not small integers, and each one passed to a call would be a boxed number to allocate.)
   */
  private siftDown (pos: number, from: number, n: number): void {
    const h = this.heap
    const time = h[from * HEAP_STRIDE]!
    const seq = h[from * HEAP_STRIDE + 1]!
    const index = h[from * HEAP_STRIDE + 2]!
    for (;;) {
      let child = 2 * pos + 1
      if (child >= n) break
      let ct = h[child * HEAP_STRIDE]!
      let cs = h[child * HEAP_STRIDE + 1]!
      if (child + 1 < n) {
        const rt = h[child * HEAP_STRIDE + HEAP_STRIDE]!
        const rs = h[child * HEAP_STRIDE + HEAP_STRIDE + 1]!
        if (rt < ct || (rt === ct && rs < cs)) { child++; ct = rt; cs = rs }
      }
      if (time < ct || (time === ct && seq < cs)) break
      h[pos * HEAP_STRIDE] = ct
      h[pos * HEAP_STRIDE + 1] = cs
      h[pos * HEAP_STRIDE + 2] = h[child * HEAP_STRIDE + 2]!
      pos = child
    }
    h[pos * HEAP_STRIDE] = time
    h[pos * HEAP_STRIDE + 1] = seq
    h[pos * HEAP_STRIDE + 2] = index
  }

  /** Overflow heap: records kept in heap order in `far` itself. */
  private farPush (time: number, seq: number, kind: number, a: number, b: number, c: number, d: number, ref: number): void {
    const far = this.far
    let pos = far.append(time, seq, kind, a, b, c, d, ref)
    const r = far.data
    while (pos > 0) {
      const parent = (pos - 1) >> 1
      if (!before(r, pos, r, parent)) break
      swapRecords(r, pos, parent)
      pos = parent
    }
  }

  /** Moves the overflow heap's earliest record to `into`. */
  private farPopInto (into: Records): void {
    const far = this.far
    const r = far.data
    into.append(r[TIME]!, r[SEQ]!, r[KIND]!, r[A]!, r[B]!, r[C]!, r[D]!, r[PAYLOAD]!)
    const n = --far.length
    if (n === 0) return
    r.copyWithin(0, n * STRIDE, n * STRIDE + STRIDE)
    let pos = 0
    for (;;) {
      let child = 2 * pos + 1
      if (child >= n) break
      if (child + 1 < n && before(r, child + 1, r, child)) child++
      if (!before(r, child, r, pos)) break
      swapRecords(r, pos, child)
      pos = child
    }
  }
}

/** A payload kept in the record itself: a small non-negative integer. */
function isInlinePayload (payload: unknown): payload is number {
  return typeof payload === 'number' && payload >= 0 && payload <= MAX_INLINE_PAYLOAD && Number.isInteger(payload)
}

function swapRecords (r: Float64Array, i: number, j: number): void {
  const oi = i * STRIDE
  const oj = j * STRIDE
  for (let k = 0; k < STRIDE; k++) {
    const t = r[oi + k]!
    r[oi + k] = r[oj + k]!
    r[oj + k] = t
  }
}
