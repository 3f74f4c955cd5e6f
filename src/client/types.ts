/** Types of the client library: endpoints, options, and the transport interface. */
import type {
  AdminNodeInfo, BanPeerRequest, BanPeerResponse, DialPeerResponse, DisconnectPeerResponse, ListConnectedPeersResponse, LogLevels, NodeStats,
  ServedRegisters, SetLogLevelRequest, UnbanPeerResponse, UpdateServedRegistersRequest
} from '../../protos/gen/sorcha/api/v1/admin.ts'
import type { ConnectivityReport, ConnectivityUpdate } from '../../protos/gen/sorcha/api/v1/connectivity.ts'
import type { Event, FollowEventsRequest, ListEventsRequest, ListEventsResponse } from '../../protos/gen/sorcha/api/v1/events.ts'
import type { DirectMessage, PingResponse, SendMessageResponse } from '../../protos/gen/sorcha/api/v1/peer_communication.ts'
import type {
  FindPeersForRegisterResponse, GetPeerResponse, ListPeersRequest, ListPeersResponse, NetworkHealth, NodeInfo
} from '../../protos/gen/sorcha/api/v1/peer_discovery.ts'
import type {
  ListTransactionsRequest, ListTransactionsResponse, SubmitTransactionRequest, SubmitTransactionResponse, SubscribeRequest,
  SubscribeResponse, TransactionHeader
} from '../../protos/gen/sorcha/api/v1/transaction_distribution.ts'

/** The transports, best first. */
export const TRANSPORTS = ['grpc-stream', 'grpc-unary', 'rest'] as const

/** A transport kind. */
export type TransportKind = typeof TRANSPORTS[number]

/** One node's API addresses. */
export interface Endpoint {
  /** host:port of the gRPC server. */
  grpc?: string
  /** Base URL of the REST server, e.g. https://127.0.0.1:4280 */
  rest?: string
}

/** TLS for both transports (PEM). */
export interface ClientTls {
  /** CA bundle that the server certificate must chain to. */
  ca?: Buffer | string
  /** Client certificate and key, for mutual TLS. */
  cert?: Buffer | string
  key?: Buffer | string
}

/** Options per call. */
export interface ClientCallOptions {
  signal?: AbortSignal
  /** Per-attempt deadline. @default ClientOptions.timeoutMs */
  timeoutMs?: number
}

/** A stored transaction, whole. */
export interface FetchedTransaction {
  header: TransactionHeader
  payload: Uint8Array
}

/** Input of submit. */
export type SubmitInput = Pick<SubmitTransactionRequest, 'registerId' | 'payload'> & Partial<Pick<SubmitTransactionRequest, 'contentType' | 'expectedTxId' | 'rejectDuplicate'>>

/** What a transport does; one instance per endpoint and kind, reused across calls. */
export interface Transport {
  readonly kind: TransportKind
  nodeInfo: (options: AttemptOptions) => Promise<NodeInfo>
  networkHealth: (options: AttemptOptions) => Promise<NetworkHealth>
  listPeers: (request: ListPeersRequest, options: AttemptOptions) => Promise<ListPeersResponse>
  getPeer: (peerId: string, options: AttemptOptions) => Promise<GetPeerResponse>
  findPeersForRegister: (registerId: string, limit: number, options: AttemptOptions, includeDht?: boolean) => Promise<FindPeersForRegisterResponse>
  ping: (peerId: string, options: AttemptOptions) => Promise<PingResponse>
  sendMessage: (peerId: string, topic: string, payload: Uint8Array, options: AttemptOptions) => Promise<SendMessageResponse>
  receiveMessages: (topics: string[], options: { signal: AbortSignal }) => AsyncIterable<DirectMessage>
  submit: (request: SubmitTransactionRequest, options: AttemptOptions) => Promise<SubmitTransactionResponse>
  getTransaction: (txId: string, options: AttemptOptions) => Promise<FetchedTransaction>
  subscribe: (request: SubscribeRequest, options: { signal: AbortSignal }) => AsyncIterable<SubscribeResponse>
  connectivity: (options: AttemptOptions) => Promise<ConnectivityReport>
  suspend: (note: string, options: AttemptOptions) => Promise<ConnectivityReport>
  resume: (options: AttemptOptions) => Promise<ConnectivityReport>
  watchConnectivity: (options: { signal: AbortSignal }) => AsyncIterable<ConnectivityUpdate>
  listTransactions: (request: ListTransactionsRequest, options: AttemptOptions) => Promise<ListTransactionsResponse>
  // Events (issue 17)
  listEvents: (request: ListEventsRequest, options: AttemptOptions) => Promise<ListEventsResponse>
  followEvents: (request: FollowEventsRequest, options: { signal: AbortSignal }) => AsyncIterable<Event>
  // Admin (issue 17)
  listConnectedPeers: (options: AttemptOptions) => Promise<ListConnectedPeersResponse>
  dialPeer: (multiaddr: string, options: AttemptOptions) => Promise<DialPeerResponse>
  disconnectPeer: (peerId: string, options: AttemptOptions) => Promise<DisconnectPeerResponse>
  banPeer: (request: BanPeerRequest, options: AttemptOptions) => Promise<BanPeerResponse>
  unbanPeer: (peerId: string, options: AttemptOptions) => Promise<UnbanPeerResponse>
  updateServedRegisters: (request: UpdateServedRegistersRequest, options: AttemptOptions) => Promise<ServedRegisters>
  getLogLevels: (options: AttemptOptions) => Promise<LogLevels>
  setLogLevel: (request: SetLogLevelRequest, options: AttemptOptions) => Promise<LogLevels>
  adminNodeInfo: (options: AttemptOptions) => Promise<AdminNodeInfo>
  stats: (options: AttemptOptions) => Promise<NodeStats>
  close: () => void
}

/** Options of one attempt on one transport. */
export interface AttemptOptions {
  signal?: AbortSignal
  timeoutMs: number
}
