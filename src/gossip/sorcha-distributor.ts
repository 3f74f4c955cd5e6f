/**
 * The `sorcha` strategy: drives the tx-gossip core (protocols/tx-gossip) over libp2p streams on
 * /sorcha/tx-gossip/1.0.0. The core decides; this adapter moves bytes (PeerChannel out, readFrames
 * in), compresses chunks, assembles and verifies bodies (SHA-256 against the tx id), stores them and
 * hands them to the application.
 */
import { createHash } from 'node:crypto'
import type { AbortOptions, Connection, PeerId, PeerStore, Stream, StreamHandler, StreamHandlerOptions, Topology } from '@libp2p/interface'
import { createRng } from '../../protocols/common/rng.ts'
import { createTxGossipCore, type GossipEffect, type RegisterSet, type TxGossipConfig } from '../../protocols/tx-gossip/index.ts'
import type { Transaction } from '../../protos/gen/sorcha/p2p/v1/tx_gossip.ts'
import { compressChunk, inflateChunk } from './compression.ts'
import { MAX_CHUNK_BYTES, PROTOCOL_STREAMS_PER_CONNECTION, QUEUE_ANNOUNCE_EXPIRE_MS, QUEUE_ANNOUNCE_WINDOW, TX_GOSSIP_PROTOCOL } from './constants.ts'
import { CoreDriver, type ChunkPayload } from './core-driver.ts'
import { Assemblies } from './assembly.ts'
import { DistributorBase, type BatchOutcome, type DistributorInit } from './distributor-base.ts'
import type { DistributorStats } from './distributor.ts'
import { PeerChannel, type ChunkProduction, type ServeJob } from './peer-channel.ts'
import { AnnounceWindow } from './announce-window.ts'
import { sorchaQueueTransport } from './sorcha-queue-transport.ts'
import type { QueueTransport } from '../queue/types.ts'
import { readFrames } from './inbound-reader.ts'
import type { GossipKind } from '../metrics/gossip.ts'
import { FetchTimer } from './fetch-timer.ts'
import { txIdHexOf, type StoredTx } from './store/tx-store.ts'
import { sorchaReconciler, type Reconciler, type ReconcilerComponents } from './reconcile/index.ts'
import { decodeFrame, encodeChunk, encodeMessage, type ChunkFrame } from './wire.ts'
import { penalise, reputationOf, type ReputationHolder } from '../reputation/index.ts'
import type { ReputationPort } from '../reputation/port.ts'
import { offenceOfVerdict } from '../../protocols/reputation/index.ts'
import { limitsOf, type LimitedProtocol, type LimitsComponents, type PeerLimits } from '../limits/peer-limits.ts'
import type { GossipMessage } from '../../protocols/tx-gossip/index.ts'
import { DecompressionError } from './errors.ts'
import { PeerScopes, servedSetOf } from './register-scope.ts'
import { originTag } from './origin.ts'

/** The libp2p components the sorcha strategy uses. */
export interface SorchaGossipComponents extends ReputationHolder, LimitsComponents {
  peerId: PeerId
  registrar: {
    handle: (protocol: string, handler: StreamHandler, options?: StreamHandlerOptions) => Promise<void>
    unhandle: (protocol: string) => Promise<void>
    register: (protocol: string, topology: Topology) => Promise<string>
    unregister: (id: string) => void
  }
  connectionManager: {
    openStream: (peer: PeerId, protocol: string, options?: AbortOptions) => Promise<Stream>
    closeConnections: (peer: PeerId, options?: AbortOptions) => Promise<void>
    getConnections: () => Connection[]
  }
  peerStore: Pick<PeerStore, 'get'>
  /** The reputation service, when the node runs one (looked up by name): rejects are reported to it. */
  reputation?: ReputationPort
  /** The connectivity service, when the node runs one: reconciliation resyncs when it comes back online. */
  connectivity?: ReconcilerComponents['connectivity']
}

/** Options of the sorcha strategy beyond the shared ones. */
export interface SorchaGossipInit extends DistributorInit {
  /** Seed of the core's Rng. @default derived from the peer id */
  seed?: number
  /** Core settings that override those derived from the configuration (tests, experiments). */
  core?: Partial<TxGossipConfig>
}

