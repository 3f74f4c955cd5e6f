/**
 * Live follow of the event log: catch up from a cursor by reading the ring, then take live events
 * through a bounded buffer. The switch happens in the same synchronous step that finds the reader
 * caught up, so nothing is lost or doubled at the seam. A follower that falls FOLLOW_BUFFER_MAX
 * events behind drops back to reading the ring from where it is (like the gateway's transaction
 * journal), so memory stays bounded and nothing held is skipped; events evicted from the ring
 * meanwhile are skipped (the follower sees the gap in `seq`).
 */
import { FOLLOW_BUFFER_MAX } from './constants.ts'
import { matcher } from './query.ts'
import type { EventRing } from './ring.ts'
import type { EventFilter, NodeEvent } from './types.ts'

/** Where live events come from: the service registers a listener and gets a function to remove it. */
export type LiveSource = (listener: (event: NodeEvent) => void) => () => void

/** A bounded queue of live events; `overflowed` once more than `max` wait. */
class LiveQueue {
  private readonly items: NodeEvent[] = []
  private wake: (() => void) | undefined
  private readonly max: number
  overflowed = false
  ended = false

  constructor (max: number) {
    this.max = max
  }

  push (event: NodeEvent): void {
    if (this.overflowed || this.ended) return
    if (this.items.length >= this.max) this.overflowed = true
    else this.items.push(event)
    this.notify()
  }

  end (): void {
    this.ended = true
    this.notify()
  }

  private notify (): void {
    const wake = this.wake
    this.wake = undefined
    wake?.()
  }

  /** The next event; undefined once ended or overflowed (and drained of nothing further). */
  async next (): Promise<NodeEvent | undefined> {
    while (true) {
      if (this.overflowed || this.ended) return undefined
      const item = this.items.shift()
      if (item !== undefined) return item
      await new Promise<void>(resolve => { this.wake = resolve })
    }
  }
}

/** Options of follow(). */
export interface FollowOptions {
  /** Start after this sequence number. @default the newest (live events only) */
  cursor?: number
  signal: AbortSignal
  /** @default FOLLOW_BUFFER_MAX */
  bufferMax?: number
}

/** Matching events after the cursor, then live ones, until the signal fires. */
export async function * followRing (ring: EventRing, live: LiveSource, filter: EventFilter, options: FollowOptions): AsyncGenerator<NodeEvent> {
  const matches = matcher(filter)
  const { signal } = options
  let after = options.cursor ?? ring.lastSeq
  while (!signal.aborted) {
    try {
      for await (const event of ring.read(after, false, signal)) {
        after = event.seq
        if (matches(event)) yield event
        if (signal.aborted) return
      }
    } catch (err) {
      // The database's iterator ends with an AbortError when the signal fires: that is the end.
      if (signal.aborted) return
      throw err
    }
    if (ring.lastSeq > after) continue
    // Caught up: listen from here, in the same synchronous step as the check above.
    const queue = new LiveQueue(options.bufferMax ?? FOLLOW_BUFFER_MAX)
    const from = after
    const unlisten = live(event => { if (event.seq > from && matches(event)) queue.push(event) })
    const onAbort = (): void => { queue.end() }
    signal.addEventListener('abort', onAbort, { once: true })
    try {
      while (true) {
        const event = await queue.next()
        if (event === undefined) break
        after = event.seq
        yield event
      }
    } finally {
      unlisten()
      signal.removeEventListener('abort', onAbort)
    }
    // Overflowed (too far behind): read on from the ring; aborted: the loop ends.
  }
}
