/**
 * The health monitor: every `health.intervalMs` it pings a bounded sample of known peers (stalest
 * first), records each outcome in the peer list, removes the peers the rules say must go, and keeps
 * the inputs of the network health score (protocols/peer-health/SPEC.md §5, §7).
 *
 * It also records firsthand contact: every identify exchange (a peer connected to us, or we to it)
 * is an observation by the peer itself, and a connection whose identify did not complete is recorded
 * from the connection (identify-fallback.ts).
 *
 * A check of a peer we were not connected to opens a connection only for the ping and closes it
 * afterwards, so health checks never change the node's topology (the topology maintainer owns that).
 */
import type { HealthRecorder } from '../metrics/health.ts'
import { serviceDependencies, type Connection, type IdentifyResult, type Libp2pEvents, type PeerId } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import type { TypedEventTarget } from 'main-event'
import pLimit from 'p-limit'
import { createRng, type Rng } from '../../protocols/common/rng.ts'
import { PeerSource, PeerStatus, type PeerNode } from '../../protocols/models/index.ts'
import { networkHealth, selectHealthSample } from '../../protocols/peer-health/index.ts'
import { logger, type Logger } from '../logging/index.ts'
import { PEER_LIST_CAPABILITY, type PeerList } from '../peers/index.ts'
import {
  DEFAULT_INTERVAL_MS, DEFAULT_MIN_CONNECTIONS, DEFAULT_SAMPLE_SIZE, DEFAULT_TIMEOUT_MS, IDENTIFY_MAX_PROTOCOLS,
  LAST_CHECKED_MAX, PING_CONCURRENCY, SAMPLE_CANDIDATE_FACTOR,
  PROBES_PER_ROUND
} from './constants.ts'
import { libp2pPing, type PingService } from './ping.ts'
import type { HealthRound, HealthSnapshot, PingFunction } from './types.ts'
import { noteDisconnectReason } from '../events/disconnect-reasons.ts'
import { IdentifyFallback } from './identify-fallback.ts'

/** Options of the health monitor; each defaults to its configuration default. */
export interface HealthMonitorInit {
  /** @default 30000 (health.intervalMs) */
  intervalMs?: number
  /** @default 5000 (health.timeoutMs) */
  timeoutMs?: number
  /** @default 16 (health.sampleSize) */
  sampleSize?: number
  /** Connection target for the network score. @default 8 (connections.min) */
  minConnections?: number
  /** How to ping; @default a Yamux ping frame over an open connection, else libp2p's ping service (`components.ping`) */
  ping?: PingFunction
  /** @default Date.now */
  clock?: () => number
  /** Records pings and rounds (src/metrics); none without. */
  metrics?: HealthRecorder
  /** Seed for tie-breaks in the sample; @default the start time */
  seed?: number
  /** How long identify may take before a connection's peer is recorded without it. @default 15000 */
  identifyGraceMs?: number
}

/** What the monitor uses from libp2p (and the peer-list service). */
export interface HealthMonitorComponents {
  peerList: PeerList
  connectionManager: {
    getConnections: (peerId?: PeerId) => Connection[]
    closeConnections: (peerId: PeerId) => Promise<void>
  }
  events: TypedEventTarget<Pick<Libp2pEvents, 'peer:identify' | 'connection:open'>>
  ping?: PingService
}

const CHECKABLE = [PeerStatus.PEER_STATUS_UNKNOWN, PeerStatus.PEER_STATUS_CONNECTING, PeerStatus.PEER_STATUS_HEALTHY, PeerStatus.PEER_STATUS_DEGRADED, PeerStatus.PEER_STATUS_UNREACHABLE]
type Outcome = number | 'failed' | 'aborted'

/** Periodic health checks of known peers and the network health score. */
export class HealthMonitor {
  readonly [Symbol.toStringTag] = '@sorcha/health'
  readonly [serviceDependencies]: string[]
  private readonly components: HealthMonitorComponents
  private readonly intervalMs: number
  private readonly timeoutMs: number
  private readonly sampleSize: number
  private readonly minConnections: number
  private readonly ping: PingFunction
  private readonly clock: () => number
  private readonly metrics: HealthRecorder | undefined
  private readonly rng: Rng
  private readonly log: Logger
  private readonly lastChecked = new Map<string, number>()
  private started = false
  private suspended = false
  private timer: ReturnType<typeof setTimeout> | undefined
  private controller: AbortController | undefined
  private running: Promise<HealthRound | undefined> | undefined
  private rounds = 0
  /** When this monitor started watching (start or resume); earlier time never counts as "unseen". */
  private watchingSinceMs = 0
  private lastRound: HealthRound | undefined
  private readonly identifyFallback: IdentifyFallback

