/**
 * SorchaClient: one API over three transports, tried in order gRPC stream -> gRPC unary -> REST.
 *
 * - Negotiation: the first call on an endpoint tries the transports in order; the first that carries
 *   it is cached as the endpoint's protocol. A TransportFailedError later steps down again.
 * - Upgrade: while an endpoint runs below its best transport, a call made at least
 *   `upgradeIntervalMs` after the last try probes the better transports (GetNodeInfo) in the
 *   background and switches up when one answers. No timers run while the client is idle.
 * - Retries with exponential backoff (cockatiel) for idempotent calls (everything but sendMessage
 *   and ping): submit is idempotent because the tx id is the payload's hash. Only transient failures
 *   are retried: a certificate the client does not trust or a port without the API fails at once.
 * - A circuit breaker per endpoint (cockatiel ConsecutiveBreaker): an endpoint whose transports all
 *   fail `breakerThreshold` times in a row is skipped until it half-opens.
 * - Connections are reused: one gRPC channel and one keep-alive HTTP agent per endpoint.
 */
import { BrokenCircuitError, circuitBreaker, ConsecutiveBreaker, ExponentialBackoff, handleWhen, retry, type CircuitBreakerPolicy } from 'cockatiel'
import type {
  AdminNodeInfo, BanPeerResponse, DialPeerResponse, DisconnectPeerResponse, ListConnectedPeersResponse, LogLevels, NodeStats, ServedRegisters, UnbanPeerResponse
} from '../../protos/gen/sorcha/api/v1/admin.ts'
import type { ConnectivityReport, ConnectivityUpdate } from '../../protos/gen/sorcha/api/v1/connectivity.ts'
import { EventFilter, type Event, type ListEventsResponse } from '../../protos/gen/sorcha/api/v1/events.ts'
import type { DirectMessage, PingResponse, SendMessageResponse } from '../../protos/gen/sorcha/api/v1/peer_communication.ts'
import { PeerOrder, type FindPeersForRegisterResponse, type ListPeersRequest, type ListPeersResponse, type NetworkHealth, type NodeInfo } from '../../protos/gen/sorcha/api/v1/peer_discovery.ts'
import type { ListTransactionsResponse, SubmitTransactionResponse, SubscribeResponse } from '../../protos/gen/sorcha/api/v1/transaction_distribution.ts'
import type { PeerNode } from '../../protocols/models/index.ts'
import { ApiError } from '../gateway/errors.ts'
import { describeFailures } from './describe.ts'
import { NoTransportError, TransportFailedError, type FailureKind } from './errors.ts'
import { GrpcConnection, GrpcTransport } from './grpc-transport.ts'
import { RestTransport } from './rest-transport.ts'
import { TRANSPORTS, type ClientCallOptions, type ClientTls, type Endpoint, type FetchedTransaction, type SubmitInput, type Transport, type TransportKind } from './types.ts'

/** Options of a client. */
export interface SorchaClientOptions {
  /** One or more nodes; tried in order, skipping those whose breaker is open. */
  endpoints: Endpoint | Endpoint[]
  token?: string
  tls?: ClientTls
  /** Transports to use, in preference order. @default ['grpc-stream', 'grpc-unary', 'rest'] */
  transports?: TransportKind[]
  /** Per-attempt deadline. @default 10_000 */
  timeoutMs?: number
  /** Attempts per idempotent call (1 = no retry). @default 4 */
  maxAttempts?: number
  /** @default 100 */
  retryInitialDelayMs?: number
  /** @default 5_000 */
  retryMaxDelayMs?: number
  /** Consecutive endpoint failures that open its breaker. @default 5 */
  breakerThreshold?: number
  /** @default 10_000 */
  breakerHalfOpenAfterMs?: number
  /** Least time between two upgrade probes of an endpoint. @default 30_000 */
  upgradeIntervalMs?: number
}

/** Which transport and endpoint carry an established stream. */
export interface Established {
  transport: TransportKind
  endpoint: Endpoint
}