/** The core configuration a `gossip` config section implies. */
export function coreConfigOf (config: DistributorInit['config']): Partial<TxGossipConfig> {
  return {
    fanout: config.fanout,
    inlineThresholdBytes: config.inlineThresholdBytes,
    // SPEC.md §3.1: every node accepts unsolicited bodies of at least 64 KiB.
    inlineAcceptMaxBytes: Math.max(64 * 1024, config.chunkSizeBytes, config.inlineThresholdBytes),
    publishPushMaxBytes: config.publishPushMaxBytes,
    maxTxBytes: config.maxTxBytes,
    hopLimit: config.hopLimit,
    antiEntropyIntervalMs: config.antiEntropyIntervalMs,
    summaryFpRate: config.bloom.summaryFpRate,
    recentMax: config.recentMax,
    seenExpectedItems: config.bloom.expectedItems,
    seenFpRate: config.bloom.fpRate,
    seenGenerationMs: config.bloom.generationMs,
    requestTimeoutMs: config.requestTimeoutMs,
    maxInflight: config.maxInflight,
    maxInflightBytes: config.maxInflightBytes,
    maxInflightPerSource: config.maxInflightPerSource,
    maxInflightBytesPerSource: config.maxInflightBytesPerSource,
    pushTree: config.pushTree,
    pushTreeWaitMs: config.pushTreeWaitMs
  }
}

const seedOf = (text: string): number => createHash('sha256').update(text).digest().readUInt32LE(0)

/** Transaction gossip with the Sorcha protocol. */
export class SorchaDistributor extends DistributorBase {
  readonly strategy = 'sorcha' as const
  private readonly components: SorchaGossipComponents
  private readonly init: SorchaGossipInit
  private driver: CoreDriver | undefined
  private reconciler: Reconciler | undefined
  private readonly channels = new Map<string, PeerChannel>()
  private readonly peerIds = new Map<string, PeerId>()
  private readonly assemblies = new Assemblies()
  /** The outbound queue's first announcements not yet asked for, per neighbour (announce-window.ts). */
  private readonly window = new AnnounceWindow({ size: QUEUE_ANNOUNCE_WINDOW, expireMs: QUEUE_ANNOUNCE_EXPIRE_MS, now: () => Date.now(), onReopen: () => { this.queue.poke() } })
  private topologyId: string | undefined
  private bytesSent = 0
  private bodiesReceived = 0
  private inboundReads = 0
  /** Bodies not queued because the peer's channel was full: pushes dropped, requests answered with notfound. */
  private readonly servesDropped = { pushes: 0, requests: 0 }
  /** Payload bytes of received chunks, and those of registers this node does not serve (SPEC.md §3.7). */
  private readonly payloadBytes = { received: 0, unserved: 0 }
  private delivered = 0
  /** Fetch start times, only when metrics record them. */
  private readonly fetches: FetchTimer | undefined
  /** What each neighbour serves, from the peer list (SPEC.md §3.7); set at start. */
  private peerScopes: PeerScopes | undefined
  // SPEC.md §3.7: a change of the served set changes what the core fetches at once, and the
  // reconciler's scopes (restarted with the new ones).
  private readonly onRegistersChanged = (): void => {
    this.driver?.feed({ type: 'scope', registers: this.servedSet() })
    if (this.reconciler !== undefined) this.restartReconciler()
  }

  /** Counts an encoded frame's bytes by kind. */
  private counted (frame: Uint8Array, kind: GossipKind): Uint8Array {
    this.metrics?.bytesOut(kind, frame.byteLength)
    return frame
  }

  constructor (components: SorchaGossipComponents, init: SorchaGossipInit) {
    super(init, components)
    this.components = components
    this.init = init
    this.fetches = init.metrics === undefined ? undefined : new FetchTimer(init.metrics)
  }

  /** The reputation and limits services, when the node runs them (set at start). */
  private ports: { reputation?: ReputationPort | undefined, limits?: PeerLimits | undefined } = {}

