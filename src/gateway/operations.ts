/**
 * The API operations, once, in the shapes of the generated proto messages. The gRPC server calls
 * them directly; the REST server converts JSON to and from the same messages. Validation, the
 * duplicate rule, upload assembly and chunking live here so both transports behave identically.
 */
import type { ConnectivityReport, ConnectivityUpdate } from '../../protos/gen/sorcha/api/v1/connectivity.ts'
import type { DirectMessage, PingResponse, SendMessageResponse } from '../../protos/gen/sorcha/api/v1/peer_communication.ts'
import {
  PeerOrder, type FindPeersForRegisterResponse, type GetPeerResponse, type ListPeersRequest, type ListPeersResponse,
  type NetworkHealth, type NodeInfo
} from '../../protos/gen/sorcha/api/v1/peer_discovery.ts'
import type {
  GetTransactionResponse, ListTransactionsRequest, ListTransactionsResponse, SubmitTransactionRequest, SubmitTransactionResponse,
  SubscribeRequest, SubscribeResponse, TransactionEvent, UploadTransactionRequest
} from '../../protos/gen/sorcha/api/v1/transaction_distribution.ts'
import { TransactionState } from '../../protos/gen/sorcha/api/v1/transaction_distribution.ts'
import type { GatewayBackend, SubscriptionItem, TransactionEventView, TransactionStateName } from './backend.ts'
import {
  DEFAULT_CHUNK_BYTES, DEFAULT_LIST_LIMIT, DEFAULT_PEER_LIMIT, DEFAULT_REGISTER_PEER_LIMIT, MAX_CHUNK_BYTES, MAX_LIST_LIMIT,
  MAX_PEER_LIMIT, MAX_SUBSCRIBE_REGISTERS, MAX_TOPICS, MIN_CHUNK_BYTES
} from './constants.ts'
import { reportMessage, statusMessage, updateMessage } from './connectivity.ts'
import { PEER_ORDER, PEER_STATUS, TRANSACTION_STATE } from './enum-names.ts'
import { AlreadyExistsError, InvalidArgumentError, UnavailableError } from './errors.ts'
import { isCursor } from './journal.ts'
import { checkCount, checkLimit, checkNote, checkPeerId, checkRegisterId, checkSubmission, checkTopic, checkTxId } from './validate.ts'

/** Options of the operations layer. */
export interface OperationsInit {
  backend: GatewayBackend
  /** Largest single message / body; reported in NodeInfo. */
  maxMessageBytes: number
  /** Software version reported in NodeInfo. */
  version: string
}

type Signal = { signal?: AbortSignal }

/** "A (0), B (1)": the names of an enum's values with their numbers, which is what a gRPC request carries. */
const enumValues = (names: readonly string[]): string => names.map((n, i) => `${n} (${i})`).join(', ')

/** Every operation of the app API, transport-neutral. */
export class GatewayOperations {
  readonly backend: GatewayBackend
  readonly maxMessageBytes: number
  private readonly version: string

  constructor (init: OperationsInit) {
    this.backend = init.backend
    this.maxMessageBytes = init.maxMessageBytes
    this.version = init.version
  }

  async nodeInfo (options: Signal = {}): Promise<NodeInfo> {
    // A node without a health monitor still has info: its score is then -1 (documented in the proto).
    const [info, score] = await Promise.all([
      this.backend.nodeInfo(options),
      this.backend.networkHealth(options).then(h => h.score, (err: unknown) => { if (err instanceof UnavailableError) return -1; throw err })
    ])
    return {
      ...info,
      version: info.version === '' ? this.version : info.version,
      uptimeMs: Math.max(0, Date.now() - info.startedAtMs),
      maxMessageBytes: this.maxMessageBytes,
      healthScore: score,
      connectivity: info.connectivity === undefined ? undefined : statusMessage(info.connectivity),
      queue: info.queue
    }
  }

  async connectivity (options: Signal = {}): Promise<ConnectivityReport> {
    return reportMessage(await this.backend.connectivity(options))
  }

  /**
   * Offline mode; answers once the peer connections are closed.
   * @throws InvalidArgumentError invalid_note (over 200 characters, or control characters)
   */
  async suspend (note: string, options: Signal = {}): Promise<ConnectivityReport> {
    return reportMessage(await this.backend.suspend(checkNote(note), options))
  }

  async resume (options: Signal = {}): Promise<ConnectivityReport> {
    return reportMessage(await this.backend.resume(options))
  }

  /** The status, then each transition. Fails before the first item when the node has no connectivity service. */
  watchConnectivity (options: { signal: AbortSignal }): AsyncIterable<ConnectivityUpdate> {
    const updates = this.backend.watchConnectivity(options)
    return (async function * () { for await (const update of updates) yield updateMessage(update) })()
  }

