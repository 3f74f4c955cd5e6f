/**
 * Sessions deferred while this node's outbound queue flushes (SPEC.md §9.2): a node that comes back
 * with a backlog pushes it to its neighbours at once, so a session opened at the same moment would
 * find that whole backlog missing at the peer, and the peer would fetch it a second time through
 * reconciliation while the queue's copies arrive. A deferred session starts once everything queued
 * before it was asked for is confirmed (the queue delivered it), or after `maxMs` in any case (a
 * backlog that no peer confirms must not hold catch-up back).
 */

/** What a Deferral needs. */
export interface DeferralInit {
  /** When the oldest transaction of the node's outbound queue was queued (ms); undefined when it is empty. */
  backlogSince: () => number | undefined
  /** Called with a deferred key once it may go. */
  fire: (key: string) => void
  /** Longest deferral. */
  maxMs: number
  /** How often the queue is looked at while something is deferred. */
  pollMs: number
  now: () => number
}

/** Keys (peers, or anything else the owner names) whose session waits for the queue's backlog. */
export class Deferral {
  private readonly init: DeferralInit
  /** Key -> when it was deferred. */
  private readonly waiting = new Map<string, number>()
  private timer: ReturnType<typeof setTimeout> | undefined
  /** Keys deferred since start. */
  deferred = 0

  constructor (init: DeferralInit) {
    this.init = init
  }

  /**
   * Defers `key` if the queue holds a transaction queued by now; true if it did (`fire(key)` follows
   * later), false if the session may start now. A key already waiting keeps its first time.
   */
  defer (key: string): boolean {
    if (this.waiting.has(key)) return true
    const now = this.init.now()
    if (!this.busy(now)) return false
    this.waiting.set(key, now)
    this.deferred++
    this.arm()
    return true
  }

  /** Forgets `key` (its peer went away). */
  cancel (key: string): void {
    this.waiting.delete(key)
  }

  /** Forgets everything. */
  clear (): void {
    this.waiting.clear()
    clearTimeout(this.timer)
    this.timer = undefined
  }

  get size (): number {
    return this.waiting.size
  }

  /** Fires the keys whose backlog is gone or whose time is up. */
  check (): void {
    const now = this.init.now()
    const since = this.init.backlogSince()
    for (const [key, at] of [...this.waiting]) {
      if (since !== undefined && since <= at && now - at < this.init.maxMs) continue
      this.waiting.delete(key)
      this.init.fire(key)
    }
    this.arm()
  }

  private busy (now: number): boolean {
    const since = this.init.backlogSince()
    return since !== undefined && since <= now
  }

  private arm (): void {
    if (this.timer !== undefined || this.waiting.size === 0) return
    this.timer = setTimeout(() => {
      this.timer = undefined
      this.check()
    }, this.init.pollMs)
    this.timer.unref?.()
  }
}