  protected async onStart (): Promise<void> {
    // Looked up once: every service exists once libp2p starts them, and an absent one costs a thrown
    // MissingServiceError per lookup (4 % of a 100-node benchmark's CPU when looked up per frame).
    this.ports = { reputation: reputationOf(this.components), limits: limitsOf(this.components) }
    const core = createTxGossipCore({ ...coreConfigOf(this.config), ...this.init.core }, createRng(this.init.seed ?? seedOf(this.self)))
    this.driver = new CoreDriver(core, (effect, payload) => { this.execute(effect, payload) })
    this.driver.feed({ type: 'scope', registers: this.servedSet() })
    this.addEventListener('registers:changed', this.onRegistersChanged)
    this.peerScopes = new PeerScopes({
      components: this.components,
      feed: (peer, registers) => { this.driver?.feed({ type: 'peer-scope', peer, registers }) },
      isNeighbour: peer => this.peerIds.has(peer),
      log: this.log
    })
    // The store outlives restarts: tell the core what the node already holds (oldest first).
    for (const held of (await this.store.newest(this.config.recentMax)).reverse()) this.driver.feed({ type: 'restore', ...held })
    await this.components.registrar.handle(TX_GOSSIP_PROTOCOL, (stream, connection) => { this.onInbound(stream, connection) }, {
      maxInboundStreams: PROTOCOL_STREAMS_PER_CONNECTION, maxOutboundStreams: PROTOCOL_STREAMS_PER_CONNECTION
    })
    this.topologyId = await this.components.registrar.register(TX_GOSSIP_PROTOCOL, {
      onConnect: (peerId) => { this.onPeerUp(peerId) },
      onDisconnect: (peerId) => { this.onPeerDown(peerId) }
    })
    // The topology reports only connections made from now on; after a stop/start of this service
    // (the node kept running) the peers already connected are neighbours too.
    for (const connection of this.components.connectionManager.getConnections()) {
      const peer = await this.components.peerStore.get(connection.remotePeer).catch(() => undefined)
      if (connection.status === 'open' && peer?.protocols.includes(TX_GOSSIP_PROTOCOL) === true) this.onPeerUp(connection.remotePeer)
    }
    if (this.config.reconcile.enabled) await this.startReconciler()
  }

  /** The registers the core fetches: every one when the node serves all or relays all (gossip.relayAllRegisters). */
  private servedSet (): RegisterSet {
    return servedSetOf(this.registers(), this.config.relayAllRegisters)
  }

  /** Restarts reconciliation with the scopes of the current served set (one restart at a time). */
  private restartReconciler (): void {
    const previous = this.reconciler
    this.reconciler = undefined
    this.reconcilerSwap = this.reconcilerSwap.then(async () => {
      await previous?.stop()
      if (this.driver !== undefined && this.reconciler === undefined) await this.startReconciler()
    }).catch((err: unknown) => { this.log.warn({ err }, 'could not restart reconciliation after the served registers changed') })
  }

  private reconcilerSwap: Promise<void> = Promise.resolve()

  // SPEC.md §9.2: the sorcha strategy reconciles the registers it serves (`*` when it serves or
  // relays every register), and pulls what it lacks through this protocol's own fetch machinery.
  private async startReconciler (): Promise<void> {
    const driver = this.driver!
    const served = this.servedSet()
    this.reconciler = sorchaReconciler({
      scopes: served === 'all' ? undefined : served,
      components: this.components,
      store: this.store,
      config: this.config,
      self: this.self,
      gossip: driver.core.config,
      feed: input => { this.driver?.feed(input) },
      inflight: () => this.driver?.core.stats().inflight ?? Infinity,
      onVerdict: (peer, verdict, code) => { this.onVerdict(peer, verdict, code) },
      onRecovered: id => { this.eventLog?.emit('tx_recovered', { txId: id, reason: 'reconciliation' }) },
      backlogSince: () => this.queue.oldestQueuedAtMs,
      log: this.log
    })
    await this.reconciler.start()
  }

  protected async onStop (): Promise<void> {
    this.removeEventListener('registers:changed', this.onRegistersChanged)
    this.peerScopes?.stop()
    this.peerScopes = undefined
    await this.reconcilerSwap
    await this.reconciler?.stop()
    this.reconciler = undefined
    if (this.topologyId !== undefined) this.components.registrar.unregister(this.topologyId)
    this.topologyId = undefined
    await this.components.registrar.unhandle(TX_GOSSIP_PROTOCOL)
    this.driver?.stop()
    this.driver = undefined
    this.window.stop()
    for (const channel of this.channels.values()) channel.close()
    this.channels.clear()
    this.peerIds.clear()
    this.assemblies.clear()
  }

  protected queueTransport (): QueueTransport {
    return sorchaQueueTransport({ driver: () => this.driver, channel: peer => this.channel(peer), pushMaxBytes: this.config.publishPushMaxBytes, window: this.window })
  }

