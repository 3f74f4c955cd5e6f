/**
 * Client-side failures. Server answers become the named ApiErrors of src/gateway/errors.ts (the
 * same classes the server throws); a transport that cannot carry the call at all (connection
 * refused, TLS failure, an intermediary that blocks HTTP/2 or streams) is a TransportFailedError,
 * which makes the client fall back to the next transport.
 */

/** The transport could not carry the call; the next transport may. */
export class TransportFailedError extends Error {
  override name = 'TransportFailedError'
  readonly transport: string
  constructor (transport: string, message: string) {
    super(`${transport}: ${message}`)
    this.transport = transport
  }
}

/** No transport of any endpoint could carry the call (after retries). */
export class NoTransportError extends Error {
  override name = 'NoTransportError'
}

