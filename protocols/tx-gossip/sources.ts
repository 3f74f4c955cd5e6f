/**
 * Fair fetch scheduling (SPEC.md §3.6): what each announcing peer may hold of the fetch budget.
 *
 * A peer that announces transactions it never serves must not occupy the in-flight budget that the
 * other peers need. So every fetch is charged to the peer it is asked of, and a peer may start new
 * fetches only while its charge is below its credit (at most `maxInflightPerSource`) and its bytes
 * below `maxInflightBytesPerSource` (one fetch of any allowed size is always possible). Credit is
 * AIMD: a fetch the peer did not serve (timeout, notfound) halves it (floor 1), a transaction it
 * delivered adds one. Announcements beyond a peer's share wait in that peer's own FIFO (bounded per
 * peer and in total), and freed room is handed out round-robin over the waiting peers, so one peer's
 * long list never delays another peer's first transaction.
 *
 * Pure and deterministic (no clock, no randomness): Map iteration order is insertion order.
 */
import type { InvItem, PeerHandle } from './types.ts'

/** What the core remembers about one source. */
interface Source {
  /** Fetches charged to it (asked of it). */
  inflight: number
  /** Announced bytes of those fetches. */
  bytes: number
  /** Fetches it may start, 1..maxInflightPerSource. */
  credit: number
  /** Announcements waiting for its share to free up: waiting[head..]. */
  waiting: InvItem[]
  head: number
}

/** Bounds of the sources table. */
export interface SourceLimits {
  maxInflightPerSource: number
  maxInflightBytesPerSource: number
  /** Announcements waiting per source. */
  maxWaitingPerSource: number
  /** Announcements waiting over all sources. */
  maxWaitingTotal: number
  /** Records kept; idle ones (nothing charged, nothing waiting) are forgotten beyond it. */
  maxSources: number
}

/** Per-source charges, credits and waiting announcements. */
export class Sources {
  private readonly map = new Map<PeerHandle, Source>()
  private readonly limits: SourceLimits
  /** Announcements waiting over all sources (stale ones included until they are popped). */
  waitingTotal = 0
  /** Room was freed (or credit grew) while announcements wait: the core should pump. */
  pumpDue = false

  constructor (limits: SourceLimits) {
    this.limits = limits
  }

  /** Sources remembered. */
  get size (): number {
    return this.map.size
  }

  /** The current credit of `peer` (maxInflightPerSource for a peer never seen). */
  credit (peer: PeerHandle): number {
    return this.map.get(peer)?.credit ?? this.limits.maxInflightPerSource
  }

  /** Fetches charged to `peer`. */
  inflight (peer: PeerHandle): number {
    return this.map.get(peer)?.inflight ?? 0
  }

  /** True if `peer` may start one more fetch of `size` bytes now. */
  canStart (peer: PeerHandle, size: number): boolean {
    const source = this.map.get(peer)
    if (source === undefined) return true
    return source.inflight < source.credit && (source.bytes === 0 || source.bytes + size <= this.limits.maxInflightBytesPerSource)
  }

  /** Charges a fetch of `size` bytes to `peer`. */
  charge (peer: PeerHandle, size: number): void {
    const source = this.record(peer)
    source.inflight++
    source.bytes += size
  }

  /** Releases a fetch charged to `peer`. */
  release (peer: PeerHandle, size: number): void {
    const source = this.map.get(peer)
    if (source === undefined) return
    source.inflight--
    source.bytes -= size
    if (this.waitingTotal > 0) this.pumpDue = true
    this.forgetIfIdle(peer, source)
  }

  /** `peer` did not serve a fetch it was asked for: its credit halves (at least 1 stays). */
  unserved (peer: PeerHandle): void {
    const source = this.record(peer)
    source.credit = Math.max(1, source.credit >> 1)
  }

  /** `peer` delivered a transaction: its credit grows by one. */
  served (peer: PeerHandle): void {
    const source = this.map.get(peer)
    if (source === undefined || source.credit >= this.limits.maxInflightPerSource) return
    source.credit++
    if (this.waitingTotal > 0) this.pumpDue = true
    this.forgetIfIdle(peer, source)
  }

  /** Queues an announcement from `peer` until its share frees up; false if its queue (or the total) is full. */
  wait (peer: PeerHandle, item: InvItem): boolean {
    if (this.waitingTotal >= this.limits.maxWaitingTotal) return false
    const source = this.record(peer)
    if (source.waiting.length - source.head >= this.limits.maxWaitingPerSource) return false
    source.waiting.push(item)
    this.waitingTotal++
    return true
  }

  /** Drops what `peer` has waiting (it went away). */
  dropWaiting (peer: PeerHandle): void {
    const source = this.map.get(peer)
    if (source === undefined) return
    this.waitingTotal -= source.waiting.length - source.head
    source.waiting = []
    source.head = 0
    this.forgetIfIdle(peer, source)
  }

  /**
   * One pass of the round-robin: for each source with something waiting, `take(peer, head)` decides
   * about its first waiting announcement: 'skip' (stale, drop it and look at the next), 'start'
   * (started: drop it, on to the next source), 'blocked' (leave it, on to the next source) or 'stop'
   * (no room anywhere: end the pass). Returns the number of announcements started.
   */
  pass (take: (peer: PeerHandle, item: InvItem, canStart: boolean) => 'skip' | 'start' | 'blocked' | 'stop'): number {
    const started: PeerHandle[] = []
    scan: for (const [peer, source] of this.map) {
      while (source.head < source.waiting.length) {
        const item = source.waiting[source.head] as InvItem
        const verdict = take(peer, item, this.canStart(peer, item.size))
        if (verdict === 'blocked') break
        if (verdict === 'stop') break scan
        this.pop(source)
        if (verdict === 'start') {
          started.push(peer)
          break
        }
      }
    }
    // A source served in this pass goes to the back of the line for the next one.
    for (const peer of started) {
      const source = this.map.get(peer)
      if (source === undefined) continue
      this.map.delete(peer)
      this.map.set(peer, source)
    }
    return started.length
  }

  private pop (source: Source): void {
    source.head++
    this.waitingTotal--
    if (source.head === source.waiting.length) {
      source.waiting.length = 0
      source.head = 0
    } else if (source.head >= 64 && source.head * 2 >= source.waiting.length) {
      source.waiting.splice(0, source.head)
      source.head = 0
    }
  }

  private record (peer: PeerHandle): Source {
    let source = this.map.get(peer)
    if (source === undefined) {
      source = { inflight: 0, bytes: 0, credit: this.limits.maxInflightPerSource, waiting: [], head: 0 }
      this.map.set(peer, source)
      if (this.map.size > this.limits.maxSources) this.evictIdle()
    }
    return source
  }

  /** A record with nothing charged, nothing waiting and full credit tells nothing: drop it. */
  private forgetIfIdle (peer: PeerHandle, source: Source): void {
    if (source.inflight === 0 && source.head === source.waiting.length && source.credit >= this.limits.maxInflightPerSource) this.map.delete(peer)
  }

  /** Over maxSources: forget the oldest records with nothing charged or waiting (their lowered credit too). */
  private evictIdle (): void {
    for (const [peer, source] of this.map) {
      if (this.map.size <= this.limits.maxSources) return
      if (source.inflight === 0 && source.head === source.waiting.length) this.map.delete(peer)
    }
  }
}
