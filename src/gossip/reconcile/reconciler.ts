/**
 * Drives the reconciliation core (protocols/reconcile, SPEC.md §9) on libp2p: its own protocol
 * /sorcha/tx-reconcile/1.0.0, the neighbours that speak it (with the direction of the connection:
 * a node reconciles on the connections it opened), the store as the core's index (every write and
 * removal, and the whole store at start), the optional `connectivity` service (a resync when the
 * node comes back online), and a Puller that fetches what the core says the node lacks. The
 * distributor of either strategy owns one; the strategy only decides how bodies are pulled.
 */
import type { AbortOptions, Connection, PeerId, PeerStore, Stream, StreamHandler, StreamHandlerOptions, Topology } from '@libp2p/interface'
import { createRng } from '../../../protocols/common/rng.ts'
import { createReconcileCore, TX_RECONCILE_PROTOCOL, type ReconcileConfig, type ReconcileCore, type ReconcileEffect, type ReconcileInput, type ReconcileItem, type ReconcileStats } from '../../../protocols/reconcile/index.ts'
import type { Logger } from '../../logging/index.ts'
import { MAX_FRAME_BYTES, PROTOCOL_STREAMS_PER_CONNECTION } from '../constants.ts'
import { readFrames } from '../inbound-reader.ts'
import type { TxStore } from '../store/tx-store.ts'
import { ReconcileChannel } from './channel.ts'
import { decodeReconcile, encodeReconcile, type InboundReconcileFrame } from '../../../protocols/reconcile/index.ts'
import { WakeupTimer } from '../wakeup-timer.ts'
import { AwaitedIds } from './awaited.ts'
import { Deferral } from './deferral.ts'
import { limitsOf, type LimitsComponents, type PeerLimits } from '../../limits/peer-limits.ts'
import { penalise, reputationOf, type ReputationHolder, type ReputationPort } from '../../reputation/index.ts'

/** Fetches transactions the core found missing; the strategy provides it. */
export interface Puller {
  /** `peer` holds these and this node does not. */
  need: (peer: string, items: ReconcileItem[]) => void
  /** A transaction was stored (room for more fetches). */
  stored: (id: string) => void
  peerDown: (peer: string) => void
  /** A body frame from `peer` (body-request / body-response), for pullers that use them. */
  onFrame?: (peer: string, frame: InboundReconcileFrame) => void
  stop: () => void
}

/** The libp2p components reconciliation uses. */
export interface ReconcilerComponents extends LimitsComponents, ReputationHolder {
  registrar: {
    handle: (protocol: string, handler: StreamHandler, options?: StreamHandlerOptions) => Promise<void>
    unhandle: (protocol: string) => Promise<void>
    register: (protocol: string, topology: Topology) => Promise<string>
    unregister: (id: string) => void
  }
  connectionManager: {
    openStream: (peer: PeerId, protocol: string, options?: AbortOptions) => Promise<Stream>
    getConnections: () => Connection[]
  }
  peerStore: Pick<PeerStore, 'get'>
  /** The connectivity service, when the node runs one (optional component, looked up by name). */
  connectivity?: Pick<EventTarget, 'addEventListener' | 'removeEventListener'>
}

/** What a Reconciler needs. */
export interface ReconcilerInit {
  components: ReconcilerComponents
  store: TxStore
  /** Core settings (scopes, interval, window...). */
  core: Partial<ReconcileConfig>
  seed: number
  streamTimeoutMs: number
  puller: Puller
  onVerdict: (peer: string, verdict: 'accept' | 'ignore' | 'reject', code: string) => void
  log: Logger
  /** Largest frame accepted (a body response carries whole transactions). @default MAX_FRAME_BYTES */
  maxFrameBytes?: number
  /**
   * When the oldest transaction of the node's outbound queue was queued, undefined when it is empty:
   * on-connect sessions and resyncs wait while it holds what was queued before them (deferral.ts).
   */
  backlogSince?: () => number | undefined
}

/** Counters of the adapter beyond the core's. */
export interface ReconcilerStats extends ReconcileStats {
  bytesSent: number
  bytesReceived: number
  /** Transactions found missing by reconciliation and since stored here (anti-entropy's recoveries). */
  recovered: number
  /** On-connect sessions and resyncs deferred while the outbound queue flushed. */
  deferred: number
}

/** Most ids remembered as found missing, awaiting their arrival (oldest forgotten first). */
const MAX_AWAITED = 10_000
/** Longest a session waits for the outbound queue's backlog, and how often it looks (SPEC.md §9.2). */
const DEFER_MAX_MS = 10_000
const DEFER_POLL_MS = 100
/** The deferral key of a resync (no peer id is empty). */
const RESYNC = ''

type InputWithoutNow = ReconcileInput extends infer I ? I extends ReconcileInput ? Omit<I, 'now'> : never : never

