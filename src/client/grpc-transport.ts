/**
 * The gRPC transports, over the generated clients (protos/gen) on @grpc/grpc-js. 'grpc-stream'
 * submits over one long-lived SubmitStream per endpoint (acks matched by client_ref); 'grpc-unary'
 * submits with SubmitTransaction. Both share one channel per endpoint, so connections are reused.
 */
import { randomBytes } from 'node:crypto'
import { ChannelCredentials, Metadata, connectivityState, type CallOptions, type ClientDuplexStream, type ServiceError } from '@grpc/grpc-js'
import { AdminClient, type BanPeerRequest, type SetLogLevelRequest, type UpdateServedRegistersRequest } from '../../protos/gen/sorcha/api/v1/admin.ts'
import { ConnectivityClient, type ConnectivityUpdate } from '../../protos/gen/sorcha/api/v1/connectivity.ts'
import { EventsClient, type Event, type FollowEventsRequest, type ListEventsRequest } from '../../protos/gen/sorcha/api/v1/events.ts'
import { PeerCommunicationClient, type DirectMessage } from '../../protos/gen/sorcha/api/v1/peer_communication.ts'
import { PeerDiscoveryClient, type ListPeersRequest } from '../../protos/gen/sorcha/api/v1/peer_discovery.ts'
import {
  TransactionDistributionClient, type GetTransactionResponse, type ListTransactionsRequest, type SubmitAck, type SubmitStreamRequest,
  type SubmitTransactionRequest, type SubmitTransactionResponse, type SubscribeRequest, type SubscribeResponse
} from '../../protos/gen/sorcha/api/v1/transaction_distribution.ts'
import { apiError, codeName, DeadlineExceededError, GRPC_CODE, InternalError, type GrpcCodeName } from '../gateway/errors.ts'
import { classify } from './describe.ts'
import { TransportFailedError, type FailureKind } from './errors.ts'
import { certificateNamesIn, TlsChannelCredentials } from './grpc-credentials.ts'
import type { AttemptOptions, ClientTls, FetchedTransaction, Transport, TransportKind } from './types.ts'

/** Largest message the client sends or accepts. */
const CLIENT_MAX_MESSAGE_BYTES = 64 * 1024 * 1024

/** The generated clients of one endpoint, on one channel. */
export class GrpcConnection {
  readonly discovery: PeerDiscoveryClient
  readonly communication: PeerCommunicationClient
  readonly transactions: TransactionDistributionClient
  readonly connectivity: ConnectivityClient
  readonly events: EventsClient
  readonly admin: AdminClient
  /** host:port dialled. */
  readonly address: string
  readonly tls: boolean
  /** A CA bundle was given (else the system's roots verify the node). */
  readonly ca: boolean
  private readonly token: string

  constructor (address: string, tls: ClientTls | undefined, token: string) {
    this.address = address
    this.tls = tls !== undefined
    this.ca = tls?.ca !== undefined
    const host = address.lastIndexOf(':') > 0 ? address.slice(0, address.lastIndexOf(':')) : address
    const credentials = tls === undefined ? ChannelCredentials.createInsecure() : new TlsChannelCredentials(host, tls)
    const options = { 'grpc.max_receive_message_length': CLIENT_MAX_MESSAGE_BYTES, 'grpc.max_send_message_length': CLIENT_MAX_MESSAGE_BYTES }
    this.discovery = new PeerDiscoveryClient(address, credentials, options)
    // The others reuse the first client's channel (one HTTP/2 connection per endpoint).
    const channelOverride = this.discovery.getChannel()
    this.communication = new PeerCommunicationClient(address, credentials, { ...options, channelOverride })
    this.transactions = new TransactionDistributionClient(address, credentials, { ...options, channelOverride })
    this.connectivity = new ConnectivityClient(address, credentials, { ...options, channelOverride })
    this.events = new EventsClient(address, credentials, { ...options, channelOverride })
    this.admin = new AdminClient(address, credentials, { ...options, channelOverride })
    this.token = token
  }

