/**
 * The REST transport: HTTP/1.1 (or HTTPS) with a keep-alive agent per endpoint, JSON bodies in the
 * proto JSON form (converted with the generated fromJSON), problem+json errors as named ApiErrors,
 * and Server-Sent Events for the two streams (resuming with the cursor is the client's job).
 */
import http from 'node:http'
import https from 'node:https'
import {
  AdminNodeInfo, BanPeerResponse, DialPeerResponse, DisconnectPeerResponse, ListConnectedPeersResponse, LogLevels, NodeStats, ServedRegisters, UnbanPeerResponse,
  type BanPeerRequest, type SetLogLevelRequest, type UpdateServedRegistersRequest
} from '../../protos/gen/sorcha/api/v1/admin.ts'
import { ConnectivityReport, ConnectivityUpdate } from '../../protos/gen/sorcha/api/v1/connectivity.ts'
import { Event as EventCodec, ListEventsResponse, type EventFilter, type Event as NodeEventMessage, type FollowEventsRequest, type ListEventsRequest } from '../../protos/gen/sorcha/api/v1/events.ts'
import type { DirectMessage } from '../../protos/gen/sorcha/api/v1/peer_communication.ts'
import { PingResponse, SendMessageResponse, DirectMessage as DirectMessageCodec } from '../../protos/gen/sorcha/api/v1/peer_communication.ts'
import {
  FindPeersForRegisterResponse, GetPeerResponse, ListPeersResponse, NetworkHealth, NodeInfo, type ListPeersRequest
} from '../../protos/gen/sorcha/api/v1/peer_discovery.ts'
import {
  ListTransactionsResponse, SubmitTransactionRequest, SubmitTransactionResponse, SubscribeResponse, TransactionHeader,
  type ListTransactionsRequest, type SubscribeRequest
} from '../../protos/gen/sorcha/api/v1/transaction_distribution.ts'
import { PEER_ORDER, PEER_STATUS } from '../gateway/enum-names.ts'
import { apiError, InternalError } from '../gateway/errors.ts'
import { classify } from './describe.ts'
import { TransportFailedError, type FailureKind } from './errors.ts'
import { asCodeName } from './grpc-transport.ts'
import { parseSse } from './sse.ts'
import type { AttemptOptions, ClientTls, FetchedTransaction, Transport } from './types.ts'

/** The REST transport of one endpoint. */
export class RestTransport implements Transport {
  readonly kind = 'rest' as const
  private readonly base: URL
  private readonly agent: http.Agent
  private readonly token: string
  /** host:port of the base URL, for failures. */
  private readonly address: string
  private readonly ca: boolean

  constructor (baseUrl: string, tls: ClientTls | undefined, token: string) {
    this.base = new URL(baseUrl)
    this.token = token
    this.ca = tls?.ca !== undefined
    this.address = `${this.base.hostname}:${this.base.port === '' ? (this.base.protocol === 'https:' ? '443' : '80') : this.base.port}`
    this.agent = this.base.protocol === 'https:'
      ? new https.Agent({ keepAlive: true, ...(tls?.ca === undefined ? {} : { ca: tls.ca }), ...(tls?.cert === undefined ? {} : { cert: tls.cert, key: tls.key }) })
      : new http.Agent({ keepAlive: true })
  }

