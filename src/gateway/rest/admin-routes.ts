/**
 * The REST routes of the Admin service under /v1/admin/... (docs/admin.md), behind the admin access
 * rule of this listener. Each route's `operationId` names the RPC it mirrors. The token (when set)
 * and the rate limit are checked for every /v1/ route by the server before these run.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { AdminAccess } from '../../admin/access.ts'
import { LOG_LEVELS } from '../../logging/levels.ts'
import { messageSchemas, toRestJson } from './proto-json.ts'
import { PEER_PARAMS } from './request-schemas.ts'
import type { RouteContext } from './routes.ts'

const API = 'sorcha.api.v1.'
const TAGS = ['Admin']
const PROBLEM = { description: 'Problem (RFC 9457); code = gRPC status name', content: { 'application/problem+json': { schema: { $ref: 'Problem#' } } } }
const ok = (type: string, description: string): Record<string, unknown> => ({ 200: { description, content: { 'application/json': { schema: { $ref: `${type}#` } } } }, '4XX': PROBLEM, '5XX': PROBLEM })

/** The admin messages REST answers with (their schemas go into the OpenAPI document). */
const ADMIN_TYPES = ['ListConnectedPeersResponse', 'DialPeerResponse', 'DisconnectPeerResponse', 'BanPeerResponse', 'UnbanPeerResponse', 'LogLevels', 'AdminNodeInfo', 'NodeStats', 'ServedRegisters'].map(n => `${API}${n}`)

const DIAL_BODY = {
  type: 'object',
  properties: { multiaddr: { type: 'string', minLength: 1, maxLength: 1024, 'x-reason': 'invalid_multiaddr', description: 'e.g. /ip4/127.0.0.1/tcp/4001/p2p/12D3KooW...' } },
  required: ['multiaddr'],
  additionalProperties: false
}
const BAN_BODY = {
  type: ['object', 'null'],
  properties: {
    reason: { type: 'string', 'x-reason': 'invalid_reason', description: 'why, in the operator\'s words: at most 200 characters, no control characters; default `admin`' },
    durationMs: { type: 'integer', minimum: 0, 'x-reason': 'invalid_duration', description: 'how long; 0 or absent = until unbanned' }
  },
  additionalProperties: false
}
const LOG_LEVEL_BODY = {
  type: 'object',
  properties: {
    level: { type: 'string', enum: [...LOG_LEVELS, 'default'], 'x-reason': 'invalid_log_level', description: `${LOG_LEVELS.join(', ')}; with a subsystem also default (follow the global level again)` },
    subsystem: { type: 'string', maxLength: 64, 'x-reason': 'invalid_subsystem', description: 'a logger name such as sorcha:gossip; absent or empty = the global level' }
  },
  required: ['level'],
  additionalProperties: false
}

const REGISTER_LIST = { type: 'array', maxItems: 1024, items: { type: 'string', minLength: 1, maxLength: 128 }, 'x-reason': 'invalid_register_id' }
const SERVED_BODY = {
  type: 'object',
  properties: {
    follow: { ...REGISTER_LIST, description: 'registers to serve from now on' },
    unfollow: { ...REGISTER_LIST, description: 'registers to stop serving (applied after follow)' }
  },
  additionalProperties: false
}

type Req<P = unknown, B = unknown> = FastifyRequest<{ Params: P, Body: B }>

