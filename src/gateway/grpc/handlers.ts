/** The gRPC implementations of the three API services, over GatewayOperations. */
import type { ServerDuplexStream, UntypedServiceImplementation } from '@grpc/grpc-js'
import type {
  PeerCommunicationServer, SessionRequest, SessionResponse
} from '../../../protos/gen/sorcha/api/v1/peer_communication.ts'
import type { PeerDiscoveryServer } from '../../../protos/gen/sorcha/api/v1/peer_discovery.ts'
import type { ItemError } from '../../../protos/gen/sorcha/api/v1/status.ts'
import type {
  SubmitAck, SubmitStreamRequest, TransactionDistributionServer
} from '../../../protos/gen/sorcha/api/v1/transaction_distribution.ts'
import { InvalidArgumentError } from '../errors.ts'
import { exposedError } from '../expose.ts'
import { STREAM_IN_FLIGHT_MAX } from '../constants.ts'
import type { GatewayOperations } from '../operations.ts'
import { BAD_REQUEST, isBadRequest, type BadRequest, type CallGuard } from './call-context.ts'
import { bidi, clientStream, serialWriter, serverStream, unary } from './wrap.ts'

/** Any error as the per-item error of a stream (internal failures as a fixed message, logged). */
export function itemError (err: unknown, where = 'stream item'): ItemError {
  const api = isBadRequest(err) ? err[BAD_REQUEST] : exposedError(err, where)
  return { code: api.code, reason: api.reason, message: api.message }
}

/** PeerDiscovery over the operations. */
export function discoveryHandlers (ops: GatewayOperations, guard: CallGuard): PeerDiscoveryServer & UntypedServiceImplementation {
  return {
    getNodeInfo: unary(guard, async (_req, signal) => ops.nodeInfo({ signal })),
    getNetworkHealth: unary(guard, async (_req, signal) => ops.networkHealth({ signal })),
    listPeers: unary(guard, async (req, signal) => ops.listPeers(req, { signal })),
    getPeer: unary(guard, async (req, signal) => ops.getPeer(req.peerId, { signal })),
    findPeersForRegister: unary(guard, async (req, signal) => ops.findPeersForRegister(req.registerId, req.limit, { signal, includeDht: req.includeDht }))
  } as PeerDiscoveryServer & UntypedServiceImplementation
}

/** Bounds concurrent work in a stream: pauses reading while `max` items are in flight. */
class InFlight {
  private readonly pending = new Set<Promise<void>>()
  private readonly max: number
  constructor (max: number) { this.max = max }
  async add (work: Promise<void>): Promise<void> {
    const tracked = work.finally(() => { this.pending.delete(tracked) })
    this.pending.add(tracked)
    if (this.pending.size >= this.max) await Promise.race(this.pending)
  }

  async drain (): Promise<void> {
    await Promise.all(this.pending)
  }
}

type SessionCall = ServerDuplexStream<SessionRequest | BadRequest, SessionResponse>

async function runSession (ops: GatewayOperations, guard: CallGuard, call: SessionCall, signal: AbortSignal): Promise<void> {
  const inFlight = new InFlight(STREAM_IN_FLIGHT_MAX)
  const write = serialWriter(call, signal)
  const receiving = new AbortController()
  const stopReceiving = (): void => { receiving.abort() }
  signal.addEventListener('abort', stopReceiving, { once: true })
  let receiver: Promise<void> | undefined
  try {
    for await (const request of call as AsyncIterable<SessionRequest | BadRequest>) {
      if (isBadRequest(request)) {
        await write({ result: { clientRef: '', messageId: '', rttMs: 0, error: itemError(request) } })
      } else if (request.open !== undefined) {
        if (receiver !== undefined) throw new InvalidArgumentError('already_open', 'a session is opened once')
        const topics = ops.checkTopics(request.open.topics)
        receiver = (async () => {
          for await (const message of ops.receiveMessages(topics, { signal: receiving.signal })) await write({ message })
        })()
      } else if (request.send !== undefined) {
        const { clientRef, peerId, topic, payload } = request.send
        await inFlight.add((async () => {
          let response: SessionResponse
          try {
            guard.takeItem(call)
            const sent = await ops.sendMessage(peerId, topic, payload, { signal })
            response = { result: { clientRef, messageId: sent.messageId, rttMs: sent.rttMs, error: undefined } }
          } catch (err) {
            response = { result: { clientRef, messageId: '', rttMs: 0, error: itemError(err) } }
          }
          await write(response)
        })())
      }
    }
    await inFlight.drain()
  } finally {
    stopReceiving()
    signal.removeEventListener('abort', stopReceiving)
    await receiver?.catch(() => {})
  }
}

/** PeerCommunication over the operations. */
export function communicationHandlers (ops: GatewayOperations, guard: CallGuard): PeerCommunicationServer & UntypedServiceImplementation {
  return {
    ping: unary(guard, async (req, signal) => ops.ping(req.peerId, { signal })),
    sendMessage: unary(guard, async (req, signal) => ops.sendMessage(req.peerId, req.topic, req.payload, { signal })),
    receiveMessages: serverStream(guard, (req, signal) => {
      const topics = ops.checkTopics(req.topics)
      return ops.receiveMessages(topics, { signal })
    }),
    session: bidi(guard, async (call: SessionCall, signal) => runSession(ops, guard, call, signal))
  } as PeerCommunicationServer & UntypedServiceImplementation
}

async function ackFor (ops: GatewayOperations, guard: CallGuard, call: ServerDuplexStream<unknown, SubmitAck>, request: SubmitStreamRequest | BadRequest, signal: AbortSignal): Promise<SubmitAck> {
  if (isBadRequest(request)) return { clientRef: '', result: undefined, error: itemError(request) }
  try {
    guard.takeItem(call)
    if (request.transaction === undefined) throw new InvalidArgumentError('missing_transaction', 'each request carries a transaction')
    return { clientRef: request.clientRef, result: await ops.submit(request.transaction, { signal }), error: undefined }
  } catch (err) {
    return { clientRef: request.clientRef, result: undefined, error: itemError(err) }
  }
}

/** TransactionDistribution over the operations. */
export function transactionHandlers (ops: GatewayOperations, guard: CallGuard): TransactionDistributionServer & UntypedServiceImplementation {
  return {
    submitTransaction: unary(guard, async (req, signal) => ops.submit(req, { signal })),
    uploadTransaction: clientStream(guard, async (parts, signal) => ops.upload(parts, { signal })),
    getTransaction: serverStream(guard, async (req, signal) => ops.getTransaction(req.txId, req.chunkBytes, { signal })),
    subscribe: serverStream(guard, (req, signal) => ops.subscribe(req, { signal })),
    listTransactions: unary(guard, async (req, signal) => ops.listTransactions(req, { signal })),
    submitStream: bidi(guard, async (call: ServerDuplexStream<SubmitStreamRequest | BadRequest, SubmitAck>, signal) => {
      const inFlight = new InFlight(STREAM_IN_FLIGHT_MAX)
      const write = serialWriter(call, signal)
      for await (const request of call as AsyncIterable<SubmitStreamRequest | BadRequest>) {
        await inFlight.add(ackFor(ops, guard, call, request, signal).then(write))
      }
      await inFlight.drain()
    })
  } as TransactionDistributionServer & UntypedServiceImplementation
}