/** States of the connectivity service after which the node is back (protocols/connectivity). */
const BACK = new Set(['online', 'degraded'])
const AWAY = new Set(['offline', 'connecting', 'suspended'])

/** Reconciliation for one node. */
export class Reconciler {
  private readonly init: ReconcilerInit
  private core: ReconcileCore | undefined
  private readonly channels = new Map<string, ReconcileChannel>()
  private readonly peerIds = new Map<string, PeerId>()
  private readonly inbox: ReconcileInput[] = []
  private running = false
  private readonly wakeup = new WakeupTimer(() => { this.feed({ type: 'tick' }) })
  private topologyId: string | undefined
  private bytesSent = 0
  private bytesReceived = 0
  private recovered = 0
  /** Ids found missing, not stored yet (bounded: MAX_AWAITED). */
  private readonly awaited = new AwaitedIds(MAX_AWAITED)
  /** The reputation and limits services, when the node runs them (set at start). */
  private ports: { reputation?: ReputationPort | undefined, limits?: PeerLimits | undefined } = {}
  private readonly onConnectivity = (evt: Event): void => {
    const { from, to } = (evt as CustomEvent<{ from: string, to: string }>).detail ?? {}
    if (BACK.has(to) && AWAY.has(from)) this.resync()
  }

  private readonly deferral: Deferral | undefined

  constructor (init: ReconcilerInit) {
    this.init = init
    const backlogSince = init.backlogSince
    if (backlogSince !== undefined) {
      this.deferral = new Deferral({
        backlogSince,
        maxMs: DEFER_MAX_MS,
        pollMs: DEFER_POLL_MS,
        now: Date.now,
        fire: key => { this.feed(key === RESYNC ? { type: 'resync' } : { type: 'connect', peer: key }) }
      })
    }
  }

  /** Indexes the store, then takes part in the protocol. */
  async start (): Promise<void> {
    if (this.core !== undefined) return
    const { store, components } = this.init
    // Looked up once (every service exists by start): an absent one would throw per frame.
    this.ports = { reputation: reputationOf(components), limits: limitsOf(components) }
    this.core = createReconcileCore(this.init.core, createRng(this.init.seed))
    // Observe first: a transaction stored while the store is read is then indexed once (adds and
    // loads skip ids already indexed), never missed.
    store.observe({
      // One input per stored batch (a flush writes hundreds of received transactions per batch).
      stored: entries => {
        this.feed({ type: 'load', items: entries.map(e => ({ id: e.id, ts: e.timestampMs, size: e.size, register: e.registerId })) })
        for (const e of entries) {
          if (this.awaited.arrived(e.id)) this.recovered++
          this.init.puller.stored(e.id)
        }
      },
      removed: id => { this.feed({ type: 'remove', id }) }
    })
    const items = []
    for await (const e of store.entries()) items.push({ id: e.id, ts: e.timestampMs, size: e.size, register: e.registerId })
    this.feed({ type: 'load', items })
    await components.registrar.handle(TX_RECONCILE_PROTOCOL, (stream, connection) => { this.onInbound(stream, connection) }, {
      maxInboundStreams: PROTOCOL_STREAMS_PER_CONNECTION, maxOutboundStreams: PROTOCOL_STREAMS_PER_CONNECTION
    })
    this.topologyId = await components.registrar.register(TX_RECONCILE_PROTOCOL, {
      onConnect: (peerId, connection) => { this.peerUp(peerId, connection.direction === 'outbound') },
      onDisconnect: (peerId) => { this.peerDown(peerId) }
    })
    for (const connection of components.connectionManager.getConnections()) {
      const peer = await components.peerStore.get(connection.remotePeer).catch(() => undefined)
      if (connection.status === 'open' && peer?.protocols.includes(TX_RECONCILE_PROTOCOL) === true) this.peerUp(connection.remotePeer, connection.direction === 'outbound')
    }
    this.connectivity()?.addEventListener('connectivity:change', this.onConnectivity)
  }

  /** Leaves the protocol; undoes everything start did. Idempotent. */
  async stop (): Promise<void> {
    if (this.core === undefined) return
    this.core = undefined
    this.connectivity()?.removeEventListener('connectivity:change', this.onConnectivity)
    this.init.store.observe(undefined)
    if (this.topologyId !== undefined) this.init.components.registrar.unregister(this.topologyId)
    this.topologyId = undefined
    await this.init.components.registrar.unhandle(TX_RECONCILE_PROTOCOL)
    this.wakeup.clear()
    this.deferral?.clear()
    this.inbox.length = 0
    for (const channel of this.channels.values()) channel.close()
    this.channels.clear()
    this.peerIds.clear()
    this.init.puller.stop()
  }

  /** The core's counters and the bytes moved. */
  stats (): ReconcilerStats | undefined {
    const core = this.core?.stats()
    return core === undefined ? undefined : { ...core, bytesSent: this.bytesSent, bytesReceived: this.bytesReceived, recovered: this.recovered, deferred: this.deferral?.deferred ?? 0 }
  }

