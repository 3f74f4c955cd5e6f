/**
 * Transport failures as people read them: the kind of failure a low-level error names, and one line
 * per cause with the real cause first, the addresses, and what to do, e.g.
 * `connection refused at 127.0.0.1:4200 (gRPC) and :4280 (REST): is the node running?`.
 * Transports that failed the same way share one line; otherwise each gets its own.
 */
import type { FailureKind, TransportFailedError } from './errors.ts'

/** Low-level error codes and texts (Node error codes, OpenSSL and grpc-js messages), first match wins. */
const RULES: ReadonlyArray<readonly [RegExp, FailureKind]> = [
  [/ERR_TLS_CERT_ALTNAME_INVALID|does not match certificate's altnames/, 'hostname'],
  [/CERT_HAS_EXPIRED|CERT_NOT_YET_VALID|certificate has expired|certificate is not yet valid/, 'expired'],
  [/UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN|DEPTH_ZERO_SELF_SIGNED_CERT|UNABLE_TO_GET_ISSUER_CERT|CERT_SIGNATURE_FAILURE|CERT_UNTRUSTED|unable to verify the first certificate|self[- ]signed certificate|certificate signature failure|unable to get (local )?issuer certificate/, 'untrusted'],
  [/certificate required|alert number 116|ALERT_CERTIFICATE_REQUIRED|alert bad certificate|ALERT_BAD_CERTIFICATE|alert unknown ca|ALERT_UNKNOWN_CA/i, 'client_cert'],
  [/ERR_SSL_WRONG_VERSION_NUMBER|wrong version number|ERR_SSL_PACKET_LENGTH_TOO_LONG|packet length too long|EPROTO/, 'not_tls'],
  [/ECONNREFUSED/, 'refused'],
  [/ENOTFOUND|EAI_AGAIN|EAI_NONAME|EAI_FAIL|Name resolution failed|getaddrinfo/, 'unresolved'],
  [/EHOSTUNREACH|ENETUNREACH|EHOSTDOWN|ENETDOWN/, 'unreachable'],
  [/ETIMEDOUT|timed out/i, 'timeout'],
  [/ECONNRESET|EPIPE|ECONNABORTED|socket hang up|Connection dropped|Failed to connect/, 'closed'],
  [/HPE_|Protocol error|ERR_HTTP2|NGHTTP2/, 'protocol']
]

/** The kind of failure a low-level error (its code and message) names; `other` when none matches. */
export function classify (text: string): FailureKind {
  return RULES.find(([pattern]) => pattern.test(text))?.[1] ?? 'other'
}

/** A low-level detail on one line, without grpc-js's wrapping ("No connection established. Last error: ..."). */
function readable (detail: string): string {
  return detail.replace(/No connection established\. Last error: (Error: )?/, '').replace(/\s*\(\d{4}-\d\d-\d\dT[^)]*\)/g, '')
    .replace(/\.?\s*Resolution note:.*$/s, '').replace(/\s+/g, ' ').trim()
}

/** Who reads the line: a CLI user (hints name flags) or a library user (hints name options). */
export type Audience = 'cli' | 'library'

/** 'gRPC' for both gRPC transports, 'REST' for REST. */
const family = (transport: string): string => transport === 'rest' ? 'REST' : 'gRPC'

function hostOf (address: string): string {
  const colon = address.lastIndexOf(':')
  return (colon < 0 ? address : address.slice(0, colon)).replace(/^\[(.*)\]$/, '$1')
}

function cause (f: TransportFailedError): string {
  switch (f.kind) {
    case 'refused': return 'connection refused'
    case 'timeout': return 'timed out'
    case 'unresolved': return 'host not found'
    case 'unreachable': return 'host unreachable'
    case 'untrusted': return 'certificate not trusted'
    case 'client_cert': return 'client certificate required or refused'
    case 'expired': return 'certificate expired or not yet valid'
    case 'hostname': return `certificate does not name ${hostOf(f.address)}${f.certificateNames === undefined ? '' : ` (it names ${f.certificateNames})`}`
    case 'not_tls': return 'TLS handshake failed, the node does not speak TLS there'
    case 'closed': return 'connection closed by the node'
    case 'protocol': return 'something other than the node\'s API answers'
    case 'no_api': return 'no Sorcha API for this call'
    case 'other': return readable(f.detail)
  }
}

function hint (f: TransportFailedError, audience: Audience): string {
  const cli = audience === 'cli'
  switch (f.kind) {
    case 'refused': return 'is the node running?'
    case 'timeout': return `is the address right and the port open? (${cli ? '--timeout-ms' : 'timeoutMs'} waits longer)`
    case 'unresolved': return 'check the host name'
    case 'unreachable': return 'check the address and the network'
    case 'untrusted': return f.ca
      ? (cli ? '--ca is not the CA that signed the node\'s certificate' : 'tls.ca is not the CA that signed the node\'s certificate')
      : (cli ? 'pass --ca' : 'set tls.ca to the CA that signed the node\'s certificate')
    case 'client_cert': return cli ? 'pass --cert and --key, issued by the CA the node trusts' : 'set tls.cert and tls.key, issued by the CA the node trusts'
    case 'expired': return 'the node needs a new certificate'
    case 'hostname': return cli ? 'connect by a name it lists, or reissue it (sorcha-peer certs node --host)' : 'connect by a name it lists, or reissue it'
    case 'not_tls': return cli ? 'drop --ca and use an http:// --rest URL' : 'connect without tls (http:// for REST)'
    case 'closed': return f.tls
      ? (cli ? 'does it require a client certificate? pass --cert and --key' : 'does it require a client certificate? set tls.cert and tls.key')
      : (cli ? 'does it use TLS? pass --ca and an https:// --rest URL' : 'does it use TLS? set tls (https:// for REST)')
    case 'protocol': return family(f.transport) === 'REST'
      ? (cli ? 'is --rest the node\'s REST URL?' : 'is this the node\'s REST URL?')
      : (cli ? 'is --grpc the node\'s gRPC address?' : 'is this the node\'s gRPC address?')
    case 'no_api': return 'is this a Sorcha node of the same version, on the right port?'
    case 'other': return ''
  }
}

/** "127.0.0.1:4200 (gRPC) and :4280 (REST)": later addresses on the first one's host show only their port. */
function addresses (failures: readonly TransportFailedError[]): string {
  const host = hostOf(failures[0]?.address ?? '')
  const parts = failures.map((f, i) => `${i > 0 && hostOf(f.address) === host ? f.address.slice(f.address.lastIndexOf(':')) : f.address} (${family(f.transport)})`)
  return parts.length <= 2 ? parts.join(' and ') : `${parts.slice(0, -1).join(', ')} and ${parts.at(-1) ?? ''}`
}

/**
 * One line per cause: the cause, where, and what to do. Both gRPC transports of an address count
 * once; transports that failed the same way share a line.
 */
export function describeFailures (failures: readonly TransportFailedError[], audience: Audience): string[] {
  const seen = new Set<string>()
  const distinct = failures.filter(f => {
    const key = `${family(f.transport)} ${f.address}`
    if (seen.has(key)) return false
    seen.add(key)
    return true
  })
  const groups = new Map<string, TransportFailedError[]>()
  for (const f of distinct) {
    const key = `${cause(f)}\n${hint(f, audience)}`
    groups.set(key, [...(groups.get(key) ?? []), f])
  }
  return [...groups.values()].map(group => {
    const first = group[0] as TransportFailedError
    const advice = hint(first, audience)
    return `${cause(first)} at ${addresses(group)}${advice === '' ? '' : `: ${advice}`}`
  })
}