interface EndpointState {
  endpoint: Endpoint
  transports: Transport[]
  /** Index into transports of the one in use; -1 before negotiation. */
  current: number
  breaker: CircuitBreakerPolicy
  lastUpgradeMs: number
  upgrading: boolean
  grpc?: GrpcConnection
}

/** Failures that another try may not meet: a node starting, a connection lost, a slow network. */
const TRANSIENT: ReadonlySet<FailureKind> = new Set(['refused', 'timeout', 'closed', 'unreachable', 'other'])

/** Worth another try: a transient transport failure (not a certificate or a wrong port), or an overloaded node. */
const isRetryable = (err: unknown): boolean =>
  (err instanceof NoTransportError && (err.failures.length === 0 || err.failures.some(f => TRANSIENT.has(f.kind)))) ||
  (err instanceof ApiError && (err.code === 'UNAVAILABLE' || err.code === 'RESOURCE_EXHAUSTED'))

/** The client library. */
export class SorchaClient {
  private readonly endpoints: EndpointState[]
  private readonly timeoutMs: number
  private readonly upgradeIntervalMs: number
  private readonly maxAttempts: number
  private readonly backoff: ExponentialBackoff<unknown>
  private readonly retryInitialDelayMs: number
  private readonly retryMaxDelayMs: number

  constructor (options: SorchaClientOptions) {
    const list = Array.isArray(options.endpoints) ? options.endpoints : [options.endpoints]
    if (list.length === 0) throw new TypeError('at least one endpoint is required')
    const kinds = options.transports ?? [...TRANSPORTS]
    this.timeoutMs = options.timeoutMs ?? 10_000
    this.upgradeIntervalMs = options.upgradeIntervalMs ?? 30_000
    this.maxAttempts = options.maxAttempts ?? 4
    this.retryInitialDelayMs = options.retryInitialDelayMs ?? 100
    this.retryMaxDelayMs = options.retryMaxDelayMs ?? 5_000
    this.backoff = new ExponentialBackoff({ initialDelay: this.retryInitialDelayMs, maxDelay: this.retryMaxDelayMs })
    this.endpoints = list.map(endpoint => {
      const token = options.token ?? ''
      const grpc = endpoint.grpc === undefined ? undefined : new GrpcConnection(endpoint.grpc, options.tls, token)
      const transports: Transport[] = []
      for (const kind of kinds) {
        if (kind !== 'rest' && grpc !== undefined) transports.push(new GrpcTransport(kind, grpc))
        if (kind === 'rest' && endpoint.rest !== undefined) transports.push(new RestTransport(endpoint.rest, options.tls, token))
      }
      if (transports.length === 0) throw new TypeError('an endpoint needs a grpc address or a rest URL for the chosen transports')
      const breaker = circuitBreaker(handleWhen(err => err instanceof NoTransportError), {
        halfOpenAfter: options.breakerHalfOpenAfterMs ?? 10_000,
        breaker: new ConsecutiveBreaker(options.breakerThreshold ?? 5)
      })
      return { endpoint, transports, current: -1, breaker, lastUpgradeMs: Date.now(), upgrading: false, ...(grpc === undefined ? {} : { grpc }) }
    })
  }

  /** The transport an endpoint uses now (undefined before its first call). */
  protocol (endpointIndex = 0): TransportKind | undefined {
    const state = this.endpoints[endpointIndex]
    return state === undefined || state.current < 0 ? undefined : state.transports[state.current]?.kind
  }

  /** Runs `op` on one endpoint: the cached transport, else each in order; caches what works. */
  private async onEndpoint<T> (state: EndpointState, op: (t: Transport) => Promise<T>): Promise<T> {
    const start = Math.max(0, state.current)
    const failures: TransportFailedError[] = []
    for (let i = start; i < state.transports.length; i++) {
      const transport = state.transports[i] as Transport
      try {
        const result = await op(transport)
        if (state.current !== i) {
          state.current = i
          state.lastUpgradeMs = Date.now()
        }
        this.maybeUpgrade(state)
        return result
      } catch (err) {
        if (!(err instanceof TransportFailedError)) throw err
        failures.push(err)
      }
    }
    state.current = -1 // renegotiate from the best transport next time
    throw noTransport(failures)
  }

