/** Why we are about to close a connection, noted by whoever closes it and read by the disconnect event. */
const pending = new Map<string, string>()
const MAX_PENDING = 1024
export function noteDisconnectReason (peerId: string, reason: string): void {
  if (pending.size >= MAX_PENDING) pending.delete(pending.keys().next().value as string)
  pending.set(peerId, reason)
}
export function takeDisconnectReason (peerId: string): string | undefined {
  const reason = pending.get(peerId)
  pending.delete(peerId)
  return reason
}