  private async request (method: string, path: string, options: { signal?: AbortSignal, timeoutMs?: number, body?: unknown, stream?: boolean }): Promise<http.IncomingMessage> {
    const url = new URL(path, this.base)
    const body = options.body === undefined ? undefined : Buffer.from(JSON.stringify(options.body))
    const headers: Record<string, string> = { accept: options.stream === true ? 'text/event-stream' : 'application/json' }
    if (body !== undefined) { headers['content-type'] = 'application/json'; headers['content-length'] = String(body.byteLength) }
    if (this.token !== '') headers.authorization = `Bearer ${this.token}`
    const lib = url.protocol === 'https:' ? https : http
    const response = await new Promise<http.IncomingMessage>((resolve, reject) => {
      const req = lib.request(url, { method, headers, agent: this.agent, ...(options.signal === undefined ? {} : { signal: options.signal }) }, resolve)
      if (options.timeoutMs !== undefined) req.setTimeout(options.timeoutMs, () => { req.destroy(this.failure('timeout', `no answer within ${options.timeoutMs} ms`)) })
      req.on('error', (err: NodeJS.ErrnoException & { cert?: { subjectaltname?: string } }) => {
        if (options.signal?.aborted === true) { reject(options.signal.reason); return }
        if (err instanceof TransportFailedError) { reject(err); return }
        const detail = `${err.code ?? ''} ${err.message}`.trim()
        const kind = classify(detail)
        reject(this.failure(kind, detail, kind === 'hostname' ? err.cert?.subjectaltname : undefined))
      })
      req.end(body)
    })
    if (response.statusCode !== undefined && response.statusCode >= 400) throw await this.problemOf(response)
    return response
  }

  private failure (kind: FailureKind, detail: string, certificateNames?: string): TransportFailedError {
    return new TransportFailedError('rest', kind, { address: this.address, tls: this.base.protocol === 'https:', ca: this.ca, detail, ...(certificateNames === undefined ? {} : { certificateNames }) })
  }

  /**
   * A 4xx/5xx response as the named ApiError (problem+json); a server without our API (no problem
   * document, or no such route) as a transport failure, so the client tries its other transports.
   */
  private async problemOf (response: http.IncomingMessage): Promise<Error> {
    const text = (await readAll(response)).toString('utf8')
    const status = response.statusCode ?? 0
    const type = response.headers['content-type'] ?? ''
    if (!type.startsWith('application/problem+json')) {
      return this.failure(status === 404 || status === 405 ? 'no_api' : 'other', `HTTP ${status} without a problem document`)
    }
    try {
      const p = JSON.parse(text) as { code: string, reason: string, detail: string, retryAfterMs?: number, oldestCursor?: string }
      if (p.reason === 'no_route' || p.reason === 'method_not_allowed') return this.failure('no_api', `HTTP ${status}: ${p.detail}`)
      const err = apiError(asCodeName(p.code), p.reason, p.detail, p.oldestCursor)
      if (typeof p.retryAfterMs === 'number') err.retryAfterMs = p.retryAfterMs
      return err
    } catch {
      return new InternalError('bad_problem', `HTTP ${status} with an unreadable problem document`)
    }
  }

  private async json<T> (method: string, path: string, codec: { fromJSON: (o: unknown) => T }, options: AttemptOptions, body?: unknown): Promise<T> {
    const response = await this.request(method, path, { ...options, body })
    return codec.fromJSON(JSON.parse((await readAll(response)).toString('utf8')))
  }

  nodeInfo = async (o: AttemptOptions) => this.json('GET', '/v1/node', NodeInfo, o)
  networkHealth = async (o: AttemptOptions) => this.json('GET', '/v1/health', NetworkHealth, o)
  listPeers = async (r: ListPeersRequest, o: AttemptOptions) => {
    const q = new URLSearchParams({ orderBy: PEER_ORDER.nameOf(r.orderBy) ?? String(r.orderBy), ascending: String(r.ascending), limit: String(r.limit) })
    for (const s of r.status) q.append('status', PEER_STATUS.nameOf(s) ?? String(s))
    return this.json('GET', `/v1/peers?${q.toString()}`, ListPeersResponse, o)
  }

  getPeer = async (peerId: string, o: AttemptOptions) => this.json('GET', `/v1/peers/${encodeURIComponent(peerId)}`, GetPeerResponse, o)
  findPeersForRegister = async (registerId: string, limit: number, o: AttemptOptions, includeDht = false) => this.json('GET', `/v1/registers/${encodeURIComponent(registerId)}/peers?limit=${limit}${includeDht ? '&includeDht=true' : ''}`, FindPeersForRegisterResponse, o)
  ping = async (peerId: string, o: AttemptOptions) => this.json('POST', `/v1/peers/${encodeURIComponent(peerId)}/ping`, PingResponse, o)
  sendMessage = async (peerId: string, topic: string, payload: Uint8Array, o: AttemptOptions) =>
    this.json('POST', `/v1/peers/${encodeURIComponent(peerId)}/messages`, SendMessageResponse, o, { topic, payload: Buffer.from(payload).toString('base64') })

