/**
 * The REST routes under /v1: the same operations as the gRPC services, with JSON Schema validation
 * of every request, response schemas derived from the protos, and SSE for the two streams. Each
 * route's tags name its gRPC service; `operationId` names the RPC it mirrors.
 */
import { Readable } from 'node:stream'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { PeerStatus } from '../../../protocols/models/index.ts'
import { PeerOrder } from '../../../protos/gen/sorcha/api/v1/peer_discovery.ts'
import type { SubmitTransactionRequest } from '../../../protos/gen/sorcha/api/v1/transaction_distribution.ts'
import pLimit from 'p-limit'
import { INLINE_PAYLOAD_MAX_BYTES, STREAM_IN_FLIGHT_MAX } from '../constants.ts'
import { PEER_ORDER, PEER_STATUS } from '../enum-names.ts'
import { itemError } from '../grpc/handlers.ts'
import type { GatewayOperations } from '../operations.ts'
import { toRestJson } from './proto-json.ts'
import * as S from './request-schemas.ts'
import { streamSse, type SseEvent } from './sse.ts'
import { decodeBase64, valueValidator } from './validation.ts'

/** What the routes need beyond the operations. */
export interface RouteContext {
  ops: GatewayOperations
  /** Takes a stream slot or throws RESOURCE_EXHAUSTED; returns its release function. */
  openStream: () => () => void
  /** Fires when the server shuts down. */
  stopping: AbortSignal
  /** Takes a rate-limit token for one item of a batch, or throws RESOURCE_EXHAUSTED. */
  takeItem: (request: FastifyRequest) => void
}

const API = 'sorcha.api.v1.'
const ERRORS = {
  '4XX': { description: 'Problem (RFC 9457); code = gRPC status name', content: { 'application/problem+json': { schema: { $ref: 'Problem#' } } } },
  '5XX': { description: 'Problem (RFC 9457); code = gRPC status name', content: { 'application/problem+json': { schema: { $ref: 'Problem#' } } } }
}
const ok = (type: string, description: string, code = 200): Record<string, unknown> => ({ [code]: { description, content: { 'application/json': { schema: { $ref: `${type}#` } } } }, ...ERRORS })
const SSE = (description: string): Record<string, unknown> => ({ 200: { description, content: { 'text/event-stream': { schema: { type: 'string' } } } }, ...ERRORS })

/** A submission body (SubmitTransactionInput, already schema-checked) as the proto request; `at` prefixes field names in errors. */
function submission (body: SubmissionBody, at = ''): SubmitTransactionRequest {
  return {
    registerId: body.registerId,
    payload: decodeBase64(body.payload, `${at}payload`),
    contentType: body.contentType ?? '',
    expectedTxId: body.expectedTxId ?? '',
    rejectDuplicate: body.rejectDuplicate ?? false
  }
}

interface SubmissionBody { registerId: string, payload: string, contentType?: string, expectedTxId?: string, rejectDuplicate?: boolean }

type Req<P = unknown, Q = unknown, B = unknown> = FastifyRequest<{ Params: P, Querystring: Q, Body: B }>