  async networkHealth (options: Signal = {}): Promise<NetworkHealth> {
    return this.backend.networkHealth(options)
  }

  async listPeers (request: ListPeersRequest, options: Signal = {}): Promise<ListPeersResponse> {
    const limit = checkLimit(request.limit, DEFAULT_PEER_LIMIT, MAX_PEER_LIMIT)
    checkCount(request.status, PEER_STATUS.names.length, 'status')
    request.status.forEach((s, i) => {
      if (PEER_STATUS.nameOf(s) === undefined) throw new InvalidArgumentError('invalid_status', `status[${i}] is ${s}, not a PeerStatus; allowed: ${enumValues(PEER_STATUS.names)}`)
    })
    if (PEER_ORDER.nameOf(request.orderBy) === undefined) {
      throw new InvalidArgumentError('invalid_order', `orderBy is ${request.orderBy}, not a PeerOrder; allowed: ${enumValues(PEER_ORDER.names)}`)
    }
    return this.backend.listPeers({
      ...(request.status.length > 0 ? { status: request.status } : {}),
      orderBy: request.orderBy === PeerOrder.PEER_ORDER_SCORE ? 'score' : 'lastSeen',
      direction: request.ascending ? 'asc' : 'desc',
      limit
    }, options)
  }

  async getPeer (peerId: string, options: Signal = {}): Promise<GetPeerResponse> {
    return { peer: await this.backend.getPeer(checkPeerId(peerId), options) }
  }

  async findPeersForRegister (registerId: string, limit: number, options: Signal & { includeDht?: boolean } = {}): Promise<FindPeersForRegisterResponse> {
    const max = checkLimit(limit, DEFAULT_REGISTER_PEER_LIMIT, MAX_PEER_LIMIT)
    return { peers: await this.backend.findPeersForRegister(checkRegisterId(registerId), max, options) }
  }

  async ping (peerId: string, options: Signal = {}): Promise<PingResponse> {
    return { peerId, rttMs: await this.backend.ping(checkPeerId(peerId), options) }
  }

  async sendMessage (peerId: string, topic: string, payload: Uint8Array, options: Signal = {}): Promise<SendMessageResponse> {
    checkPeerId(peerId)
    checkTopic(topic)
    return this.backend.sendMessage(peerId, topic, payload, options)
  }

  /** Validates a topic filter (before a stream starts, so errors are a status, not a broken stream). */
  checkTopics (topics: string[]): string[] {
    checkCount(topics, MAX_TOPICS, 'topics')
    topics.forEach((t, i) => checkTopic(t, `topics[${i}]`))
    return topics
  }

  async * receiveMessages (topics: string[], options: { signal: AbortSignal }): AsyncGenerator<DirectMessage> {
    for await (const m of this.backend.receiveMessages(this.checkTopics(topics), options)) yield m
  }

  async submit (request: SubmitTransactionRequest, options: Signal = {}): Promise<SubmitTransactionResponse> {
    const { submission, txId } = checkSubmission(request, this.backend.maxTransactionBytes)
    const result = await this.backend.submit(submission, options)
    if (result.duplicate && request.rejectDuplicate) throw new AlreadyExistsError('duplicate', `transaction ${txId} is already known`)
    return { txId: result.txId, duplicate: result.duplicate, sizeBytes: submission.payload.byteLength, state: stateOf(result.state) }
  }

  /**
   * Assembles a chunked upload (a header, then chunks in order) and submits it.
   * @throws InvalidArgumentError: missing_header, duplicate_header, payload_too_large, size_mismatch
   */
  async upload (parts: AsyncIterable<UploadTransactionRequest>, options: Signal = {}): Promise<SubmitTransactionResponse> {
    let buffer: Uint8Array | undefined
    let header: NonNullable<UploadTransactionRequest['header']> | undefined
    let received = 0
    for await (const part of parts) {
      if (part.header !== undefined) {
        if (header !== undefined) throw new InvalidArgumentError('duplicate_header', 'an upload has exactly one header, first')
        header = part.header
        checkRegisterId(header.registerId)
        if (header.sizeBytes > this.backend.maxTransactionBytes) {
          throw new InvalidArgumentError('payload_too_large', `sizeBytes ${header.sizeBytes} exceeds the most this node accepts (${this.backend.maxTransactionBytes})`)
        }
        buffer = new Uint8Array(header.sizeBytes)
        continue
      }
      const chunk = part.chunk
      if (header === undefined || buffer === undefined) throw new InvalidArgumentError('missing_header', 'an upload starts with its header')
      if (chunk === undefined) throw new InvalidArgumentError('empty_part', 'each upload message holds a header or a chunk')
      if (received + chunk.byteLength > buffer.byteLength) throw new InvalidArgumentError('size_mismatch', `upload exceeds the announced ${buffer.byteLength} bytes`)
      buffer.set(chunk, received)
      received += chunk.byteLength
    }
    if (header === undefined || buffer === undefined) throw new InvalidArgumentError('missing_header', 'an upload starts with its header')
    if (received !== buffer.byteLength) throw new InvalidArgumentError('size_mismatch', `upload ended after ${received} of ${buffer.byteLength} bytes`)
    return this.submit({ registerId: header.registerId, payload: buffer, contentType: header.contentType, expectedTxId: header.expectedTxId, rejectDuplicate: header.rejectDuplicate }, options)
  }