  protected counters (): Omit<DistributorStats, 'strategy' | 'published' | 'rejects' | 'store'> {
    return { delivered: this.delivered, bodiesReceived: this.bodiesReceived, inboundReads: this.inboundReads, servesDropped: { ...this.servesDropped }, payloadBytes: { ...this.payloadBytes }, bytesSent: this.bytesSent, peers: this.driver?.core.peers().length ?? 0, reconcile: this.reconciler?.stats(), core: this.driver?.core.stats() }
  }

  private onPeerUp (peerId: PeerId): void {
    const peer = peerId.toString()
    this.peerIds.set(peer, peerId)
    this.driver?.feed({ type: 'peer-up', peer })
    this.peerScopes?.peerUp(peer)
    this.queue.poke()
  }

  private onPeerDown (peerId: PeerId): void {
    const peer = peerId.toString()
    this.peerIds.delete(peer)
    this.channels.get(peer)?.close()
    this.channels.delete(peer)
    this.window.drop(peer)
    this.driver?.feed({ type: 'peer-down', peer })
  }

  private channel (peer: string): PeerChannel | undefined {
    let channel = this.channels.get(peer)
    const peerId = this.peerIds.get(peer)
    if (channel !== undefined || peerId === undefined) return channel
    channel = new PeerChannel({
      open: async signal => this.components.connectionManager.openStream(peerId, TX_GOSSIP_PROTOCOL, { signal }),
      produce: job => this.produce(peer, job),
      encode: this.metrics === undefined ? encodeMessage : message => this.counted(encodeMessage(message), message.type),
      maxItemsPerMessage: this.driver?.core.config.maxItemsPerMessage ?? 1,
      timeoutMs: this.config.streamTimeoutMs,
      onSent: bytes => { this.bytesSent += bytes },
      onWritten: () => { if (this.queue.unsent > 0) this.queue.poke() },
      log: this.log
    })
    this.channels.set(peer, channel)
    return channel
  }

  private onInbound (stream: Stream, connection: Connection): void {
    const peer = connection.remotePeer.toString()
    // A stream-opening storm: refused beyond the peer's stream bucket (reported as stream_storm).
    if (this.ports.limits?.allow('streams', peer) === false) {
      stream.abort(new Error('too many streams'))
      return
    }
    stream.addEventListener('message', () => { this.inboundReads++ })
    readFrames(stream, frame => this.onFrame(peer, frame), () => {
      penalise(this.components, peer, 'oversized', 'tx-gossip frame')
      this.driver?.feed({ type: 'invalid', from: peer, code: 'oversized-frame' })
    })
  }

  /** One inbound frame; synchronous unless it is a compressed chunk, which is inflated first. */
  private onFrame (peer: string, bytes: Uint8Array): void | Promise<void> {
    const frame = decodeFrame(bytes)
    this.metrics?.bytesIn(frame.kind === 'message' ? frame.message.type : frame.kind, bytes.byteLength)
    if (frame.kind === 'invalid') return this.driver?.feed({ type: 'invalid', from: peer, code: frame.code })
    // A graylisted peer's announcements, requests and bodies are ignored (docs/security.md); its
    // malformed frames above still count against it, so a graylisted peer that keeps at it is banned.
    if (this.ports.reputation?.isGraylisted(peer) === true) return this.emitVerdict({ peer, verdict: 'ignore', code: 'graylisted' })
    if (frame.kind === 'message') {
      if (!this.admit(peer, frame.message)) return
      if (frame.message.type === 'inv') this.window.announcedBy(peer, frame.message.items)
      return this.driver?.feed({ type: 'message', from: peer, message: frame.message })
    }
    const chunk = frame.chunk
    if (!chunk.gzip) return this.onChunk(peer, chunk, chunk.data)
    return inflateChunk(chunk.data, chunk.length).then(
      data => { this.onChunk(peer, chunk, data) },
      (err: unknown) => {
        if (err instanceof DecompressionError && err.bomb) penalise(this.components, peer, 'decompression_bomb', 'tx-gossip chunk')
        this.driver?.feed({ type: 'invalid', from: peer, code: 'decompression-failed' })
      }
    )
  }