  /** In the background, probes the transports better than the current one; switches to the first that answers. */
  private maybeUpgrade (state: EndpointState): void {
    if (state.current <= 0 || state.upgrading || Date.now() - state.lastUpgradeMs < this.upgradeIntervalMs) return
    state.upgrading = true
    state.lastUpgradeMs = Date.now()
    const probe = async (): Promise<void> => {
      for (let i = 0; i < state.current; i++) {
        try {
          await (state.transports[i] as Transport).nodeInfo({ timeoutMs: Math.min(this.timeoutMs, 2_000) })
          state.current = i
          return
        } catch {
          // stay on the current transport
        }
      }
    }
    probe().finally(() => { state.upgrading = false }).catch(() => {})
  }

  /** Runs `op` through the endpoints (breakers), with retries when `idempotent`. */
  private async call<T> (op: (t: Transport, o: { signal?: AbortSignal, timeoutMs: number }) => Promise<T>, options: ClientCallOptions, idempotent = true): Promise<T> {
    const attempt = { timeoutMs: options.timeoutMs ?? this.timeoutMs, ...(options.signal === undefined ? {} : { signal: options.signal }) }
    const once = async (): Promise<T> => {
      const failures: TransportFailedError[] = []
      for (const state of this.endpoints) {
        try {
          return await state.breaker.execute(async () => this.onEndpoint(state, async t => op(t, attempt)))
        } catch (err) {
          if (!(err instanceof NoTransportError || err instanceof BrokenCircuitError)) throw err
          if (err instanceof NoTransportError) failures.push(...err.failures)
        }
      }
      throw failures.length > 0 ? noTransport(failures) : new NoTransportError('every endpoint is failing (circuit open)')
    }
    if (!idempotent || this.maxAttempts <= 1) return once()
    const policy = retry(handleWhen(isRetryable), { maxAttempts: this.maxAttempts - 1, backoff: this.backoff })
    return policy.execute(async () => once(), options.signal)
  }

  async nodeInfo (options: ClientCallOptions = {}): Promise<NodeInfo> {
    return this.call(async (t, o) => t.nodeInfo(o), options)
  }

  async networkHealth (options: ClientCallOptions = {}): Promise<NetworkHealth> {
    return this.call(async (t, o) => t.networkHealth(o), options)
  }

  async listPeers (query: Partial<ListPeersRequest> = {}, options: ClientCallOptions = {}): Promise<ListPeersResponse> {
    const request: ListPeersRequest = { status: query.status ?? [], orderBy: query.orderBy ?? PeerOrder.PEER_ORDER_UNSPECIFIED, ascending: query.ascending ?? false, limit: query.limit ?? 0 }
    return this.call(async (t, o) => t.listPeers(request, o), options)
  }

  async getPeer (peerId: string, options: ClientCallOptions = {}): Promise<PeerNode | undefined> {
    return (await this.call(async (t, o) => t.getPeer(peerId, o), options)).peer
  }

  /** Peers serving a register; `includeDht` also asks the DHT for the register's providers (slower). */
  async findPeersForRegister (registerId: string, limit = 0, options: ClientCallOptions & { includeDht?: boolean } = {}): Promise<FindPeersForRegisterResponse> {
    return this.call(async (t, o) => t.findPeersForRegister(registerId, limit, o, options.includeDht === true), options)
  }

  async ping (peerId: string, options: ClientCallOptions = {}): Promise<PingResponse> {
    return this.call(async (t, o) => t.ping(peerId, o), options, false)
  }

  async sendMessage (peerId: string, topic: string, payload: Uint8Array, options: ClientCallOptions = {}): Promise<SendMessageResponse> {
    return this.call(async (t, o) => t.sendMessage(peerId, topic, payload, o), options, false)
  }

