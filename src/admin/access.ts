/**
 * Who may call the admin API on a listener. With gateway.token set, every API call (admin ones too)
 * needs it; the gateway's servers check it before anything else. Without a token, admin calls are
 * served only on a loopback listener (127.0.0.0/8, ::1, localhost) or on a listener that
 * requires client certificates: anyone who can reach an open listener could otherwise ban peers or
 * turn the node's logging up. Everything else is refused with PERMISSION_DENIED and one message
 * naming the setting to fix.
 */
import { isIP } from 'node:net'
import { PermissionDeniedError } from '../gateway/errors.ts'

/** A listener as the access rule sees it. */
export interface AdminListener {
  /** The configured host (gateway.grpc.host or gateway.rest.host). */
  host: string
  /** The setting that names the host, for the message. */
  hostSetting: 'gateway.grpc.host' | 'gateway.rest.host'
  /** gateway.token is set (the server checks it on every call). */
  token: boolean
  /** The listener requires a client certificate (gateway.tls.requireClientCert, gRPC and REST). */
  clientCertificates: boolean
}

/** The verdict for a listener: check() throws PermissionDeniedError when admin calls are refused. */
export interface AdminAccess {
  readonly allowed: boolean
  check: () => void
}

/** True for a host that only this machine can reach. */
export function isLoopbackHost (host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase()
  if (h === 'localhost' || h === '::1' || h === '0:0:0:0:0:0:0:1') return true
  if (isIP(h) === 4) return h.startsWith('127.')
  if (h.startsWith('::ffff:')) return h.slice(7).startsWith('127.')
  return false
}

/** The access rule for one listener, decided once when the server starts. */
export function adminAccess (listener: AdminListener): AdminAccess {
  const allowed = listener.token || listener.clientCertificates || isLoopbackHost(listener.host)
  const error = (): PermissionDeniedError => new PermissionDeniedError('admin_needs_token',
    `admin calls are refused: the API listens on ${listener.host} (${listener.hostSetting}), reachable from other machines, without an API token; set gateway.token (SORCHA_GATEWAY_TOKEN) or listen on 127.0.0.1`)
  return {
    allowed,
    check: () => { if (!allowed) throw error() }
  }
}