  /** Sends a frame to a neighbour (the body puller's requests and responses). */
  sendFrame (peer: string, frame: Uint8Array): boolean {
    return this.channel(peer)?.send(frame) ?? false
  }

  /** The node is back online: reconcile now (what the connectivity service triggers). */
  resync (): void {
    if (this.core !== undefined && this.deferral?.defer(RESYNC) !== true) this.feed({ type: 'resync' })
  }

  // libp2p's components throw for a service that is absent; the connectivity service is optional.
  private connectivity (): ReconcilerComponents['connectivity'] {
    try {
      return this.init.components.connectivity
    } catch {
      return undefined
    }
  }

  private peerUp (peerId: PeerId, outbound: boolean): void {
    const peer = peerId.toString()
    this.peerIds.set(peer, peerId)
    // A connection this node opened while its queue flushes: a neighbour now, its session later.
    const deferred = outbound && this.core !== undefined && this.deferral?.defer(peer) === true
    this.feed({ type: 'peer-up', peer, outbound: outbound && !deferred })
  }

  private peerDown (peerId: PeerId): void {
    const peer = peerId.toString()
    this.peerIds.delete(peer)
    this.deferral?.cancel(peer)
    this.channels.get(peer)?.close()
    this.channels.delete(peer)
    this.feed({ type: 'peer-down', peer })
    this.init.puller.peerDown(peer)
  }

  private channel (peer: string): ReconcileChannel | undefined {
    let channel = this.channels.get(peer)
    const peerId = this.peerIds.get(peer)
    if (channel !== undefined || peerId === undefined || this.core === undefined) return channel
    channel = new ReconcileChannel({
      open: async signal => this.init.components.connectionManager.openStream(peerId, TX_RECONCILE_PROTOCOL, { signal }),
      timeoutMs: this.init.streamTimeoutMs,
      onSent: bytes => { this.bytesSent += bytes },
      log: this.init.log
    })
    this.channels.set(peer, channel)
    return channel
  }

  private onInbound (stream: Stream, connection: Connection): void {
    const peer = connection.remotePeer.toString()
    const components = this.init.components
    if (this.ports.limits?.allow('streams', peer) === false) {
      stream.abort(new Error('too many streams'))
      return
    }
    readFrames(stream, bytes => { this.onFrame(peer, bytes) }, () => {
      penalise(components, peer, 'oversized', 'tx-reconcile frame')
      this.feed({ type: 'invalid', from: peer, code: 'oversized-frame' })
    }, this.init.maxFrameBytes ?? MAX_FRAME_BYTES)
  }

  private onFrame (peer: string, bytes: Uint8Array): void {
    this.bytesReceived += bytes.length
    // Per-peer limit (docs/security.md): frames beyond the peer's bucket are dropped.
    if (this.ports.limits?.allow('reconcile', peer) === false) return
    const frame = decodeReconcile(bytes)
    if (frame.kind === 'invalid') return this.feed({ type: 'invalid', from: peer, code: 'malformed-frame' })
    // A graylisted peer's requests and answers are ignored (docs/security.md); its malformed frames still count.
    if (this.ports.reputation?.isGraylisted(peer) === true) return this.init.onVerdict(peer, 'ignore', 'graylisted')
    if (frame.kind === 'message') return this.feed({ type: 'message', from: peer, message: frame.message })
    if (this.init.puller.onFrame === undefined) return this.feed({ type: 'invalid', from: peer, code: 'malformed-frame' })
    this.init.puller.onFrame(peer, frame)
  }

  /** Feeds an input stamped with the current time; inputs raised while executing effects queue up. */
  private feed (input: InputWithoutNow): void {
    if (this.core === undefined) return
    this.inbox.push({ ...input, now: Date.now() } as ReconcileInput)
    if (this.running) return
    this.running = true
    try {
      while (this.inbox.length > 0 && this.core !== undefined) {
        for (const effect of this.core.handle(this.inbox.shift()!)) this.execute(effect)
      }
    } finally {
      this.running = false
      this.arm()
    }
  }

  private execute (effect: ReconcileEffect): void {
    switch (effect.type) {
      case 'send': this.channel(effect.peer)?.send(encodeReconcile(effect.message)); return
      case 'need': this.awaited.add(effect.items); this.init.puller.need(effect.peer, effect.items); return
      case 'verdict': this.init.onVerdict(effect.peer, effect.verdict, effect.code); return
      case 'trace':
        if (effect.event === 'session-end' || effect.event === 'cascade') this.init.log.debug({ event: effect.event, ...effect.data }, 'reconcile')
        else if (this.init.log.isLevelEnabled('trace')) this.init.log.trace({ event: effect.event, ...effect.data }, 'reconcile')
        return
      case 'schedule': return
    }
  }

  private arm (): void {
    this.wakeup.arm(this.core?.nextWakeup())
  }
}
