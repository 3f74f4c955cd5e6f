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
import type { PeerList } from '../peers/types.ts'
import { limitsOf, type LimitsComponents } from '../limits/peer-limits.ts'
import { isGraylisted, isOversized, penalise, type ReputationHolder } from '../reputation/index.ts'

/** Protocol id of peer exchange. */
export const PEER_EXCHANGE_PROTOCOL = '/sorcha/peer-exchange/1.0.0'
/** Peers we ask for per exchange. */
export const EXCHANGE_ASK_PEERS = EXCHANGE_LIMITS.maxPeers
/** Statuses a responder shares: never unreachable or banned peers. */
const SHARED = [PeerStatus.PEER_STATUS_HEALTHY, PeerStatus.PEER_STATUS_UNKNOWN, PeerStatus.PEER_STATUS_DEGRADED] as const
/** A responder gives a request this long to arrive. */
const RESPOND_TIMEOUT_MS = 5_000
/** Concurrent exchange streams per connection, each way. */
const MAX_STREAMS = 2

/** What the exchange uses from libp2p and the node. */
export interface PeerExchangeComponents extends LimitsComponents, ReputationHolder {
  peerId: PeerId
  registrar: Registrar
  connectionManager: ConnectionManager
  peerList: PeerList
}

/** An exchange was asked of a peer we have no open connection to (exchanges never dial). */
export class NotConnectedError extends Error {
  override name = 'NotConnectedError'
}

/** Serves and performs peer exchanges for one node. */
export class PeerExchange {
  private readonly components: PeerExchangeComponents
  private readonly rng: Rng
  private readonly log: Logger

  constructor (components: PeerExchangeComponents, rng: Rng, log: Logger) {
    this.components = components
    this.rng = rng
    this.log = log
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
    const peer = connection.remotePeer.toString()
    // Per-peer limits (docs/security.md): a stream or a request beyond the peer's bucket is refused.
    const limits = limitsOf(this.components)
    if (limits !== undefined && (!limits.allow('streams', peer) || !limits.allow('peer_exchange', peer))) {
      stream.abort(new Error('peer exchange: over the per-peer limit'))
      return
    }
    // A graylisted peer's requests are ignored (docs/security.md "Reputation"): it learns nothing from us.
    if (isGraylisted(this.components, peer)) {
      stream.abort(new Error('peer exchange: graylisted'))
      return
    }
    const signal = AbortSignal.timeout(RESPOND_TIMEOUT_MS)
    const lp = lpStream(stream, { maxDataLength: EXCHANGE_LIMITS.maxRequestBytes })
    let request: PeerExchangeRequest
    try {
      request = PeerExchangeRequest.decode((await lp.read({ signal })).subarray())
    } catch (err) {
      if (!signal.aborted) penalise(this.components, peer, isOversized(err) ? 'oversized' : 'protocol_violation', 'peer exchange request')
      throw err
    }
    const known = this.components.peerList.snapshot(SHARED)
    const peers = chooseExchangePeers(known, {
      max: request.maxPeers, requester: connection.remotePeer.toString(), rng: this.rng
    })
    await lp.write(PeerExchangeResponse.encode({ peers }).finish(), { signal })
    await stream.close({ signal })
  }

  /**
   * Asks a connected peer for the peers it knows, over the existing connection (never dialling);
   * records a good answer as hearsay and a bad one as a `protocol_violation` offence (reputation, not
   * health: the peer answered, so it is reachable; what it said was wrong). Resolves with the judgement
   * and how many peers were new to our list.
   */
  async ask (peerId: PeerId, options: { signal: AbortSignal }): Promise<{ judgement: ExchangeJudgement, newPeers: number }> {
    const connection = this.components.connectionManager.getConnections(peerId).find(c => c.status === 'open')
    if (connection === undefined) throw new NotConnectedError(`not connected to ${peerId.toString()}`)
    const stream = await connection.newStream(PEER_EXCHANGE_PROTOCOL, { signal: options.signal })
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
      this.log.debug({ peer: peerId.toString(), code: judgement.code }, 'peer exchange answer rejected')
      penalise(this.components, peerId.toString(), 'protocol_violation', `peer exchange response: ${judgement.code}`)
      return { judgement, newPeers: 0 }
    }
    const now = Date.now()
    const newPeers = await this.components.peerList.observeMany(judgement.peers.map(peer => (
      { peerId: peer.peerId, addresses: peer.addresses, source: PeerSource.PEER_SOURCE_PEER_EXCHANGE, firsthand: false, learnedFrom: peerId.toString(), now })), options)
    return { judgement, newPeers }
  }
}
