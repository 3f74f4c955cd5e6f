/** The app API: gRPC and REST servers, their TLS, token, rate limits and message sizes. */
import { z } from 'zod'
import { flag, integer, optionalText, stringList, text } from '../fields.ts'

const MIB = 1024 * 1024

const endpointFields = (port: number, what: string) => ({
  host: text('127.0.0.1', `Interface the ${what} server listens on (0.0.0.0 or :: for every interface)`, 'a host name or IP address'),
  port: integer(0, 65_535, port, `TCP port of the ${what} server (0 picks a free port)`)
})

/** A browser origin (RFC 6454: scheme://host[:port], no path), or * for any. */
const ORIGIN = /^(\*|https?:\/\/(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?)$/

const FILE = 'a file path, or empty for none'

/** The `gateway` section of the configuration. */
export const gatewaySection = z.strictObject({
  enabled: flag(true, 'Serve the app API (gRPC with a REST fallback) when the node starts'),
  grpc: z.strictObject(endpointFields(4200, 'gRPC')).prefault({}),
  rest: z.strictObject({
    ...endpointFields(4280, 'REST'),
    corsOrigins: stringList([], 'Browser origins allowed to call the REST API (CORS: preflight and Access-Control-Allow-Origin); empty sends no CORS headers, so browsers allow only same-origin pages', 'origins such as https://app.example.com or http://localhost:5173, or * for any', ORIGIN)
  }).prefault({}),
  tls: z.strictObject({
    cert: optionalText('PEM certificate (chain) of both API servers; with tls.key enables TLS', FILE),
    key: optionalText('PEM private key matching tls.cert', FILE),
    ca: optionalText('PEM CA bundle that client certificates must chain to (mutual TLS)', FILE),
    requireClientCert: flag(false, 'Require a client certificate signed by tls.ca on gRPC and REST (mutual TLS)')
  }).prefault({}),
  token: optionalText('API token apps must send as "authorization: Bearer <token>" (REST header, gRPC metadata)', 'any string, or empty for no token'),
  tokenFile: optionalText('File holding the API token (instead of gateway.token); reloaded like the TLS files', FILE),
  reloadOnChange: flag(true, 'Reload tls.cert, tls.key, tls.ca and tokenFile when they change on disk (SIGHUP reloads them always); new connections use the new ones'),
  allowInsecure: flag(false, 'Serve the API on an address other machines can reach with neither a token nor mutual TLS (refused otherwise)'),
  rateLimit: z.strictObject({
    perSecond: integer(0, 1_000_000, 500, 'Requests (and streamed submissions) per second allowed per client address; 0 disables the limit'),
    burst: integer(1, 1_000_000, 1_000, 'Requests a client may make at once before the per-second rate applies')
  }).prefault({}),
  maxMessageBytes: integer(64 * 1024, 256 * MIB, 16 * MIB, 'Largest gRPC message or REST body accepted; larger transactions use the chunked upload'),
  maxStreams: integer(1, 100_000, 1_000, 'Concurrent streaming calls (subscriptions, sessions, uploads) per server')
}).superRefine((gateway, ctx) => {
  const tls = gateway.tls
  if ((tls.cert === '') !== (tls.key === '')) {
    ctx.addIssue({ code: 'custom', path: ['tls', tls.cert === '' ? 'cert' : 'key'], message: 'tls.cert and tls.key go together', params: { allowed: 'a file path when the other of tls.cert / tls.key is set' } })
  }
  if (gateway.token !== '' && gateway.tokenFile !== '') {
    ctx.addIssue({ code: 'custom', path: ['tokenFile'], message: 'gateway.token and gateway.tokenFile exclude each other', params: { allowed: 'a file path when gateway.token is empty' } })
  }
  if (tls.requireClientCert && (tls.ca === '' || tls.cert === '')) {
    ctx.addIssue({ code: 'custom', path: ['tls', 'requireClientCert'], message: 'mutual TLS needs tls.cert, tls.key and tls.ca', params: { allowed: 'true only with tls.cert, tls.key and tls.ca set' } })
  }
}).prefault({})
