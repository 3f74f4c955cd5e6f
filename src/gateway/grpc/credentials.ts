/**
 * gRPC server credentials whose certificate, key and CA bundle can be replaced while the server
 * runs. grpc-js (1.10 and later) keeps a watcher on every secure credentials object and calls
 * `setSecureContext` on its HTTP/2 servers when the credentials publish new context options
 * (`updateSecureContextOptions`, the hook its certificate providers use): new handshakes use the new
 * material, connections already open keep theirs, and nothing is rebound.
 */
import { ServerCredentials } from '@grpc/grpc-js'
import type { TlsMaterial } from '../tls.ts'

const contextOptions = (tls: TlsMaterial): { cert: Buffer, key: Buffer, ca?: Buffer } =>
  tls.ca === undefined ? { cert: tls.cert, key: tls.key } : { cert: tls.cert, key: tls.key, ca: tls.ca }

/** TLS (mutual TLS with `requireClientCert`) credentials that `update()` re-keys in place. */
export class ReloadableServerCredentials extends ServerCredentials {
  constructor (tls: TlsMaterial, requireClientCert: boolean) {
    // rejectUnauthorized (Node's default) refuses a client certificate that does not chain to `ca`.
    super({ requestCert: requireClientCert, rejectUnauthorized: true }, contextOptions(tls))
  }

  /** Publishes new material to the servers bound with these credentials. */
  update (tls: TlsMaterial): void {
    this.updateSecureContextOptions(contextOptions(tls))
  }

  _equals (other: ServerCredentials): boolean {
    return other === this
  }
}
