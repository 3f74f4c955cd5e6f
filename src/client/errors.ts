/**
 * Client-side failures. Server answers become the named ApiErrors of src/gateway/errors.ts (the
 * same classes the server throws); a transport that cannot carry the call at all (connection
 * refused, TLS failure, an intermediary that blocks HTTP/2 or streams) is a TransportFailedError,
 * which makes the client fall back to the next transport. Each one is classified (`kind`), so that
 * the failure can be told in one line with its real cause first (describe.ts).
 */

/**
 * Why a transport could not carry a call:
 * - refused: nothing listens at the address (ECONNREFUSED)
 * - timeout: no connection or no answer before the deadline
 * - unresolved: the host name does not resolve
 * - unreachable: no route to the host (EHOSTUNREACH, ENETUNREACH)
 * - untrusted: the node's certificate does not chain to a trusted CA
 * - client_cert: the node requires a client certificate, or refused the one given (mutual TLS)
 * - expired: the node's certificate has expired (or is not valid yet)
 * - hostname: the node's certificate does not name the host connected to
 * - not_tls: the client speaks TLS, the node does not (on that port)
 * - closed: the node closed the connection (often: it speaks TLS and the client does not, or it
 *   requires a client certificate)
 * - protocol: something answers, but not with the protocol expected (a wrong port)
 * - no_api: a server answers, but has no Sorcha API (or not this call)
 * - other: anything else (the detail says what)
 */
export type FailureKind = 'refused' | 'timeout' | 'unresolved' | 'unreachable' | 'untrusted' | 'client_cert' | 'expired' | 'hostname' | 'not_tls' | 'closed' | 'protocol' | 'no_api' | 'other'

/** What a transport failure is about, beyond its kind. */
export interface FailureContext {
  /** host:port the transport tried. */
  address: string
  /** Whether the transport used TLS. */
  tls: boolean
  /** Whether a CA bundle was given to verify the node (else the system's roots applied). */
  ca?: boolean
  /** The low-level cause, as the runtime reported it (for logs and for `other`). */
  detail: string
  /** For `hostname`: the names the certificate lists (its subjectAltName), when known. */
  certificateNames?: string
}

/** The transport could not carry the call; the next transport may. */
export class TransportFailedError extends Error {
  override name = 'TransportFailedError'
  readonly transport: string
  readonly kind: FailureKind
  readonly address: string
  readonly tls: boolean
  readonly ca: boolean
  readonly detail: string
  readonly certificateNames?: string
  constructor (transport: string, kind: FailureKind, context: FailureContext) {
    super(`${transport}: ${kind === 'other' ? context.detail : `${kind} at ${context.address}`}`)
    this.transport = transport
    this.kind = kind
    this.address = context.address
    this.tls = context.tls
    this.ca = context.ca ?? false
    this.detail = context.detail
    if (context.certificateNames !== undefined) this.certificateNames = context.certificateNames
  }
}

/** No transport of any endpoint could carry the call (after retries); `failures` says why, per transport. */
export class NoTransportError extends Error {
  override name = 'NoTransportError'
  readonly failures: readonly TransportFailedError[]
  constructor (message: string, failures: readonly TransportFailedError[] = []) {
    super(message)
    this.failures = failures
  }
}