/** Registers the discovery and communication routes. */
export function peerRoutes (app: FastifyInstance, ctx: RouteContext): void {
  const { ops } = ctx
  const signal = (request: FastifyRequest): AbortSignal => (request as unknown as { sorchaSignal: AbortSignal }).sorchaSignal
  app.get('/v1/node', { schema: { operationId: 'GetNodeInfo', tags: ['PeerDiscovery'], summary: 'Who this node is, where it listens and what it accepts', response: ok('NodeInfo', 'Node info') } },
    async request => toRestJson(`${API}NodeInfo`, await ops.nodeInfo({ signal: signal(request) })))
  app.get('/v1/health', { schema: { operationId: 'GetNetworkHealth', tags: ['PeerDiscovery'], summary: 'Network health score (0..100) and its inputs', response: ok('NetworkHealth', 'Network health') } },
    async request => toRestJson(`${API}NetworkHealth`, await ops.networkHealth({ signal: signal(request) })))
  app.get('/v1/peers', { schema: { operationId: 'ListPeers', tags: ['PeerDiscovery'], summary: 'Known peers, filtered by status, by last-seen time or score', querystring: S.LIST_PEERS_QUERY, response: ok('ListPeersResponse', 'Peers') } },
    async (request: Req<unknown, { status?: string[], orderBy: string, ascending: boolean, limit: number }>) => {
      const q = request.query
      const result = await ops.listPeers({
        // The schema let through only accepted spellings, so parse finds each one.
        status: (q.status ?? []).map(s => PEER_STATUS.parse(s) as PeerStatus),
        orderBy: PEER_ORDER.parse(q.orderBy) ?? PeerOrder.PEER_ORDER_UNSPECIFIED,
        ascending: q.ascending,
        limit: q.limit
      }, { signal: signal(request) })
      return toRestJson(`${API}ListPeersResponse`, result)
    })
  app.get('/v1/peers/:peerId', { schema: { operationId: 'GetPeer', tags: ['PeerDiscovery'], summary: 'One known peer', params: S.PEER_PARAMS, response: ok('GetPeerResponse', 'The peer') } },
    async (request: Req<{ peerId: string }>) => toRestJson(`${API}GetPeerResponse`, await ops.getPeer(request.params.peerId, { signal: signal(request) })))
  app.get('/v1/registers/:registerId/peers', { schema: { operationId: 'FindPeersForRegister', tags: ['PeerDiscovery'], summary: 'Known peers serving a register, best first', params: S.REGISTER_PARAMS, querystring: S.LIMIT_QUERY, response: ok('FindPeersForRegisterResponse', 'Peers serving the register') } },
    async (request: Req<{ registerId: string }, { limit: number, includeDht: boolean }>) =>
      toRestJson(`${API}FindPeersForRegisterResponse`, await ops.findPeersForRegister(request.params.registerId, request.query.limit, { signal: signal(request), includeDht: request.query.includeDht })))
  app.post('/v1/peers/:peerId/ping', { schema: { operationId: 'Ping', tags: ['PeerCommunication'], summary: 'Round trip to a peer over libp2p', params: S.PEER_PARAMS, response: ok('PingResponse', 'Round-trip time') } },
    async (request: Req<{ peerId: string }>) => toRestJson(`${API}PingResponse`, await ops.ping(request.params.peerId, { signal: signal(request) })))
  app.post('/v1/peers/:peerId/messages', { schema: { operationId: 'SendMessage', tags: ['PeerCommunication'], summary: 'Send a direct message and wait for the acknowledgement', params: S.PEER_PARAMS, body: S.SEND_MESSAGE_BODY, response: ok('SendMessageResponse', 'Acknowledged') } },
    async (request: Req<{ peerId: string }, unknown, { topic: string, payload: string }>) =>
      toRestJson(`${API}SendMessageResponse`, await ops.sendMessage(request.params.peerId, request.body.topic, decodeBase64(request.body.payload, 'payload'), { signal: signal(request) })))
  app.get('/v1/messages/stream', { schema: { operationId: 'ReceiveMessages', tags: ['PeerCommunication'], summary: 'Server-Sent Events: `message` events, data = DirectMessage JSON', querystring: S.MESSAGES_QUERY, response: SSE('event: message, data: DirectMessage') } },
    async (request: Req<unknown, { topic?: string[] }>, reply) => {
      const topics = ops.checkTopics(request.query.topic ?? [])
      const release = ctx.openStream()
      await streamSse(request, reply, async function * (sig): AsyncGenerator<SseEvent> {
        for await (const m of ops.receiveMessages(topics, { signal: sig })) yield { id: m.messageId, event: 'message', data: toRestJson(`${API}DirectMessage`, m) }
      }, release, ctx.stopping)
    })
}

async function submitResponse (reply: FastifyReply, result: { duplicate: boolean }): Promise<Record<string, unknown>> {
  reply.code(result.duplicate ? 200 : 201)
  return toRestJson(`${API}SubmitTransactionResponse`, result)
}