  async submit (input: SubmitInput, options: ClientCallOptions = {}): Promise<SubmitTransactionResponse> {
    const request = { contentType: '', expectedTxId: '', rejectDuplicate: false, ...input }
    return this.call(async (t, o) => t.submit(request, o), options)
  }

  async getTransaction (txId: string, options: ClientCallOptions = {}): Promise<FetchedTransaction> {
    return this.call(async (t, o) => t.getTransaction(txId, o), options)
  }

  /**
   * Transactions the node stored after `since` (a cursor; none = from the oldest it holds), oldest
   * first, at most `limit` (0 = the server's default, 100). Pass `nextCursor` as `since` for the next
   * page; `more` says whether to ask again at once. CursorExpiredError / UnknownCursorError
   * (OUT_OF_RANGE, with `oldestCursor`) when the node can no longer list from `since`.
   */
  async listTransactions (query: { registerIds?: string[], since?: string, limit?: number } = {}, options: ClientCallOptions = {}): Promise<ListTransactionsResponse> {
    const request = { registerIds: query.registerIds ?? [], since: query.since ?? '', limit: query.limit ?? 0 }
    return this.call(async (t, o) => t.listTransactions(request, o), options)
  }

  /**
   * Follows transactions. When the stream breaks (node restart, transport failure) it reconnects,
   * through negotiation again, and resumes after the last cursor it delivered: each transaction
   * once, none missed. If the node can no longer resume there (its journal dropped them, or it is
   * another node's journal), the stream fails with CursorExpiredError or UnknownCursorError, whose
   * `oldestCursor` says where the node's journal starts. `onEstablished` is called each time the
   * subscription is (re)established, with the transport and endpoint that carry it.
   */
  async * subscribe (request: { registerIds?: string[], cursor?: string, includePayload?: boolean } = {}, options: { signal?: AbortSignal, onEstablished?: (via: Established) => void } = {}): AsyncGenerator<SubscribeResponse> {
    let cursor = request.cursor ?? ''
    const controller = new AbortController()
    const signal = options.signal === undefined ? controller.signal : AbortSignal.any([options.signal, controller.signal])
    try {
      for (let failures = 0; !signal.aborted;) {
        let via: Established | undefined
        const stream = await this.call(async (t, _o) => {
          const established = await firstItem(t.subscribe({ registerIds: request.registerIds ?? [], cursor, includePayload: request.includePayload ?? false }, { signal }))
          via = { transport: t.kind, endpoint: this.endpoints.find(e => e.transports.includes(t))?.endpoint ?? {} }
          return established
        }, { signal })
        if (via !== undefined) options.onEstablished?.(via)
        try {
          for await (const item of stream) {
            failures = 0
            if (item.transaction !== undefined) cursor = item.transaction.cursor
            yield item
          }
          return
        } catch (err) {
          if (signal.aborted) return
          if (!(err instanceof TransportFailedError) && !isRetryable(err)) throw err
          await sleep(Math.min(this.retryMaxDelayMs, this.retryInitialDelayMs * 2 ** failures++), signal)
        }
      }
    } finally {
      controller.abort()
    }
  }

  /** Direct messages received by the node, as a stream (no resume: messages are not journaled). */
  async * receiveMessages (topics: string[] = [], options: { signal?: AbortSignal } = {}): AsyncGenerator<DirectMessage> {
    const controller = new AbortController()
    const signal = options.signal === undefined ? controller.signal : AbortSignal.any([options.signal, controller.signal])
    try {
      const stream = await this.call(async t => firstItem(t.receiveMessages(topics, { signal })), { signal })
      yield * stream
    } finally {
      controller.abort()
    }
  }

  /** The node's connectivity state (offline, connecting, online, degraded, suspended), why and since when, and the last transitions. */
  async connectivity (options: ClientCallOptions = {}): Promise<ConnectivityReport> {
    return this.call(async (t, o) => t.connectivity(o), options)
  }

