/** Which peer-list events a committed change produces. */
import { PeerStatus, type PeerNode } from '../../protocols/models/index.ts'
import type { PeerListEvents } from './types.ts'

/** One event to dispatch. */
export interface ChangeEvent {
  type: keyof PeerListEvents
  detail: PeerNode | { peerId: string, reason: string }
}

/**
 * The events for `before` -> `after` (undefined = absent): added, removed (with `reason`), banned
 * (new ban, or its end or reason changed), unbanned, else updated. Call only for a real change.
 */
export function changeEvents (before: PeerNode | undefined, after: PeerNode | undefined, reason: string): ChangeEvent[] {
  if (after === undefined) return before === undefined ? [] : [{ type: 'peer:removed', detail: { peerId: before.peerId, reason } }]
  const events: ChangeEvent[] = before === undefined ? [{ type: 'peer:added', detail: after }] : []
  const wasBanned = before?.status === PeerStatus.PEER_STATUS_BANNED
  const isBanned = after.status === PeerStatus.PEER_STATUS_BANNED
  if (isBanned && (!wasBanned || before?.bannedUntilMs !== after.bannedUntilMs || before.banReason !== after.banReason || before.banCode !== after.banCode)) {
    events.push({ type: 'peer:banned', detail: after })
  } else if (wasBanned && !isBanned) {
    events.push({ type: 'peer:unbanned', detail: after })
  } else if (before !== undefined) {
    events.push({ type: 'peer:updated', detail: after })
  }
  return events
}