  connectivity = async (o: AttemptOptions) => this.json('GET', '/v1/connectivity', ConnectivityReport, o)
  suspend = async (note: string, o: AttemptOptions) => this.json('POST', '/v1/connectivity/suspend', ConnectivityReport, o, { note })
  resume = async (o: AttemptOptions) => this.json('POST', '/v1/connectivity/resume', ConnectivityReport, o)
  // Admin (issue 17)
  listConnectedPeers = async (o: AttemptOptions) => this.json('GET', '/v1/admin/peers', ListConnectedPeersResponse, o)
  dialPeer = async (multiaddr: string, o: AttemptOptions) => this.json('POST', '/v1/admin/peers/dial', DialPeerResponse, o, { multiaddr })
  disconnectPeer = async (peerId: string, o: AttemptOptions) => this.json('POST', `/v1/admin/peers/${encodeURIComponent(peerId)}/disconnect`, DisconnectPeerResponse, o)
  banPeer = async (r: BanPeerRequest, o: AttemptOptions) => this.json('POST', `/v1/admin/peers/${encodeURIComponent(r.peerId)}/ban`, BanPeerResponse, o, { reason: r.reason, durationMs: r.durationMs })
  unbanPeer = async (peerId: string, o: AttemptOptions) => this.json('POST', `/v1/admin/peers/${encodeURIComponent(peerId)}/unban`, UnbanPeerResponse, o)
  updateServedRegisters = async (r: UpdateServedRegistersRequest, o: AttemptOptions) => this.json('POST', '/v1/admin/registers', ServedRegisters, o, { follow: r.follow, unfollow: r.unfollow })
  getLogLevels = async (o: AttemptOptions) => this.json('GET', '/v1/admin/log-level', LogLevels, o)
  setLogLevel = async (r: SetLogLevelRequest, o: AttemptOptions) => this.json('POST', '/v1/admin/log-level', LogLevels, o, { level: r.level, ...(r.subsystem === '' ? {} : { subsystem: r.subsystem }) })
  adminNodeInfo = async (o: AttemptOptions) => this.json('GET', '/v1/admin/node', AdminNodeInfo, o)
  stats = async (o: AttemptOptions) => this.json('GET', '/v1/admin/stats', NodeStats, o)

  async * watchConnectivity (options: { signal: AbortSignal }): AsyncGenerator<ConnectivityUpdate> {
    for await (const event of this.sse('/v1/connectivity/stream', options.signal)) {
      if (event.event === 'status') yield ConnectivityUpdate.fromJSON({ status: JSON.parse(event.data) })
      else if (event.event === 'change') yield ConnectivityUpdate.fromJSON({ change: JSON.parse(event.data) })
    }
  }

  // Events (issue 17)
  listEvents = async (r: ListEventsRequest, o: AttemptOptions) => {
    const q = eventFilterQuery(r.filter)
    q.set('limit', String(r.limit))
    if (r.cursor > 0) q.set('cursor', String(r.cursor))
    if (r.newestFirst) q.set('newestFirst', 'true')
    return this.json('GET', `/v1/events?${q.toString()}`, ListEventsResponse, o)
  }

  async * followEvents (request: FollowEventsRequest, options: { signal: AbortSignal }): AsyncGenerator<NodeEventMessage> {
    const q = eventFilterQuery(request.filter)
    if (request.cursor > 0) q.set('cursor', String(request.cursor))
    if (request.fromStart) q.set('fromStart', 'true')
    for await (const event of this.sse(`/v1/events/stream?${q.toString()}`, options.signal)) {
      if (event.event === 'event') yield EventCodec.fromJSON(JSON.parse(event.data))
    }
  }