  /** Call metadata: the bearer token when configured. */
  metadata (): Metadata {
    const metadata = new Metadata()
    if (this.token !== '') metadata.set('authorization', `Bearer ${this.token}`)
    return metadata
  }

  /** True when the channel has a live connection. */
  get connected (): boolean {
    return this.discovery.getChannel().getConnectivityState(false) === connectivityState.READY
  }

  close (): void {
    this.discovery.close()
  }
}

/** A grpc-js error as a named ApiError, or TransportFailedError when the server never answered. */
export function fromGrpcError (err: unknown, kind: TransportKind, conn: Pick<GrpcConnection, 'address' | 'tls' | 'ca' | 'connected'>): Error {
  const e = err as Partial<ServiceError>
  const failed = (failure: FailureKind, detail: string): TransportFailedError => {
    const names = failure === 'hostname' ? certificateNamesIn(detail) : undefined
    return new TransportFailedError(kind, failure, { address: conn.address, tls: conn.tls, ca: conn.ca, detail, ...(names === undefined ? {} : { certificateNames: names }) })
  }
  if (typeof e.code !== 'number') {
    const detail = (err as Error)?.message ?? String(err)
    return failed(classify(detail), detail)
  }
  const reason = e.metadata?.get('sorcha-reason')[0]
  const details = e.details ?? ''
  if (typeof reason === 'string') {
    const oldest = e.metadata?.get('sorcha-oldest-cursor')[0]
    const api = apiError(codeName(e.code), reason, details, typeof oldest === 'string' ? oldest : undefined)
    const retry = e.metadata?.get('sorcha-retry-after-ms')[0]
    if (typeof retry === 'string') api.retryAfterMs = Number(retry)
    return api
  }
  const name = codeName(e.code)
  // No reason trailer: the answer did not come from our handlers (connection refused, TLS or HTTP/2
  // blocked, a proxy, a server without this service), so another transport may do better.
  if (name === 'UNIMPLEMENTED') return failed('no_api', `${name}: ${details}`)
  if (name === 'UNAVAILABLE' || name === 'UNKNOWN' || name === 'INTERNAL' || name === 'CANCELLED') return failed(classify(details), `${name}: ${details}`)
  if (name === 'DEADLINE_EXCEEDED') return conn.connected ? new DeadlineExceededError('deadline', details) : failed('timeout', 'no connection before the deadline')
  return apiError(name, name.toLowerCase(), details)
}

type Unary<Req, Res> = (request: Req, metadata: Metadata, options: Partial<CallOptions>, callback: (err: ServiceError | null, res: Res) => void) => unknown

/** A gRPC transport in stream or unary mode. */
export class GrpcTransport implements Transport {
  readonly kind: TransportKind
  private readonly conn: GrpcConnection
  private submitStream: ClientDuplexStream<SubmitStreamRequest, SubmitAck> | undefined
  private readonly pending = new Map<string, { resolve: (r: SubmitTransactionResponse) => void, reject: (e: Error) => void }>()

  constructor (kind: 'grpc-stream' | 'grpc-unary', conn: GrpcConnection) {
    this.kind = kind
    this.conn = conn
  }

  private async unary<Req, Res> (method: Unary<Req, Res>, target: object, request: Req, options: AttemptOptions): Promise<Res> {
    return await new Promise<Res>((resolve, reject) => {
      const call = method.call(target, request, this.conn.metadata(), { deadline: Date.now() + options.timeoutMs }, (err, res) => {
        options.signal?.removeEventListener('abort', onAbort)
        if (err === null) resolve(res)
        else reject(options.signal?.aborted === true ? options.signal.reason : fromGrpcError(err, this.kind, this.conn))
      }) as { cancel: () => void }
      const onAbort = (): void => { call.cancel() }
      options.signal?.addEventListener('abort', onAbort, { once: true })
    })
  }

