/**
 * Peer exchange on libp2p (/sorcha/peer-exchange/1.0.0): answers a connected peer's request with a
 * random sample of our peer list, and asks connected peers for theirs. One length-prefixed protobuf
 * request and response per stream. Rules and bounds: protocols/topology (SPEC §5, exchange.ts).
 */
import type { Connection, PeerId, Stream } from '@libp2p/interface'
import type { ConnectionManager, Registrar } from '@libp2p/interface-internal'
import { lpStream } from '@libp2p/utils'
import type { Rng } from '../../protocols/common/rng.ts'
import { PeerSource, PeerStatus } from '../../protocols/models/index.ts'
import { chooseExchangePeers, EXCHANGE_LIMITS, judgeExchangeResponse, type ExchangeJudgement } from '../../protocols/topology/index.ts'
import { PeerExchangeRequest, PeerExchangeResponse } from '../../protos/gen/sorcha/p2p/v1/peer_exchange.ts'
import type { Logger } from '../logging/index.ts'
import { applyVerdict } from '../peers/verdict.ts'
import type { PeerList, PeerObservation } from '../peers/types.ts'

/** Protocol id of peer exchange. */
export const PEER_EXCHANGE_PROTOCOL = '/sorcha/peer-exchange/1.0.0'
/** Peers we ask for per exchange. */
export const EXCHANGE_ASK_PEERS = EXCHANGE_LIMITS.maxPeers
/** Peers of our list the responder samples from (most recently seen first). */
const SAMPLE_POOL = 256
/** A responder gives a request this long to arrive. */
const RESPOND_TIMEOUT_MS = 5_000
/** Concurrent exchange streams per connection, each way. */
const MAX_STREAMS = 2

/** What the exchange uses from libp2p and the node. */
export interface PeerExchangeComponents {
  peerId: PeerId
  registrar: Registrar
  connectionManager: ConnectionManager
  peerList: PeerList
}

/** Serves and performs peer exchanges for one node. */
export class PeerExchange {
  private readonly components: PeerExchangeComponents
  private readonly rng: Rng
  private readonly log: Logger
  private readonly observe: (observation: PeerObservation) => Promise<void>

  constructor (components: PeerExchangeComponents, rng: Rng, log: Logger, observe: (observation: PeerObservation) => Promise<void>) {
    this.components = components
    this.rng = rng
    this.log = log
    this.observe = observe
  }

  async start (): Promise<void> {
    await this.components.registrar.handle(PEER_EXCHANGE_PROTOCOL, (stream, connection) => {
      this.respond(stream, connection).catch((err: unknown) => {
        this.log.debug({ err: String(err) }, 'peer exchange: answering failed')
        stream.abort(err instanceof Error ? err : new Error(String(err)))
      })
    }, { maxInboundStreams: MAX_STREAMS, maxOutboundStreams: MAX_STREAMS, force: true })
  }

  async stop (): Promise<void> {
    await this.components.registrar.unhandle(PEER_EXCHANGE_PROTOCOL)
  }

  /** Answers one request with a sample of our peer list. */
  private async respond (stream: Stream, connection: Connection): Promise<void> {
    const signal = AbortSignal.timeout(RESPOND_TIMEOUT_MS)
    const lp = lpStream(stream, { maxDataLength: EXCHANGE_LIMITS.maxRequestBytes })
    const request = PeerExchangeRequest.decode((await lp.read({ signal })).subarray())
    const known = await this.components.peerList.list({
      status: [PeerStatus.PEER_STATUS_HEALTHY, PeerStatus.PEER_STATUS_UNKNOWN, PeerStatus.PEER_STATUS_DEGRADED],
      orderBy: 'lastSeen',
      limit: SAMPLE_POOL
    })
    const peers = chooseExchangePeers(known.map(p => ({ peerId: p.peerId, addresses: p.addresses })), {
      max: request.maxPeers, requester: connection.remotePeer.toString(), rng: this.rng
    })
    await lp.write(PeerExchangeResponse.encode({ peers }).finish(), { signal })
    await stream.close({ signal })
  }

  /**
   * Asks a connected peer for the peers it knows; records the good answer as hearsay and a bad one as
   * a reject verdict. Resolves with the judgement.
   */
  async ask (peerId: PeerId, options: { signal: AbortSignal }): Promise<ExchangeJudgement> {
    const stream = await this.components.connectionManager.openStream(peerId, PEER_EXCHANGE_PROTOCOL, { signal: options.signal })
    const lp = lpStream(stream, { maxDataLength: EXCHANGE_LIMITS.maxResponseBytes })
    await lp.write(PeerExchangeRequest.encode({ maxPeers: EXCHANGE_ASK_PEERS }).finish(), options)
    const bytes = (await lp.read(options)).subarray()
    await stream.close(options).catch(() => undefined)
    let judgement: ExchangeJudgement
    try {
      judgement = judgeExchangeResponse(PeerExchangeResponse.decode(bytes).peers, { asked: EXCHANGE_ASK_PEERS, self: this.components.peerId.toString(), from: peerId.toString() })
    } catch {
      judgement = { verdict: 'reject', code: 'undecodable' }
    }
    if (judgement.verdict === 'reject') {
      await applyVerdict(this.components.peerList, peerId.toString(), 'reject', judgement.code, this.log)
      return judgement
    }
    const now = Date.now()
    for (const peer of judgement.peers) {
      await this.observe({ peerId: peer.peerId, addresses: peer.addresses, source: PeerSource.PEER_SOURCE_PEER_EXCHANGE, firsthand: false, learnedFrom: peerId.toString(), now })
    }
    return judgement
  }
}