  /**
   * Offline mode: the node closes its peer connections, refuses new ones and pauses health checks and
   * discovery, until resume(), across restarts. Resolves once the connections are closed.
   * @param note why, in the operator's words (at most 200 characters, no control characters)
   */
  async suspend (note = '', options: ClientCallOptions = {}): Promise<ConnectivityReport> {
    return this.call(async (t, o) => t.suspend(note, o), options)
  }

  /** Leaves offline mode: the node dials its peers again at once. */
  async resume (options: ClientCallOptions = {}): Promise<ConnectivityReport> {
    return this.call(async (t, o) => t.resume(o), options)
  }

  /** The connectivity status, then every transition as it happens (no resume after a break: watch again). */
  async * watchConnectivity (options: { signal?: AbortSignal } = {}): AsyncGenerator<ConnectivityUpdate> {
    const controller = new AbortController()
    const signal = options.signal === undefined ? controller.signal : AbortSignal.any([options.signal, controller.signal])
    try {
      const stream = await this.call(async t => firstItem(t.watchConnectivity({ signal })), { signal })
      yield * stream
    } finally {
      controller.abort()
    }
  }

  // Events (issue 17)
  /**
   * A page of the node's event log (docs/events.md): filters (types, peerId, txId, sinceMs, untilMs),
   * oldest first or newest first; continue with `cursor: page.nextCursor` while `page.more`.
   */
  async listEvents (request: EventListOptions = {}, options: ClientCallOptions = {}): Promise<ListEventsResponse> {
    const { cursor = 0, limit = 0, newestFirst = false, ...filter } = request
    return this.call(async (t, o) => t.listEvents({ filter: EventFilter.fromPartial(filter), cursor, limit, newestFirst }, o), options)
  }

  /**
   * The node's events as they happen, after `cursor` (or every held one with `fromStart`; neither:
   * from now on). No resume after a break: follow again with the last seq as the cursor.
   */
  async * followEvents (request: EventFollowOptions = {}, options: { signal?: AbortSignal } = {}): AsyncGenerator<Event> {
    const { cursor = 0, fromStart = false, ...filter } = request
    const controller = new AbortController()
    const signal = options.signal === undefined ? controller.signal : AbortSignal.any([options.signal, controller.signal])
    try {
      const stream = await this.call(async t => firstItem(t.followEvents({ filter: EventFilter.fromPartial(filter), cursor, fromStart }, { signal })), { signal })
      yield * stream
    } finally {
      controller.abort()
    }
  }

  // Admin (issue 17): the sorcha.api.v1.Admin service (docs/admin.md); refused with PermissionDeniedError
  // on a node whose API listens beyond loopback without a token.

  /** Peers with an open connection: connections (direction, address, streams), latency, protocols, score. */
  async listConnectedPeers (options: ClientCallOptions = {}): Promise<ListConnectedPeersResponse> {
    return this.call(async (t, o) => t.listConnectedPeers(o), options)
  }

  /** Has the node dial a multiaddr; resolves once connected. Not retried. */
  async dialPeer (multiaddr: string, options: ClientCallOptions = {}): Promise<DialPeerResponse> {
    return this.call(async (t, o) => t.dialPeer(multiaddr, o), options, false)
  }

  /** Closes every connection to a peer (NotFoundError peer_not_connected when none is open). Not retried. */
  async disconnectPeer (peerId: string, options: ClientCallOptions = {}): Promise<DisconnectPeerResponse> {
    return this.call(async (t, o) => t.disconnectPeer(peerId, o), options, false)
  }

  /** Bans a peer (persisted) and closes its connections; durationMs 0 = until unbanned. */
  async banPeer (peerId: string, ban: { reason?: string, durationMs?: number } = {}, options: ClientCallOptions = {}): Promise<BanPeerResponse> {
    return this.call(async (t, o) => t.banPeer({ peerId, reason: ban.reason ?? '', durationMs: ban.durationMs ?? 0 }, o), options)
  }

  /** Serves more registers and stops serving others (InvalidArgumentError invalid_register_id); answers the served set. */
  async updateServedRegisters (change: { follow?: string[], unfollow?: string[] }, options: ClientCallOptions = {}): Promise<ServedRegisters> {
    return this.call(async (t, o) => t.updateServedRegisters({ follow: change.follow ?? [], unfollow: change.unfollow ?? [] }, o), options)
  }