  /**
   * Per-peer limits (docs/security.md): announcements, requests and summaries beyond the peer's
   * bucket are dropped (counted, reported once per episode); a graylisted peer's are ignored. Chunks
   * are not limited here: the core accepts only those it asked for (or small inline pushes).
   */
  private admit (peer: string, message: GossipMessage): boolean {
    if (message.type === 'notfound') return true
    const limits = this.ports.limits
    if (limits === undefined) return true
    const [protocol, cost]: [LimitedProtocol, number] = message.type === 'inv'
      ? ['tx_gossip_announce', message.items.length]
      : message.type === 'getdata'
        ? ['tx_gossip_fetch', message.items.length]
        : message.type === 'tree' ? ['tx_gossip_fetch', message.graft.length + message.prune.length] : ['tx_gossip_anti_entropy', 1]
    return limits.allow(protocol, peer, Math.max(1, cost))
  }

  private onChunk (peer: string, chunk: ChunkFrame, data: Uint8Array): void {
    if (chunk.offset === 0) this.bodiesReceived++
    const register = chunk.notification?.registerId
    this.payloadBytes.received += data.byteLength
    const of = register ?? this.assemblies.registerOf(chunk.id)
    if (of !== undefined && !this.follows(of)) this.payloadBytes.unserved += data.byteLength
    const origin = chunk.notification === undefined ? undefined : originTag(chunk.notification.sender, chunk.notification.registerId)
    this.driver?.feed({
      type: 'chunk', from: peer, id: chunk.id, offset: chunk.offset, length: chunk.length, total: chunk.total, hops: chunk.hops,
      ...(register === undefined ? {} : { register }), ...(origin === undefined ? {} : { origin })
    }, { data, notification: chunk.notification, hops: chunk.hops })
  }

  /**
   * The next chunk of a body being served to `peer`, or undefined (after queueing notfound) if not
   * held. Synchronous when the body is in the memory cache and the chunk is not compressed (small
   * bodies, the common case), so that it can share a write with the control frames queued before it.
   */
  private produce (peer: string, job: ServeJob): ChunkProduction {
    const cached = this.store.cached(job.id)
    if (cached !== undefined) return this.chunkOf(peer, job, cached)
    return this.store.get(job.id).catch(() => undefined).then(stored => this.chunkOf(peer, job, stored))
  }

  private chunkOf (peer: string, job: ServeJob, stored: StoredTx | undefined): ChunkProduction {
    const payload = stored?.transaction.payload
    if (stored === undefined || payload === undefined || job.offset > payload.length) {
      this.channels.get(peer)?.sendControl({ type: 'notfound', ids: [job.id] })
      return undefined
    }
    const end = Math.min(payload.length, job.offset + Math.min(this.config.chunkSizeBytes, MAX_CHUNK_BYTES))
    const slice = payload.subarray(job.offset, end)
    const threshold = this.config.compressionThresholdBytes
    const frame = (data: Uint8Array, gzip: boolean): Uint8Array => {
      if (!gzip && slice.length >= threshold) job.incompressible = true
      const encoded = this.counted(encodeChunk({
        id: job.id, offset: job.offset, length: slice.length, total: payload.length, hops: job.hops, gzip, data,
        notification: job.offset === 0 ? stored.transaction.notification : undefined
      }), 'chunk')
      job.offset = end
      job.done = end >= payload.length
      return encoded
    }
    if (job.incompressible === true || threshold === 0 || slice.length < threshold) return frame(slice, false)
    return compressChunk(slice, threshold).then(packed => frame(packed.data, packed.gzip))
  }

  private execute (effect: GossipEffect, payload: ChunkPayload | undefined): void {
    switch (effect.type) {
      case 'send':
        if (effect.message.type === 'getdata' && this.fetches !== undefined) this.fetches.started(effect.message.items)
        this.channel(effect.peer)?.sendControl(effect.message); return
      case 'serve': return this.serve(effect)
      case 'append': if (payload !== undefined) this.assemblies.append(effect.id, effect.offset, payload.data, payload.notification, effect.from, payload.hops); return
      case 'verify': return this.verify(effect.id)
      case 'deliver': this.delivered++; this.fetches?.ended(effect.id, true); return
      case 'discard': this.assemblies.discard(effect.id); this.fetches?.ended(effect.id, false); return
      case 'progress':
        this.safeDispatchEvent('tx:progress', { detail: { txId: effect.id, from: effect.from, receivedBytes: effect.received, totalBytes: effect.total } })
        return
      case 'verdict': return this.onVerdict(effect.peer, effect.verdict, effect.code)
      case 'trace':
        if (effect.event === 'fetch-abandoned' || effect.event === 'fetch-timeout') this.fetchFailed(effect.event, effect.data)
        if (this.log.isLevelEnabled('debug')) this.log.debug({ event: effect.event, ...effect.data }, 'gossip trace')
        return
      case 'schedule': return
    }
  }