  /** Checks a chunk size: 0 = default. */
  chunkBytes (value: number): number {
    if (value === 0) return DEFAULT_CHUNK_BYTES
    if (!Number.isSafeInteger(value) || value < MIN_CHUNK_BYTES || value > MAX_CHUNK_BYTES) {
      throw new InvalidArgumentError('invalid_chunk_size', `chunkBytes must be 0 or from ${MIN_CHUNK_BYTES} to ${MAX_CHUNK_BYTES}`)
    }
    return value
  }

  /** A header, then the payload in chunks. Resolves the transaction before the first item. */
  async getTransaction (txId: string, chunkBytes: number, options: Signal = {}): Promise<AsyncIterable<GetTransactionResponse>> {
    const size = this.chunkBytes(chunkBytes)
    const stored = await this.backend.getTransaction(checkTxId(txId), options)
    const { meta } = stored
    async function * parts (): AsyncGenerator<GetTransactionResponse> {
      yield {
        header: {
          txId: meta.txId, registerId: meta.registerId, sender: meta.sender, timestampMs: meta.timestampMs,
          sizeBytes: meta.sizeBytes, contentType: meta.contentType, totalChunks: Math.ceil(meta.sizeBytes / size), state: stateOf(stored.state)
        }
      }
      let index = 0
      for await (const data of stored.read(size, options)) yield { chunk: { index: index++, data } }
    }
    return parts()
  }

  /** Validates a register filter and a cursor (before a stream starts, so errors are a status). */
  private checkFilter (registerIds: string[], cursor: string, field: string): void {
    checkCount(registerIds, MAX_SUBSCRIBE_REGISTERS, 'registerIds')
    registerIds.forEach((r, i) => checkRegisterId(r, `registerIds[${i}]`))
    if (cursor !== '' && !isCursor(cursor)) throw new InvalidArgumentError('invalid_cursor', field === 'cursor' ? 'cursor is not one this API issued' : `${field} is not a cursor this API issued`)
  }

  /** Validates a subscription request (before the stream starts). */
  checkSubscription (request: SubscribeRequest): SubscribeRequest {
    this.checkFilter(request.registerIds, request.cursor, 'cursor')
    return request
  }

  /**
   * The subscription's events. Throws at once, before any event, for a request or a cursor it cannot
   * serve (INVALID_ARGUMENT, OUT_OF_RANGE), so REST can answer with a problem instead of a stream.
   */
  subscribe (request: SubscribeRequest, options: { signal: AbortSignal }): AsyncIterable<SubscribeResponse> {
    const checked = this.checkSubscription(request)
    const items = this.backend.subscribe({ registerIds: checked.registerIds, cursor: checked.cursor, includePayload: checked.includePayload }, options)
    return (async function * () {
      for await (const item of items) yield toSubscribeResponse(item)
    })()
  }

  async listTransactions (request: ListTransactionsRequest, options: Signal = {}): Promise<ListTransactionsResponse> {
    const limit = checkLimit(request.limit, DEFAULT_LIST_LIMIT, MAX_LIST_LIMIT)
    this.checkFilter(request.registerIds, request.since, 'since')
    const page = await this.backend.listTransactions({ registerIds: request.registerIds, since: request.since, limit }, options)
    return { transactions: page.events.map(toTransactionEvent), nextCursor: page.nextCursor, more: page.more }
  }
}

/** A journal event as the proto message. */
export function toTransactionEvent (event: TransactionEventView): TransactionEvent {
  const { cursor, meta, payload } = event
  return { cursor, ...meta, payload: payload ?? new Uint8Array(0), payloadIncluded: payload !== undefined }
}

/** A backend state as the proto enum (UNSPECIFIED when the backend keeps none). */
function stateOf (state: TransactionStateName | undefined): TransactionState {
  return state === undefined ? TransactionState.TRANSACTION_STATE_UNSPECIFIED : TRANSACTION_STATE.parse(state) ?? TransactionState.TRANSACTION_STATE_UNSPECIFIED
}

/** A backend subscription item as the proto message. */
export function toSubscribeResponse (item: SubscriptionItem): SubscribeResponse {
  return { transaction: toTransactionEvent(item.event) }
}
