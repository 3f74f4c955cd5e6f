/** Errors of the gossip node API (one class per failure; tests assert on `name`). */

/** A transaction is larger than gossip.maxTxBytes. */
export class TxTooLargeError extends Error {
  override name = 'TxTooLargeError'
  constructor (size: number, max: number) {
    super(`transaction of ${size} bytes exceeds the limit of ${max} bytes`)
  }
}

/** A payload does not hash to the transaction id it claims. */
export class TxIdMismatchError extends Error {
  override name = 'TxIdMismatchError'
  constructor () {
    super('the payload does not hash to the transaction id')
  }
}

/** A transaction or its metadata is invalid (field named in the message). */
export class InvalidTransactionError extends Error {
  override name = 'InvalidTransactionError'
  readonly field: string
  constructor (field: string, reason: string) {
    super(`invalid transaction: ${field} ${reason}`)
    this.field = field
  }
}

/** A tx id given to get() is neither 32 bytes nor 64 hex characters. */
export class InvalidTxIdError extends Error {
  override name = 'InvalidTxIdError'
  constructor () {
    super('a transaction id is 32 bytes, or 64 hexadecimal characters')
  }
}

/** The distributor is not started. */
export class GossipNotStartedError extends Error {
  override name = 'GossipNotStartedError'
  constructor () {
    super('the gossip service is not started')
  }
}

/** A chunk did not inflate to its declared length (corrupt data or a decompression bomb). */
export class DecompressionError extends Error {
  override name = 'DecompressionError'
  /** True when the body inflated past its declared length (a decompression bomb), not merely bad gzip. */
  readonly bomb: boolean
  constructor (reason: string, bomb = false) {
    super(`chunk decompression failed: ${reason}`)
    this.bomb = bomb
  }
}

/** A node was built without the gossip service. */
export class GossipServiceMissingError extends Error {
  override name = 'GossipServiceMissingError'
  constructor () {
    super('this node has no gossip service (add gossipContribution() to its contributions)')
  }
}

/**
 * A node with `gossip.strategy: gossipsub` was built without the strategy's code loaded: build it with
 * SorchaNode.create, or call loadGossipStrategy('gossipsub') before txGossip.
 */
export class GossipStrategyNotLoadedError extends Error {
  override name = 'GossipStrategyNotLoadedError'
  constructor (strategy: string) {
    super(`the ${strategy} strategy's code is not loaded: await loadGossipStrategy('${strategy}') first (SorchaNode.create does)`)
  }
}