  nodeInfo = async (o: AttemptOptions) => this.unary(this.conn.discovery.getNodeInfo, this.conn.discovery, {}, o)
  networkHealth = async (o: AttemptOptions) => this.unary(this.conn.discovery.getNetworkHealth, this.conn.discovery, {}, o)
  listPeers = async (r: ListPeersRequest, o: AttemptOptions) => this.unary(this.conn.discovery.listPeers, this.conn.discovery, r, o)
  getPeer = async (peerId: string, o: AttemptOptions) => this.unary(this.conn.discovery.getPeer, this.conn.discovery, { peerId }, o)
  findPeersForRegister = async (registerId: string, limit: number, o: AttemptOptions, includeDht = false) => this.unary(this.conn.discovery.findPeersForRegister, this.conn.discovery, { registerId, limit, includeDht }, o)
  listTransactions = async (r: ListTransactionsRequest, o: AttemptOptions) => this.unary(this.conn.transactions.listTransactions, this.conn.transactions, r, o)
  ping = async (peerId: string, o: AttemptOptions) => this.unary(this.conn.communication.ping, this.conn.communication, { peerId }, o)
  sendMessage = async (peerId: string, topic: string, payload: Uint8Array, o: AttemptOptions) => this.unary(this.conn.communication.sendMessage, this.conn.communication, { peerId, topic, payload }, o)
  connectivity = async (o: AttemptOptions) => this.unary(this.conn.connectivity.getConnectivity, this.conn.connectivity, {}, o)
  suspend = async (note: string, o: AttemptOptions) => this.unary(this.conn.connectivity.suspend, this.conn.connectivity, { note }, o)
  resume = async (o: AttemptOptions) => this.unary(this.conn.connectivity.resume, this.conn.connectivity, {}, o)
  // Admin (issue 17)
  listConnectedPeers = async (o: AttemptOptions) => this.unary(this.conn.admin.listConnectedPeers, this.conn.admin, {}, o)
  dialPeer = async (multiaddr: string, o: AttemptOptions) => this.unary(this.conn.admin.dialPeer, this.conn.admin, { multiaddr }, o)
  disconnectPeer = async (peerId: string, o: AttemptOptions) => this.unary(this.conn.admin.disconnectPeer, this.conn.admin, { peerId }, o)
  banPeer = async (r: BanPeerRequest, o: AttemptOptions) => this.unary(this.conn.admin.banPeer, this.conn.admin, r, o)
  unbanPeer = async (peerId: string, o: AttemptOptions) => this.unary(this.conn.admin.unbanPeer, this.conn.admin, { peerId }, o)
  updateServedRegisters = async (r: UpdateServedRegistersRequest, o: AttemptOptions) => this.unary(this.conn.admin.updateServedRegisters, this.conn.admin, r, o)
  getLogLevels = async (o: AttemptOptions) => this.unary(this.conn.admin.getLogLevels, this.conn.admin, {}, o)
  setLogLevel = async (r: SetLogLevelRequest, o: AttemptOptions) => this.unary(this.conn.admin.setLogLevel, this.conn.admin, r, o)
  adminNodeInfo = async (o: AttemptOptions) => this.unary(this.conn.admin.getAdminNodeInfo, this.conn.admin, {}, o)
  stats = async (o: AttemptOptions) => this.unary(this.conn.admin.getStats, this.conn.admin, {}, o)

  watchConnectivity (options: { signal: AbortSignal }): AsyncIterable<ConnectivityUpdate> {
    return this.serverStream(this.conn.connectivity.watchConnectivity({}, this.conn.metadata()), options.signal)
  }

  // Events (issue 17)
  listEvents = async (r: ListEventsRequest, o: AttemptOptions) => this.unary(this.conn.events.listEvents, this.conn.events, r, o)

  followEvents (request: FollowEventsRequest, options: { signal: AbortSignal }): AsyncIterable<Event> {
    return this.serverStream(this.conn.events.followEvents(request, this.conn.metadata()), options.signal)
  }