  listTransactions = async (r: ListTransactionsRequest, o: AttemptOptions) => {
    const q = new URLSearchParams({ limit: String(r.limit) })
    if (r.since !== '') q.set('since', r.since)
    for (const id of r.registerIds) q.append('registerId', id)
    return this.json('GET', `/v1/transactions?${q.toString()}`, ListTransactionsResponse, o)
  }

  submit = async (request: SubmitTransactionRequest, o: AttemptOptions) => {
    const body = SubmitTransactionRequest.toJSON(request) as Record<string, unknown>
    return this.json('POST', '/v1/transactions', SubmitTransactionResponse, o, body)
  }

  async getTransaction (txId: string, options: AttemptOptions): Promise<FetchedTransaction> {
    const response = await this.request('GET', `/v1/transactions/${encodeURIComponent(txId)}`, options)
    const parsed = JSON.parse((await readAll(response)).toString('utf8')) as { header: unknown, payload: string, payloadIncluded: boolean }
    const header = TransactionHeader.fromJSON(parsed.header)
    if (parsed.payloadIncluded) return { header, payload: Buffer.from(parsed.payload, 'base64') }
    const raw = await this.request('GET', `/v1/transactions/${encodeURIComponent(txId)}/payload`, options)
    return { header, payload: await readAll(raw) }
  }

  async * receiveMessages (topics: string[], options: { signal: AbortSignal }): AsyncGenerator<DirectMessage> {
    const q = new URLSearchParams()
    for (const t of topics) q.append('topic', t)
    for await (const event of this.sse(`/v1/messages/stream?${q.toString()}`, options.signal)) {
      if (event.event === 'message') yield DirectMessageCodec.fromJSON(JSON.parse(event.data))
    }
  }

  async * subscribe (request: SubscribeRequest, options: { signal: AbortSignal }): AsyncGenerator<SubscribeResponse> {
    const q = new URLSearchParams({ includePayload: String(request.includePayload) })
    if (request.cursor !== '') q.set('cursor', request.cursor)
    for (const r of request.registerIds) q.append('registerId', r)
    for await (const event of this.sse(`/v1/transactions/stream?${q.toString()}`, options.signal)) {
      if (event.event === 'transaction') yield SubscribeResponse.fromJSON({ transaction: JSON.parse(event.data) })
    }
  }

  private async * sse (path: string, signal: AbortSignal): AsyncGenerator<{ event: string, data: string, id?: string }> {
    const response = await this.request('GET', path, { signal, stream: true })
    try {
      for await (const event of parseSse(response)) {
        if (event.event === 'error') {
          const p = JSON.parse(event.data) as { code: string, reason: string, detail: string, oldestCursor?: string }
          throw apiError(asCodeName(p.code), p.reason, p.detail, p.oldestCursor)
        }
        yield event
      }
    } catch (err) {
      if (signal.aborted) return
      throw err instanceof Error && 'code' in err && typeof (err as { reason?: unknown }).reason === 'string' ? err : this.failure('closed', 'the event stream broke')
    } finally {
      response.destroy()
    }
    if (!signal.aborted) throw this.failure('closed', 'the event stream ended')
  }

  close (): void {
    this.agent.destroy()
  }
}

async function readAll (stream: AsyncIterable<Buffer>): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of stream) chunks.push(chunk)
  return Buffer.concat(chunks)
}

/** An event filter as the REST query parameters (absent fields left out). */
function eventFilterQuery (filter: EventFilter | undefined): URLSearchParams {
  const q = new URLSearchParams()
  if (filter === undefined) return q
  for (const type of filter.types) q.append('type', type)
  if (filter.peerId !== '') q.set('peerId', filter.peerId)
  if (filter.txId !== '') q.set('txId', filter.txId)
  if (filter.sinceMs > 0) q.set('sinceMs', String(filter.sinceMs))
  if (filter.untilMs > 0) q.set('untilMs', String(filter.untilMs))
  return q
}