  constructor (components: HealthMonitorComponents, init: HealthMonitorInit = {}) {
    this.components = components
    this.intervalMs = init.intervalMs ?? DEFAULT_INTERVAL_MS
    this.timeoutMs = init.timeoutMs ?? DEFAULT_TIMEOUT_MS
    this.sampleSize = init.sampleSize ?? DEFAULT_SAMPLE_SIZE
    this.minConnections = init.minConnections ?? DEFAULT_MIN_CONNECTIONS
    this.ping = init.ping ?? libp2pPing(() => components.ping as PingService, peerId => components.connectionManager.getConnections(peerId))
    this.clock = init.clock ?? Date.now
    this.metrics = init.metrics
    this.rng = createRng(init.seed ?? Date.now())
    this.log = logger('sorcha:health')
    this.identifyFallback = new IdentifyFallback({
      events: components.events,
      isKnown: async peerId => (await components.peerList.get(peerId)) !== undefined,
      record: async (peerId, seen) => this.recordContact(peerId, seen),
      graceMs: init.identifyGraceMs
    })
    this[serviceDependencies] = init.ping === undefined ? [PEER_LIST_CAPABILITY, '@libp2p/ping'] : [PEER_LIST_CAPABILITY]
  }

  /** Subscribes to identify events and schedules the first round. Idempotent. */
  start (): void {
    if (this.started) return
    this.started = true
    this.watchingSinceMs = this.clock()
    this.components.events.addEventListener('peer:identify', this.onIdentify)
    this.components.peerList.addEventListener('peer:removed', this.onRemoved)
    this.identifyFallback.start()
    this.schedule()
  }

  /** libp2p calls this before stopping services: stop checking before the peer list stops. */
  async beforeStop (): Promise<void> {
    await this.stop()
  }

  /** Cancels the timer and any round in flight, and unsubscribes. Idempotent. */
  async stop (): Promise<void> {
    if (!this.started) return
    this.started = false
    this.components.events.removeEventListener('peer:identify', this.onIdentify)
    this.components.peerList.removeEventListener('peer:removed', this.onRemoved)
    this.identifyFallback.stop()
    clearTimeout(this.timer)
    this.timer = undefined
    this.controller?.abort()
    await this.running?.catch(() => {})
  }

  /** Offline mode: no rounds until resume(); a round in flight is cancelled. */
  suspend (): void {
    this.suspended = true
    clearTimeout(this.timer)
    this.timer = undefined
    this.controller?.abort()
  }

  /** Leaves offline mode; the next round runs one interval later. */
  resume (): void {
    if (!this.suspended) return
    this.suspended = false
    this.watchingSinceMs = this.clock()
    this.schedule()
  }

  /** The network health score, 0..100. */
  healthScore (): number {
    return this.snapshot().score
  }

  /** The network health score with its inputs. */
  snapshot (): HealthSnapshot {
    const connections = new Set(this.components.connectionManager.getConnections().map(c => c.remotePeer.toString())).size
    const counts = this.components.peerList.countByStatus()
    const health = networkHealth({
      connections, minConnections: this.minConnections, healthy: counts.healthy, degraded: counts.degraded,
      unreachable: counts.unreachable, latenciesMs: this.lastRound?.latenciesMs ?? []
    })
    return { ...health, at: this.clock(), connections, minConnections: this.minConnections, counts, lastRound: this.lastRound, suspended: this.suspended }
  }

  /**
   * Runs one round now (the timer calls this; tests and operators may too). A round already in flight
   * is joined rather than doubled. Resolves to undefined if the round was cancelled.
   */
  runRound (options: { signal?: AbortSignal } = {}): Promise<HealthRound | undefined> {
    if (this.running !== undefined) return this.running
    const controller = new AbortController()
    const signal = options.signal === undefined ? controller.signal : AbortSignal.any([controller.signal, options.signal])
    this.controller = controller
    this.running = this.round(signal).finally(() => {
      this.running = undefined
      this.controller = undefined
    })
    return this.running
  }

  /** Records firsthand contact with a peer (what identify told us); the node wiring may call it too. */
  async recordContact (peerId: string, seen: { addresses: string[], protocols?: string[], inbound: boolean }, options: { signal?: AbortSignal } = {}): Promise<PeerNode | undefined> {
    const protocols = (seen.protocols ?? []).filter(p => p.startsWith('/') && p.length <= 256).slice(0, IDENTIFY_MAX_PROTOCOLS)
    try {
      return await this.components.peerList.observe({
        peerId,
        addresses: seen.addresses,
        source: seen.inbound ? PeerSource.PEER_SOURCE_INBOUND : PeerSource.PEER_SOURCE_UNKNOWN,
        firsthand: true,
        capabilities: { protocols, registers: [], allRegisters: false, roles: [], maxTransactionBytes: 0, recordSeq: 0 },
        now: this.clock()
      }, options)
    } catch (err) {
      this.log.debug({ err, peer: peerId }, 'could not record contact')
      return undefined
    }
  }

