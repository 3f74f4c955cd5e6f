/**
 * Peer exchange on libp2p (/sorcha/peer-exchange/1.0.0): answers a connected peer's request with a
 * random sample of our peer list, and asks connected peers for theirs. One length-prefixed protobuf
 * request and response per stream. Rules and bounds: protocols/topology (SPEC §5, exchange.ts).
 */
import type { Connection, PeerId, Stream } from '@libp2p/interface'
import type { ConnectionManager, Registrar } from '@libp2p/interface-internal'
import { lpStream } from '@libp2p/utils'
import type { Rng } from '../../protocols/common/rng.ts'
import { PeerSource, PeerStatus, type PeerCapabilities } from '../../protocols/models/index.ts'
import { chooseExchangePeers, EXCHANGE_LIMITS, judgeAdvert, judgeExchangeResponse, type ExchangeJudgement } from '../../protocols/topology/index.ts'
import { PeerExchangeRequest, PeerExchangeResponse } from '../../protos/gen/sorcha/p2p/v1/peer_exchange.ts'
import type { Logger } from '../logging/index.ts'
import type { PeerList } from '../peers/types.ts'
import { limitsOf, type LimitsComponents } from '../limits/peer-limits.ts'
import { isGraylisted, penalise, readPeerMessage, type ReputationHolder } from '../reputation/index.ts'

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
/** Record versions kept before those of closed connections are dropped. */
const MAX_VERSIONS = 1_024

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
  private readonly record: () => PeerCapabilities | undefined
  /** The newest record version stored of each peer, and the connection it came on (isCurrent). */
  private readonly versions = new Map<string, { seq: number, connectionId: string }>()

  /** `record` is this node's own peer record (registers, roles) sent with every request and response (SPEC §8); undefined sends none. */
  constructor (components: PeerExchangeComponents, rng: Rng, log: Logger, record: () => PeerCapabilities | undefined = () => undefined) {
    this.components = components
    this.rng = rng
    this.log = log
    this.record = record
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
    // A malformed request is an offence (reported); a stream that ended, was reset or timed out (the
    // peer went away) is none and throws.
    const request = await readPeerMessage(this.components, peer, lp, signal, bytes => PeerExchangeRequest.decode(bytes), 'peer exchange request')
    if (request === undefined) throw new Error('peer exchange: malformed request')
    const theirs = judgeAdvert(request.self)
    if (theirs === 'bad') {
      penalise(this.components, peer, 'protocol_violation', 'peer exchange request: bad-record')
      throw new Error('peer exchange: invalid peer record in the request')
    }
    if (theirs !== undefined) await this.recordAdvert(peer, connection, theirs)
    const peers = request.maxPeers === 0
      ? []
      : chooseExchangePeers(this.components.peerList.snapshot(SHARED), { max: request.maxPeers, requester: peer, rng: this.rng })
    await lp.write(PeerExchangeResponse.encode({ peers, self: this.record() }).finish(), { signal })
    await stream.close({ signal })
  }

  /**
   * Stores a peer's own record, firsthand, as its whole advertisement (an empty register list replaces
   * a known one), unless it is older than one already stored (`isCurrent`). The version is not kept in
   * the peer list: it orders one peer's records, and means nothing to a third party.
   */
  private async recordAdvert (peer: string, connection: Connection, record: PeerCapabilities): Promise<void> {
    if (!this.isCurrent(peer, connection, record.recordSeq)) {
      this.log.debug({ peer, seq: record.recordSeq }, 'peer exchange: an older record of the peer arrived after a newer one; ignored')
      return
    }
    const address = connection.remoteAddr.toString().replace(/\/p2p\/[^/]+$/, '')
    await this.components.peerList.observe({
      peerId: peer, addresses: connection.direction === 'outbound' ? [address] : [], source: PeerSource.PEER_SOURCE_PEER_EXCHANGE, firsthand: true, capabilities: { ...record, recordSeq: 0 }, fullRecord: true, now: Date.now()
    }).catch((err: unknown) => { this.log.debug({ peer, err: String(err) }, 'peer exchange: record dropped') })
  }

  /**
   * SPEC §8: one peer's records can arrive out of order (an answer read after a later advertisement,
   * on another stream), and an older one must not replace a newer. Versions are compared only while
   * the connection that brought the newest stays open: a restarted peer, whose clock may stand
   * earlier than before, starts afresh. Unversioned records (0, older nodes) are always current.
   */
  private isCurrent (peer: string, connection: Connection, seq: number): boolean {
    if (seq <= 0) return true
    const last = this.versions.get(peer)
    if (last !== undefined && seq < last.seq && this.components.connectionManager.getConnections(connection.remotePeer).some(c => c.id === last.connectionId && c.status === 'open')) return false
    this.versions.set(peer, { seq, connectionId: connection.id })
    if (this.versions.size > MAX_VERSIONS) this.forgetClosed()
    return true
  }

  /** Drops the versions of peers whose connection that brought them has closed (a bound, not a schedule). */
  private forgetClosed (): void {
    const open = new Set(this.components.connectionManager.getConnections().map(c => c.id))
    for (const [peer, version] of this.versions) if (!open.has(version.connectionId)) this.versions.delete(peer)
  }

  /**
   * Asks a connected peer for the peers it knows, over the existing connection (never dialling);
   * records a good answer as hearsay and a bad one as a `protocol_violation` offence (reputation, not
   * health: the peer answered, so it is reachable; what it said was wrong). Resolves with the judgement
   * and how many peers were new to our list.
   */
  async ask (peerId: PeerId, options: { signal: AbortSignal, maxPeers?: number }): Promise<{ judgement: ExchangeJudgement, newPeers: number }> {
    const connection = this.components.connectionManager.getConnections(peerId).find(c => c.status === 'open')
    if (connection === undefined) throw new NotConnectedError(`not connected to ${peerId.toString()}`)
    const asked = options.maxPeers ?? EXCHANGE_ASK_PEERS
    const stream = await connection.newStream(PEER_EXCHANGE_PROTOCOL, { signal: options.signal })
    const bytes = await this.request(stream, asked, options.signal)
    let judgement: ExchangeJudgement
    try {
      const response = PeerExchangeResponse.decode(bytes)
      judgement = judgeExchangeResponse(response.peers, { asked, self: this.components.peerId.toString(), from: peerId.toString(), ...(response.self === undefined ? {} : { record: response.self }) })
    } catch {
      judgement = { verdict: 'reject', code: 'undecodable' }
    }
    if (judgement.verdict === 'reject') {
      this.log.debug({ peer: peerId.toString(), code: judgement.code }, 'peer exchange answer rejected')
      penalise(this.components, peerId.toString(), 'protocol_violation', `peer exchange response: ${judgement.code}`)
      return { judgement, newPeers: 0 }
    }
    if (judgement.self !== undefined) await this.recordAdvert(peerId.toString(), connection, judgement.self)
    const now = Date.now()
    const newPeers = await this.components.peerList.observeMany(judgement.peers.map(peer => (
      { peerId: peer.peerId, addresses: peer.addresses, source: PeerSource.PEER_SOURCE_PEER_EXCHANGE, firsthand: false, learnedFrom: peerId.toString(), ...(peer.capabilities === undefined ? {} : { capabilities: peer.capabilities }), now })), options)
    return { judgement, newPeers }
  }

  /**
   * Writes a request for `asked` peers on `stream` and reads the answer. On any failure the stream is
   * aborted: one left open counts against the connection's outbound exchange streams (MAX_STREAMS), so
   * two exchanges that timed out (as under load) left every later one on that connection refused,
   * advertisements included, for as long as the connection lived.
   */
  private async request (stream: Stream, asked: number, signal: AbortSignal): Promise<Uint8Array> {
    let bytes: Uint8Array | undefined
    try {
      const lp = lpStream(stream, { maxDataLength: EXCHANGE_LIMITS.maxResponseBytes })
      await lp.write(PeerExchangeRequest.encode({ maxPeers: asked, self: this.record() }).finish(), { signal })
      bytes = (await lp.read({ signal })).subarray()
      await stream.close({ signal })
      return bytes
    } catch (err) {
      stream.abort(err instanceof Error ? err : new Error(String(err)))
      // An answer read before the close failed is kept.
      if (bytes !== undefined) return bytes
      throw err
    }
  }

  /** Tells a connected peer our record (a request for no peers); its answer carries its own record. */
  async advertise (peerId: PeerId, options: { signal: AbortSignal }): Promise<void> {
    await this.ask(peerId, { ...options, maxPeers: 0 })
  }
}
