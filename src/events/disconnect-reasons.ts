/**
 * Why we are about to close a connection, noted by whoever closes it and read by the disconnect event
 * (docs/events.md "Disconnect reasons"). The closer calls noteDisconnectReason(peerId, reason) just
 * before closing; the event log's `connection:close` hook takes it. Bounded: at most MAX_PENDING
 * notes, the oldest dropped.
 *
 * Reason codes used in this codebase: `admin` (the admin API), `banned` (a peer banned while
 * connected), `reputation` (misbehaviour score at the disconnect threshold), `suspended` (offline mode),
 * `topology_trim` (too many connections), `unresponsive` (a ping of the connection watch unanswered),
 * `node_stopping`; without a note the event log reports
 * `connection_limit` (libp2p's pruner closed it to stay within connections.max), `local_closed`
 * (another local close), `remote_closed` (the remote or the network ended it cleanly) or
 * `connection_error` (it failed).
 */
const pending = new Map<string, string>()
const MAX_PENDING = 1024

/** Notes why this node is about to close its connection(s) to `peerId`. */
export function noteDisconnectReason (peerId: string, reason: string): void {
  if (pending.size >= MAX_PENDING) pending.delete(pending.keys().next().value as string)
  pending.set(peerId, reason)
}

/** The reason noted for `peerId`, forgotten once taken; undefined when none was noted. */
export function takeDisconnectReason (peerId: string): string | undefined {
  const reason = pending.get(peerId)
  pending.delete(peerId)
  return reason
}