  async submit (request: SubmitTransactionRequest, options: AttemptOptions): Promise<SubmitTransactionResponse> {
    if (this.kind === 'grpc-unary') return this.unary(this.conn.transactions.submitTransaction, this.conn.transactions, request, options)
    const stream = this.openSubmitStream()
    const clientRef = randomBytes(8).toString('hex')
    return await new Promise<SubmitTransactionResponse>((resolve, reject) => {
      const timer = setTimeout(() => { settle(new DeadlineExceededError('deadline', 'no acknowledgement before the deadline')) }, options.timeoutMs)
      const onAbort = (): void => { settle(options.signal?.reason as Error) }
      const settle = (err: Error | undefined, res?: SubmitTransactionResponse): void => {
        if (!this.pending.delete(clientRef)) return
        clearTimeout(timer)
        options.signal?.removeEventListener('abort', onAbort)
        if (err === undefined && res !== undefined) resolve(res)
        else reject(err)
      }
      this.pending.set(clientRef, { resolve: res => { settle(undefined, res) }, reject: err => { settle(err) } })
      options.signal?.addEventListener('abort', onAbort, { once: true })
      stream.write({ clientRef, transaction: request })
    })
  }

  private openSubmitStream (): ClientDuplexStream<SubmitStreamRequest, SubmitAck> {
    if (this.submitStream !== undefined) return this.submitStream
    const stream = this.conn.transactions.submitStream(this.conn.metadata())
    const fail = (err: Error): void => {
      if (this.submitStream === stream) this.submitStream = undefined
      for (const entry of [...this.pending.values()]) entry.reject(err)
    }
    stream.on('data', (ack: SubmitAck) => {
      const entry = this.pending.get(ack.clientRef)
      if (entry === undefined) return
      if (ack.error !== undefined) entry.reject(apiError(asCodeName(ack.error.code), ack.error.reason, ack.error.message))
      else if (ack.result !== undefined) entry.resolve(ack.result)
      else entry.reject(new InternalError('empty_ack', 'the server sent an empty acknowledgement'))
    })
    stream.on('error', err => { fail(fromGrpcError(err, this.kind, this.conn)) })
    stream.on('end', () => { fail(new TransportFailedError(this.kind, 'closed', { address: this.conn.address, tls: this.conn.tls, detail: 'the submit stream ended' })) })
    this.submitStream = stream
    return stream
  }

  async getTransaction (txId: string, options: AttemptOptions): Promise<FetchedTransaction> {
    let header: FetchedTransaction['header'] | undefined
    const chunks: Uint8Array[] = []
    for await (const part of this.serverStream<GetTransactionResponse>(this.conn.transactions.getTransaction({ txId, chunkBytes: 0 }, this.conn.metadata(), { deadline: Date.now() + options.timeoutMs }), options.signal)) {
      if (part.header !== undefined) header = part.header
      else if (part.chunk !== undefined) chunks.push(part.chunk.data)
    }
    if (header === undefined) throw new InternalError('no_header', 'the server sent no transaction header')
    return { header, payload: Buffer.concat(chunks) }
  }

  receiveMessages (topics: string[], options: { signal: AbortSignal }): AsyncIterable<DirectMessage> {
    return this.serverStream(this.conn.communication.receiveMessages({ topics }, this.conn.metadata()), options.signal)
  }

  subscribe (request: SubscribeRequest, options: { signal: AbortSignal }): AsyncIterable<SubscribeResponse> {
    return this.serverStream(this.conn.transactions.subscribe(request, this.conn.metadata()), options.signal)
  }

  private async * serverStream<T> (call: AsyncIterable<unknown> & { cancel: () => void }, signal: AbortSignal | undefined): AsyncGenerator<T> {
    const onAbort = (): void => { call.cancel() }
    signal?.addEventListener('abort', onAbort, { once: true })
    try {
      for await (const item of call) yield item as T
    } catch (err) {
      if (signal?.aborted === true) return
      throw fromGrpcError(err, this.kind, this.conn)
    } finally {
      signal?.removeEventListener('abort', onAbort)
      call.cancel()
    }
  }

  close (): void {
    this.submitStream?.end()
    this.submitStream = undefined
  }
}

/** A status name from the wire, UNKNOWN when not one we know. */
export function asCodeName (name: string): GrpcCodeName {
  return Object.hasOwn(GRPC_CODE, name) ? name as GrpcCodeName : 'UNKNOWN'
}
