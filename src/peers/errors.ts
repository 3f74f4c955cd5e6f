/** Errors of the peer list (one class per failure; tests assert on `name`). */

/** The write queue is full: more than the documented maximum of pending writes. */
export class PeerListBusyError extends Error {
  override name = 'PeerListBusyError'
}

/** The peer list was used before start() or after stop(). */
export class PeerListNotStartedError extends Error {
  override name = 'PeerListNotStartedError'
}
