/**
 * The in-memory mirror of active bans, so that the connection gater can ask synchronously. It holds
 * at most one entry per banned record in the peer list (so it is bounded by `peers.maxKnown`).
 */

/** Bans by peer id: until when (epoch ms), 0 = indefinitely. */
export class BanBook {
  private readonly bans = new Map<string, number>()

  /** Records a ban (or clears it when `banned` is false). */
  set (peerId: string, banned: boolean, untilMs: number): void {
    if (banned) this.bans.set(peerId, untilMs)
    else this.bans.delete(peerId)
  }

  /** True while the peer is banned at `now`. */
  isBanned (peerId: string, now: number): boolean {
    const until = this.bans.get(peerId)
    return until !== undefined && (until === 0 || now < until)
  }

  /** The earliest end of a timed ban, if any. */
  nextExpiry (): number | undefined {
    let next: number | undefined
    for (const until of this.bans.values()) if (until > 0 && (next === undefined || until < next)) next = until
    return next
  }

  /** Peers whose timed ban has ended by `now`. */
  expired (now: number): string[] {
    return [...this.bans].filter(([, until]) => until > 0 && until <= now).map(([peerId]) => peerId)
  }

  /** Number of banned entries (active or awaiting their expiry pass). */
  get size (): number {
    return this.bans.size
  }

  clear (): void {
    this.bans.clear()
  }
}
