/** Named errors of address and NAT discovery; tests assert on `name`. */

/** A STUN server or lookup URL in the configuration cannot be used. */
export class InvalidServerError extends Error {
  override name = 'InvalidServerError'
}

/** No configured STUN server answered. */
export class StunUnreachableError extends Error {
  override name = 'StunUnreachableError'
}

/** Every HTTP lookup URL failed; `reasons` has one entry per URL tried. */
export class HttpLookupError extends Error {
  override name = 'HttpLookupError'
  readonly reasons: string[]
  constructor (message: string, reasons: string[]) {
    super(message)
    this.reasons = reasons
  }
}

/** The operation was aborted through its signal. */
export class NatAbortError extends Error {
  override name = 'AbortError'
}