/** Registers the admin routes for a listener whose access rule is `access`. */
export function adminRoutes (app: FastifyInstance, ctx: RouteContext, access: AdminAccess): void {
  const ops = ctx.ops.backend.admin
  for (const [id, schema] of messageSchemas(ADMIN_TYPES)) if (app.getSchema(id) === undefined) app.addSchema(schema)
  const signal = (request: FastifyRequest): AbortSignal => (request as unknown as { sorchaSignal: AbortSignal }).sorchaSignal
  // Refused before the body is looked at: a caller without access learns nothing else.
  const onRequest = async (): Promise<void> => { access.check() }
  const route = (summary: string, operationId: string, extra: Record<string, unknown>, type: string): Record<string, unknown> =>
    ({ onRequest, schema: { operationId, tags: TAGS, summary, ...extra, response: ok(type, summary) } })

  app.get('/v1/admin/peers', route('Connected peers: each connection\'s direction, address and streams; latency, protocols and score', 'ListConnectedPeers', {}, 'ListConnectedPeersResponse'),
    async request => toRestJson(`${API}ListConnectedPeersResponse`, await ops.listConnectedPeers({ signal: signal(request) })))
  app.post('/v1/admin/peers/dial', route('Dial a multiaddr; answers once connected', 'DialPeer', { body: DIAL_BODY }, 'DialPeerResponse'),
    async (request: Req<unknown, { multiaddr: string }>) => toRestJson(`${API}DialPeerResponse`, await ops.dialPeer(request.body.multiaddr, { signal: signal(request) })))
  app.post('/v1/admin/peers/:peerId/disconnect', route('Close every connection to a peer (disconnect reason admin); 404 when none is open', 'DisconnectPeer', { params: PEER_PARAMS }, 'DisconnectPeerResponse'),
    async (request: Req<{ peerId: string }>) => toRestJson(`${API}DisconnectPeerResponse`, await ops.disconnectPeer(request.params.peerId, { signal: signal(request) })))
  app.post('/v1/admin/peers/:peerId/ban', route('Ban a peer (persisted, with a reason and an optional duration) and close its connections. The body is optional', 'BanPeer', { params: PEER_PARAMS, body: BAN_BODY }, 'BanPeerResponse'),
    async (request: Req<{ peerId: string }, { reason?: string, durationMs?: number } | null | undefined>) =>
      toRestJson(`${API}BanPeerResponse`, await ops.banPeer(request.params.peerId, request.body?.reason ?? '', request.body?.durationMs ?? 0, { signal: signal(request) })))
  app.post('/v1/admin/peers/:peerId/unban', route('Lift a ban; 404 when the peer is not banned', 'UnbanPeer', { params: PEER_PARAMS }, 'UnbanPeerResponse'),
    async (request: Req<{ peerId: string }>) => toRestJson(`${API}UnbanPeerResponse`, await ops.unbanPeer(request.params.peerId, { signal: signal(request) })))
  app.get('/v1/admin/log-level', route('The global log level and each subsystem\'s own level', 'GetLogLevels', {}, 'LogLevels'),
    async () => toRestJson(`${API}LogLevels`, ops.logLevels()))
  app.post('/v1/admin/log-level', route('Change the global log level, or one subsystem\'s (sorcha:gossip...), at once', 'SetLogLevel', { body: LOG_LEVEL_BODY }, 'LogLevels'),
    async (request: Req<unknown, { level: string, subsystem?: string }>) => toRestJson(`${API}LogLevels`, ops.setLogLevel(request.body.level, request.body.subsystem ?? '')))
  app.get('/v1/admin/node', route('Identity, listen and announced addresses, NAT type and reachability, connectivity', 'GetAdminNodeInfo', {}, 'AdminNodeInfo'),
    async () => toRestJson(`${API}AdminNodeInfo`, ops.nodeInfo()))
  app.post('/v1/admin/registers', route('Serve more registers and stop serving others, at once; the new set is advertised to the peers and in the DHT', 'UpdateServedRegisters', { body: SERVED_BODY }, 'ServedRegisters'),
    async (request: Req<unknown, { follow?: string[], unfollow?: string[] }>) => toRestJson(`${API}ServedRegisters`, ops.updateServedRegisters(request.body.follow ?? [], request.body.unfollow ?? [])))
  app.get('/v1/admin/stats', route('Connections, streams, peers by protocol and status, health score, gossip, queue, reconciliation and store figures', 'GetStats', {}, 'NodeStats'),
    async () => toRestJson(`${API}NodeStats`, await ops.stats()))
}
