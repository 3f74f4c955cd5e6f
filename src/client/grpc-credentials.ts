/**
 * TLS channel credentials for grpc-js that send SNI only for DNS names. grpc-js's own SSL credentials
 * set the TLS `servername` to the target host even when it is an IP address, which RFC 6066 §3 does
 * not permit and Node reports with a DEP0123 warning on every connection to https://127.0.0.1.
 * This connector does what grpc-js's does (secure context, ALPN h2, host verification against the
 * certificate's names, IP addresses included) and leaves `servername` unset for an IP address.
 * Its failures carry the OpenSSL / Node error code first, so describe.ts can classify them.
 */
import { isIP, type Socket } from 'node:net'
import { connect, createSecureContext, type PeerCertificate, type SecureContext } from 'node:tls'
import { CallCredentials, ChannelCredentials, type experimental } from '@grpc/grpc-js'
import type { ClientTls } from './types.ts'

/** A TLS connection failure whose message starts with its code, e.g. `UNABLE_TO_VERIFY_LEAF_SIGNATURE: ...`. */
function tlsFailure (err: NodeJS.ErrnoException & { cert?: PeerCertificate }): Error {
  const names = err.code === 'ERR_TLS_CERT_ALTNAME_INVALID' && typeof err.cert?.subjectaltname === 'string' ? ` [names: ${err.cert.subjectaltname}]` : ''
  return new Error(`${err.code ?? 'TLS'}: ${err.message}${names}`)
}

/** The certificate names a hostname failure reported, from a message tlsFailure built. */
export function certificateNamesIn (text: string): string | undefined {
  return /\[names: ([^\]]*)\]/.exec(text)?.[1]
}

/** Channel credentials for TLS (and mutual TLS with cert/key) to `host`. */
export class TlsChannelCredentials extends ChannelCredentials {
  private readonly context: SecureContext
  private readonly host: string

  constructor (host: string, tls: ClientTls) {
    super()
    this.host = host.replace(/^\[(.*)\]$/, '$1')
    // Without a CA, Node's built-in roots apply (as with grpc-js's createSsl()).
    this.context = createSecureContext({
      ...(tls.ca === undefined ? {} : { ca: tls.ca }),
      ...(tls.cert === undefined || tls.key === undefined ? {} : { cert: tls.cert, key: tls.key })
    })
  }

  _isSecure (): boolean {
    return true
  }

  _equals (other: ChannelCredentials): boolean {
    return other === this
  }

  _createSecureConnector (_target: experimental.GrpcUri, _options: object, callCredentials?: CallCredentials): experimental.SecureConnector {
    const { context, host } = this
    return {
      connect: async (socket: Socket): Promise<experimental.SecureConnectResult> => await new Promise((resolve, reject) => {
        const secured = connect({
          socket, secureContext: context, host, ALPNProtocols: ['h2'],
          // RFC 6066 §3: "Literal IPv4 and IPv6 addresses are not permitted in HostName."
          ...(isIP(host) === 0 ? { servername: host } : {})
        }, () => { resolve({ socket: secured, secure: true }) })
        secured.once('error', err => { reject(tlsFailure(err)) })
      }),
      waitForReady: async () => {},
      getCallCredentials: () => callCredentials ?? CallCredentials.createEmpty(),
      destroy: () => {}
    }
  }
}
