/** Errors of the outbound queue (one class per failure; tests assert on `name`). */

/** The queue holds queue.maxDepth transactions or queue.maxBytes payload bytes already. */
export class QueueFullError extends Error {
  override name = 'QueueFullError'
  /** Which bound was reached. */
  readonly bound: 'depth' | 'bytes'
  constructor (bound: 'depth' | 'bytes', limit: number) {
    super(bound === 'depth'
      ? `the outbound queue is full (queue.maxDepth = ${limit} unconfirmed transactions); retry once peers have confirmed some`
      : `the outbound queue is full (queue.maxBytes = ${limit} bytes of unconfirmed transactions); retry once peers have confirmed some`)
    this.bound = bound
  }
}

/** A have-query got no usable answer (the peer is gone, timed out, or sent something malformed). */
export class TxHaveError extends Error {
  override name = 'TxHaveError'
}