  private readonly onIdentify = (event: CustomEvent<IdentifyResult>): void => {
    const result = event.detail
    this.identifyFallback.identified(result.connection.id)
    void this.recordContact(result.peerId.toString(), {
      addresses: result.listenAddrs.map(String),
      protocols: result.protocols,
      inbound: result.connection.direction === 'inbound'
    })
  }

  private readonly onRemoved = (event: CustomEvent<{ peerId: string }>): void => {
    this.lastChecked.delete(event.detail.peerId)
  }

  private schedule (): void {
    clearTimeout(this.timer)
    this.timer = undefined
    if (!this.started || this.suspended) return
    this.timer = setTimeout(() => {
      this.timer = undefined
      this.runRound()
        .catch((err: unknown) => { this.log.warn({ err }, 'health round failed') })
        .finally(() => { this.schedule() })
    }, this.intervalMs)
    this.timer.unref()
  }

  private async round (signal: AbortSignal): Promise<HealthRound | undefined> {
    const list = this.components.peerList
    const at = this.clock()
    const candidates = await list.list({ status: CHECKABLE, orderBy: 'lastSeen', direction: 'asc', limit: this.sampleSize * SAMPLE_CANDIDATE_FACTOR }, { signal })
    const sample = selectHealthSample(candidates, {
      now: at,
      size: this.sampleSize,
      lastCheckedMs: id => this.lastChecked.get(id),
      rng: this.rng,
      isConnected: id => this.components.connectionManager.getConnections(peerIdFromString(id)).length > 0,
      maxProbes: PROBES_PER_ROUND
    })
    const limit = pLimit(PING_CONCURRENCY)
    const outcomes = await Promise.all(sample.map(async peer => limit(async () => this.check(peer, signal))))
    if (signal.aborted) return undefined
    const removed = await list.prune({ now: this.clock(), peerIds: sample.map(p => p.peerId), watchingSinceMs: this.watchingSinceMs, signal })
    const latenciesMs = outcomes.filter((o): o is number => typeof o === 'number')
    this.lastRound = {
      round: ++this.rounds, at, checked: sample.length, succeeded: latenciesMs.length,
      failed: outcomes.filter(o => o === 'failed').length, removed: removed.length, latenciesMs
    }
    this.metrics?.roundDone()
    this.log.debug({ ...this.lastRound, latenciesMs: undefined }, 'health round done')
    return this.lastRound
  }

  /** Pings one peer and records the outcome. */
  private async check (peer: PeerNode, roundSignal: AbortSignal): Promise<Outcome> {
    if (roundSignal.aborted) return 'aborted'
    this.remember(peer.peerId)
    const remote = peerIdFromString(peer.peerId)
    const wasConnected = this.components.connectionManager.getConnections(remote).length > 0
    let outcome: Outcome
    try {
      outcome = await this.ping(peer, { signal: AbortSignal.any([roundSignal, AbortSignal.timeout(this.timeoutMs)]) })
    } catch (err) {
      outcome = roundSignal.aborted ? 'aborted' : 'failed'
      this.log.debug({ peer: peer.peerId, err: (err as Error)?.name }, 'health check failed')
    }
    if (typeof outcome === 'number') this.metrics?.pingSucceeded(outcome)
    else if (outcome === 'failed') this.metrics?.pingFailed()
    if (!wasConnected) {
      // The connection was opened for this check only.
      noteDisconnectReason(peer.peerId, 'health_check')
      await this.components.connectionManager.closeConnections(remote).catch(() => {})
    }
    try {
      if (typeof outcome === 'number') await this.components.peerList.recordSuccess(peer.peerId, { now: this.clock(), latencyMs: outcome })
      else if (outcome === 'failed') await this.components.peerList.recordFailure(peer.peerId, { now: this.clock(), reason: 'ping' })
    } catch (err) {
      this.log.debug({ err, peer: peer.peerId }, 'could not record a health check')
    }
    return outcome
  }

  private remember (peerId: string): void {
    this.lastChecked.delete(peerId)
    this.lastChecked.set(peerId, this.clock())
    if (this.lastChecked.size > LAST_CHECKED_MAX) {
      const oldest = this.lastChecked.keys().next().value
      if (oldest !== undefined) this.lastChecked.delete(oldest)
    }
  }
}