  /**
   * Queues a body for a peer. A full channel drops a push (the peer hears of the transaction from
   * other neighbours, anti-entropy or the outbound queue's next round) and answers a request with
   * notfound, so that the requester asks elsewhere now rather than at its timeout.
   */
  private serve (effect: Extract<GossipEffect, { type: 'serve' }>): void {
    this.window.requested(effect.peer, effect.id)
    const channel = this.channel(effect.peer)
    if (channel === undefined || channel.serve({ id: effect.id, offset: effect.offset, hops: effect.hops, done: false }, effect.requested === true)) return
    if (effect.requested !== true) {
      this.servesDropped.pushes++
      return
    }
    this.servesDropped.requests++
    channel.sendControl({ type: 'notfound', ids: [effect.id] })
  }

  /** A fetch that timed out at one peer (tried at another next) or was given up (a later announcement or round starts it again). */
  private fetchFailed (event: string, data: Record<string, unknown> | undefined): void {
    const id = typeof data?.id === 'string' ? data.id : undefined
    const peer = typeof data?.peer === 'string' && data.peer !== '' ? data.peer : undefined
    this.eventLog?.emit('tx_fetch_failed', {
      ...(id === undefined ? {} : { txId: id }),
      ...(peer === undefined ? {} : { peerId: peer }),
      reason: event === 'fetch-timeout' ? 'timeout' : 'abandoned',
      data: { receivedBytes: typeof data?.received === 'number' ? data.received : 0 }
    })
  }

  /** The core hears of a store batch's bodies in one input (SPEC.md §8: `verified-many`); a failed batch's stay unanswered, as in verify(). */
  private readonly batchOutcome: BatchOutcome = {
    stored: ids => { this.driver?.feed({ type: 'verified-many', ids }) },
    failed: (ids, err) => { for (const id of ids) this.notStored(id, err) }
  }

  private notStored (id: string, err: unknown): void {
    this.log.warn({ err, txId: id }, 'could not store a received transaction; it is not delivered and will be fetched again')
  }

  /**
   * SPEC.md §3.3: the assembled body must hash to its id, and its notification must name that id.
   * A valid body is stored (and handed to the application) before the core hears `verified`, which
   * marks it held and relays it (`verified-many` for all the bodies of one store batch, in the
   * common case). If the write fails, `verify` stays unanswered: the core abandons the
   * fetch at its deadline without marking the transaction held, so a later announcement or
   * anti-entropy round fetches it again.
   */
  private verify (id: string): void {
    const body = this.assemblies.take(id)
    if (body?.notification === undefined || txIdHexOf(body.payload) !== id) {
      this.driver?.feed({ type: 'verified', id, ok: false })
      return
    }
    const transaction: Transaction = { notification: body.notification, payload: body.payload }
    if (this.acceptInBatch(id, transaction, body.from, body.hops, this.batchOutcome)) return
    this.accept(id, transaction, body.from, body.hops).then(
      () => { this.driver?.feed({ type: 'verified', id, ok: true }) },
      (err: unknown) => { this.notStored(id, err) }
    )
  }

  /**
   * Every reject is an `invalid_message` offence reported to the reputation service, which decides
   * what follows (graylist, disconnect, ban: docs/security.md). Health is left alone: a peer that
   * sends garbage but answers pings is misbehaving, not unreachable. Without a reputation service
   * (bare test nodes), nothing more happens.
   */
  private onVerdict (peer: string, verdict: 'accept' | 'ignore' | 'reject', code: string): void {
    this.emitVerdict({ peer, verdict, code })
    // SPEC.md §3.6: announced or offered, then not served (the core already lowered its credit);
    // a reject is an invalid message. The simulator maps verdicts with the same function.
    const offence = offenceOfVerdict(verdict, code)
    if (offence === undefined) return
    if (verdict === 'reject') this.log.debug({ peer, code }, 'peer message rejected')
    penalise(this.components, peer, offence, offence === 'invalid_message' ? code : undefined)
  }
}