  /** Lifts a ban (NotFoundError peer_not_banned when the peer is not banned). Not retried. */
  async unbanPeer (peerId: string, options: ClientCallOptions = {}): Promise<UnbanPeerResponse> {
    return this.call(async (t, o) => t.unbanPeer(peerId, o), options, false)
  }

  /** The node's global log level and each subsystem's own level. */
  async logLevels (options: ClientCallOptions = {}): Promise<LogLevels> {
    return this.call(async (t, o) => t.getLogLevels(o), options)
  }

  /** Sets the global level (no subsystem), or a subsystem's (`sorcha:gossip`); `default` removes a subsystem's own level. */
  async setLogLevel (level: string, subsystem = '', options: ClientCallOptions = {}): Promise<LogLevels> {
    return this.call(async (t, o) => t.setLogLevel({ level, subsystem }, o), options)
  }

  /** Identity, listen and announced addresses, NAT type and reachability, connectivity. */
  async adminNodeInfo (options: ClientCallOptions = {}): Promise<AdminNodeInfo> {
    return this.call(async (t, o) => t.adminNodeInfo(o), options)
  }

  /** Connections, peers, gossip, queue, reconciliation and store figures. */
  async stats (options: ClientCallOptions = {}): Promise<NodeStats> {
    return this.call(async (t, o) => t.stats(o), options)
  }

  /** Closes every connection. */
  close (): void {
    for (const state of this.endpoints) {
      for (const t of state.transports) t.close()
      state.grpc?.close()
    }
  }
}

/** The failures of every transport tried, as one error whose message has one line per cause, `; `-separated. */
function noTransport (failures: TransportFailedError[]): NoTransportError {
  return new NoTransportError(describeFailures(failures, 'library').join('; '), failures)
}

/**
 * Starts a stream and waits until it is established (its first item, or its end), so a transport
 * that cannot carry it fails inside the negotiation; returns a stream that replays that item.
 */
async function firstItem<T> (stream: AsyncIterable<T>): Promise<AsyncIterable<T>> {
  const iterator = stream[Symbol.asyncIterator]()
  const first = iterator.next()
  // Server streams send nothing until an event happens; treat "no failure within a moment" as established.
  const settled = await Promise.race([first.then(() => true), sleep(ESTABLISH_MS).then(() => false)])
  if (settled) await first // throws the transport failure, if that is what came
  return {
    [Symbol.asyncIterator]: () => {
      let replayed = false
      return {
        next: async () => { if (!replayed) { replayed = true; return first } return iterator.next() },
        return: async () => iterator.return?.() ?? { done: true, value: undefined }
      }
    }
  }
}

/** How long a fresh stream must stay unbroken to count as established. */
const ESTABLISH_MS = 500

async function sleep (ms: number, signal?: AbortSignal): Promise<void> {
  await new Promise<void>(resolve => {
    const timer = setTimeout(done, ms)
    function done (): void { clearTimeout(timer); signal?.removeEventListener('abort', done); resolve() }
    signal?.addEventListener('abort', done, { once: true })
  })
}

/** The filter of listEvents and followEvents (every field optional). */
export interface EventFilterOptions {
  /** Any of these event types (peer_connected, peer_banned, tx_received...). */
  types?: string[]
  peerId?: string
  txId?: string
  /** At or after this time (unix epoch ms). */
  sinceMs?: number
  /** Before this time (unix epoch ms). */
  untilMs?: number
}

/** Options of listEvents. */
export interface EventListOptions extends EventFilterOptions {
  /** A nextCursor of the previous page. */
  cursor?: number
  /** 0 = the server's default (100); at most 1000. */
  limit?: number
  newestFirst?: boolean
}

/** Options of followEvents. */
export interface EventFollowOptions extends EventFilterOptions {
  /** Replay held events after this seq first. */
  cursor?: number
  /** Replay every held event first. */
  fromStart?: boolean
}
