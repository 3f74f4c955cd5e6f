/** Failures of the direct-message protocol, one class each. */

/** A topic outside TOPIC_PATTERN. */
export class InvalidTopicError extends Error {
  override name = 'InvalidTopicError'
}

/** A payload above the configured maximum. */
export class DirectMessageTooLargeError extends Error {
  override name = 'DirectMessageTooLargeError'
}

/** The peer answered, but refused the message; `reason` is its bounded code. */
export class DirectMessageRejectedError extends Error {
  override name = 'DirectMessageRejectedError'
  readonly reason: string
  constructor (reason: string) {
    super(`the peer refused the message: ${reason}`)
    this.reason = reason
  }
}

/** The peer could not be reached, or the exchange broke or timed out. */
export class DirectDeliveryError extends Error {
  override name = 'DirectDeliveryError'
  readonly timedOut: boolean
  constructor (message: string, timedOut: boolean) {
    super(message)
    this.timedOut = timedOut
  }
}