/** Registers the transaction routes. */
export function transactionRoutes (app: FastifyInstance, ctx: RouteContext): void {
  const { ops } = ctx
  const signal = (request: FastifyRequest): AbortSignal => (request as unknown as { sorchaSignal: AbortSignal }).sorchaSignal
  app.post('/v1/transactions', { schema: { operationId: 'SubmitTransaction', tags: ['TransactionDistribution'], summary: 'Submit a transaction (201 new, 200 duplicate)', body: { $ref: 'SubmitTransactionInput#' }, response: { ...ok('SubmitTransactionResponse', 'Accepted (new)', 201), 200: { description: 'Already known (duplicate)', content: { 'application/json': { schema: { $ref: 'SubmitTransactionResponse#' } } } } } } },
    async (request: Req<unknown, unknown, SubmissionBody>, reply) => submitResponse(reply, await ops.submit(submission(request.body), { signal: signal(request) })))
  // Like SubmitStream: one acknowledgement per item, in order; an item that is not valid, is rate
  // limited or fails gets an error acknowledgement and the others go on. Each item takes a rate-limit
  // token, as each SubmitStream message does; at most STREAM_IN_FLIGHT_MAX are worked on at once.
  const item = valueValidator(S.BATCH_ITEM, [S.SUBMIT_BODY])
  const envelope = valueValidator(S.BATCH_ENVELOPE, [])
  app.post('/v1/transactions/batch', {
    schema: { operationId: 'SubmitStream', tags: ['TransactionDistribution'], summary: 'Submit many transactions; one acknowledgement each, in order, with a per-item error for an item that is not valid or fails (as SubmitStream)', body: S.BATCH_BODY, response: ok('SubmitBatchResponse', 'One acknowledgement per transaction') },
    // The documented schema types each item; the request itself is checked as an envelope, so one bad item cannot fail the batch.
    validatorCompiler: () => (body: unknown) => {
      try {
        envelope.check(body, '')
        return true
      } catch (error) {
        return { error: error as Error }
      }
    }
  }, async (request: Req<unknown, unknown, { transactions: unknown[] }>) => {
    const limit = pLimit(STREAM_IN_FLIGHT_MAX)
    const acks = await Promise.all(request.body.transactions.map(async (raw, i) => limit(async () => {
      const clientRef = typeof (raw as { clientRef?: unknown } | null)?.clientRef === 'string' ? (raw as { clientRef: string }).clientRef : ''
      try {
        ctx.takeItem(request)
        item.check(raw, `transactions[${i}]`)
        const result = await ops.submit(submission((raw as { transaction: SubmissionBody }).transaction, `transactions[${i}].transaction.`), { signal: signal(request) })
        return { clientRef, result, error: undefined }
      } catch (err) {
        return { clientRef, result: undefined, error: itemError(err, 'POST /v1/transactions/batch') }
      }
    })))
    return { acks: acks.map(a => toRestJson(`${API}SubmitAck`, a)) }
  })
  app.register(async scope => {
    scope.addContentTypeParser('application/octet-stream', { parseAs: 'buffer', bodyLimit: ops.backend.maxTransactionBytes }, (_req, body, done) => { done(null, body) })
    scope.post('/v1/transactions/upload', { bodyLimit: ops.backend.maxTransactionBytes, schema: { operationId: 'UploadTransaction', tags: ['TransactionDistribution'], summary: 'Submit a transaction as a raw body (no base64; up to the transaction limit)', querystring: S.UPLOAD_QUERY, body: { content: { 'application/octet-stream': { schema: { description: 'the transaction bytes' } } } }, response: { ...ok('SubmitTransactionResponse', 'Accepted (new)', 201), 200: { description: 'Already known (duplicate)', content: { 'application/json': { schema: { $ref: 'SubmitTransactionResponse#' } } } } } } },
      async (request: Req<unknown, { registerId: string, contentType?: string, expectedTxId?: string, rejectDuplicate: boolean }, Buffer>, reply) => {
        const q = request.query
        const payload = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0)
        return submitResponse(reply, await ops.submit({ registerId: q.registerId, payload, contentType: q.contentType ?? '', expectedTxId: q.expectedTxId ?? '', rejectDuplicate: q.rejectDuplicate }, { signal: signal(request) }))
      })
  })
  app.get('/v1/transactions', { schema: { operationId: 'ListTransactions', tags: ['TransactionDistribution'], summary: 'Transactions stored after `since`, oldest first, a page at a time (for apps that poll); 410 for a cursor older than the retention or from another node', querystring: S.LIST_TRANSACTIONS_QUERY, response: ok('ListTransactionsResponse', 'A page') } },
    async (request: Req<unknown, { registerId?: string[], since?: string, limit: number }>) => {
      const q = request.query
      return toRestJson(`${API}ListTransactionsResponse`, await ops.listTransactions({ registerIds: q.registerId ?? [], since: q.since ?? '', limit: q.limit }, { signal: signal(request) }))
    })
  app.get('/v1/transactions/stream', { schema: { operationId: 'Subscribe', tags: ['TransactionDistribution'], summary: 'Server-Sent Events: `transaction` events (id = cursor). Resumes after `cursor` or Last-Event-ID, also across node restarts; 410 (before the stream) for a cursor older than the retention or from another node', querystring: S.SUBSCRIBE_QUERY, response: SSE('event: transaction, data: TransactionEvent') } },
    async (request: Req<unknown, { registerId?: string[], cursor?: string, includePayload: boolean }>, reply) => {
      const lastEventId = request.headers['last-event-id']
      const cursor = request.query.cursor ?? (typeof lastEventId === 'string' ? lastEventId : '')
      // Subscribing checks the cursor at once, so an expired one is a 410 problem rather than a stream.
      const subscription = new AbortController()
      const items = ops.subscribe({ registerIds: request.query.registerId ?? [], cursor, includePayload: request.query.includePayload }, { signal: subscription.signal })
      const release = ctx.openStream()
      await streamSse(request, reply, async function * (sig): AsyncGenerator<SseEvent> {
        const stop = (): void => { subscription.abort() }
        sig.addEventListener('abort', stop, { once: true })
        try {
          for await (const item of items) {
            if (item.transaction !== undefined) yield { id: item.transaction.cursor, event: 'transaction', data: toRestJson(`${API}TransactionEvent`, item.transaction) }
          }
        } finally {
          sig.removeEventListener('abort', stop)
          subscription.abort()
        }
      }, release, ctx.stopping)
    })
  app.get('/v1/transactions/:txId', { schema: { operationId: 'GetTransaction', tags: ['TransactionDistribution'], summary: `A stored transaction: header, and the payload (base64) when at most ${INLINE_PAYLOAD_MAX_BYTES} bytes`, params: S.TX_PARAMS, response: ok('TransactionResponse', 'The transaction') } },
    async (request: Req<{ txId: string }>) => {
      const parts = await ops.getTransaction(request.params.txId, 0, { signal: signal(request) })
      let header: Record<string, unknown> | undefined
      const chunks: Uint8Array[] = []
      for await (const part of parts) {
        if (part.header !== undefined) {
          header = toRestJson(`${API}TransactionHeader`, part.header)
          if (part.header.sizeBytes > INLINE_PAYLOAD_MAX_BYTES) break
        } else if (part.chunk !== undefined) chunks.push(part.chunk.data)
      }
      const included = header !== undefined && (header.sizeBytes as number) <= INLINE_PAYLOAD_MAX_BYTES
      return { header, payload: included ? Buffer.concat(chunks).toString('base64') : '', payloadIncluded: included }
    })
  app.get('/v1/transactions/:txId/payload', { schema: { operationId: 'GetTransactionPayload', tags: ['TransactionDistribution'], summary: 'The raw payload, streamed, with its content type', params: S.TX_PARAMS, response: { 200: { description: 'the transaction bytes', content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } } }, ...ERRORS } } },
    async (request: Req<{ txId: string }>, reply) => {
      const parts = (await ops.getTransaction(request.params.txId, 0, { signal: signal(request) }))[Symbol.asyncIterator]()
      const first = await parts.next()
      const header = first.done === true ? undefined : first.value.header
      reply.header('x-sorcha-tx-id', request.params.txId).header('content-length', String(header?.sizeBytes ?? 0)).type(header?.contentType ?? 'application/octet-stream')
      return reply.send(Readable.from((async function * () {
        for (let next = await parts.next(); next.done !== true; next = await parts.next()) if (next.value.chunk !== undefined) yield Buffer.from(next.value.chunk.data)
      })()))
    })
}
