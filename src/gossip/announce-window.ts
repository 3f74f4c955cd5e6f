/**
 * How far the outbound queue's announcements may run ahead of a neighbour's requests (sorcha
 * strategy). A neighbour whose registers are unknown gets the queue's transactions as inv items and
 * asks for the bodies with getdata; its core starts maxInflightPerSource fetches per source and
 * keeps a bounded waiting list, and ignores announcements beyond both (SPEC.md §3.6), which then
 * come back only through reconciliation or the queue's next confirmation round. A flush that
 * announced its whole backlog at once thus cost the receiver three to four inv items per
 * transaction (measured in the queue benchmark). The window holds what was announced to each peer
 * and not yet asked for; the queue sends no more first announcements while a peer's window is
 * full. An item leaves the window when the peer asks for it or announces it itself (it holds it),
 * or after `expireMs` (a peer that already holds it never asks).
 */

/** What the window needs from its owner. */
export interface AnnounceWindowInit {
  /** Items announced and not yet requested per peer, at most. */
  size: number
  /** An item not requested for this long leaves the window. */
  expireMs: number
  now: () => number
  /** Called once room may have come back by expiry alone (nothing else would poke the queue). */
  onReopen: () => void
}

/** Announced-but-not-requested items per peer, oldest first. */
export class AnnounceWindow {
  private readonly init: AnnounceWindowInit
  private readonly peers = new Map<string, Map<string, number>>()
  private timer: ReturnType<typeof setTimeout> | undefined

  constructor (init: AnnounceWindowInit) {
    this.init = init
  }

  /** `id` was announced to `peer` (again: its age restarts). */
  announced (peer: string, id: string): void {
    let items = this.peers.get(peer)
    if (items === undefined) this.peers.set(peer, items = new Map())
    items.delete(id)
    items.set(id, this.init.now())
  }

  /** `peer` asked for `id`. */
  requested (peer: string, id: string): void {
    this.peers.get(peer)?.delete(id)
  }

  /** `peer` announced these (so it holds them, or is fetching them elsewhere). */
  announcedBy (peer: string, ids: ReadonlyArray<{ id: string }>): void {
    const items = this.peers.get(peer)
    if (items === undefined || items.size === 0) return
    for (const { id } of ids) items.delete(id)
  }

  /** `peer` went away. */
  drop (peer: string): void {
    this.peers.delete(peer)
  }

  /** More announcements `peer` can take now (expired items are let go first). */
  room (peer: string): number {
    const items = this.peers.get(peer)
    if (items === undefined) return this.init.size
    const oldest = this.init.now() - this.init.expireMs
    for (const [id, at] of items) {
      if (at > oldest) break
      items.delete(id)
    }
    const room = this.init.size - items.size
    if (room <= 0) this.reopenLater()
    return room
  }

  stop (): void {
    clearTimeout(this.timer)
    this.timer = undefined
    this.peers.clear()
  }

  private reopenLater (): void {
    if (this.timer !== undefined) return
    this.timer = setTimeout(() => {
      this.timer = undefined
      this.init.onReopen()
    }, this.init.expireMs)
    this.timer.unref?.()
  }
}
