/**
 * The connectivity service: drives the connectivity core (protocols/connectivity) from libp2p's
 * connection events and the peer list (where dial attempts land), publishes every transition as
 * `connectivity:change`, and carries out offline mode. On suspend it refuses every new connection
 * (its connection gater, connectivity-gater.ts), closes the open ones, and suspends the health
 * monitor and discovery; resume undoes all of it and the topology maintainer dials at once. A
 * suspension is persisted, so it survives a restart (protocols/connectivity/SPEC.md §4).
 *
 * Consumers (the outbound queue, the gateway) find it as the `connectivity` service and must treat
 * it as optional.
 */
import type { Connection, Startable } from '@libp2p/interface'
import { TypedEventEmitter } from 'main-event'
import {
  ConnectivityCore, isUsable, type ConnectivityChange, type ConnectivityEffect, type ConnectivityReason, type ConnectivityState,
  type ConnectivityView, type Suspension
} from '../../protocols/connectivity/index.ts'
import { DIALABLE, parseBootstrap } from '../discovery/topology-service.ts'
import { noteDisconnectReason } from '../events/disconnect-reasons.ts'
import { logger, type Logger } from '../logging/index.ts'
import type { ServiceContribution } from '../node/sorcha-node.ts'
import type { RefusalSource } from './connectivity-gater.ts'
import {
  CONNECTIVITY_SERVICE, CONNECTIVITY_SUBLEVEL, ConnectivityNotStartedError, DEFAULT_CLOSE_TIMEOUT_MS, SUSPENSION_KEY, type ConnectivityComponents, type ConnectivityEvents,
  type ConnectivityInit, type ConnectivityStatus, type Suspendable
} from './connectivity-types.ts'
import { optionalComponent } from '../node/optional-component.ts'

export * from './connectivity-types.ts'

const PEER_LIST_EVENTS = ['peer:added', 'peer:removed', 'peer:updated', 'peer:banned', 'peer:unbanned'] as const
const CONNECTION_EVENTS = ['connection:open', 'connection:close', 'peer:connect', 'peer:disconnect'] as const

/** The connectivity service. */
export class ConnectivityService extends TypedEventEmitter<ConnectivityEvents> implements Startable, RefusalSource {
  readonly [Symbol.toStringTag] = '@sorcha/connectivity'
  private readonly components: ConnectivityComponents
  private readonly init: ConnectivityInit
  private readonly clock: () => number
  private readonly log: Logger
  private readonly bootstrapIds: string[]
  private readonly minConnections: number
  /** One core for the service's life: a later run starts from where the last one ended (SPEC.md §4, §5). */
  private readonly core: ConnectivityCore
  private started = false
  private timer: ReturnType<typeof setTimeout> | undefined
  /** Work started by the last suspension or resumption (persisting, closing connections). */
  private pending: Promise<void> = Promise.resolve()
  private readonly onChange = (): void => { this.observe() }
  private readonly onOpen = (event: CustomEvent<Connection>): void => {
    // A connection that raced the gater while suspending: close it too.
    if (this.refusesConnections) void this.close([event.detail])
    this.observe()
  }

  constructor (components: ConnectivityComponents, init: ConnectivityInit = {}) {
    super()
    this.components = components
    this.init = init
    this.clock = init.clock ?? Date.now
    this.log = logger('sorcha:connectivity')
    this.bootstrapIds = parseBootstrap(init.bootstrap ?? []).map(b => b.peerId)
    this.minConnections = init.minConnections ?? 8
    this.core = new ConnectivityCore({ minConnections: this.minConnections, recheckIntervalMs: init.recheckIntervalMs })
  }

  /** The current state. */
  get state (): ConnectivityState {
    return this.core.snapshot().state
  }

  /** Why the state last changed (a bounded code). */
  get reason (): ConnectivityReason {
    return this.core.snapshot().reason
  }

  /** When the node entered the current state (ms since the epoch). */
  get sinceMs (): number {
    return this.core.snapshot().sinceMs
  }

  /** The operator's note while suspended; '' otherwise. */
  get note (): string {
    return this.core.snapshot().note
  }

  /** True when the node can reach peers (online or degraded): the outbound queue flushes then. */
  get usable (): boolean {
    return isUsable(this.state)
  }

  /** True while suspended: the connection gater refuses every connection. */
  get refusesConnections (): boolean {
    return this.core.snapshot().state === 'suspended'
  }

  /** The state, its reason and since-when, the operator's note, and the peer counts. */
  status (): ConnectivityStatus {
    const s = this.core.snapshot()
    return { state: s.state, reason: s.reason, sinceMs: s.sinceMs, note: s.note, connectedPeers: this.connectedPeers(), minConnections: this.minConnections }
  }

  /** The last transitions (at most 16), oldest first. */
  history (): ConnectivityChange[] {
    return this.core.history()
  }

  /** Loads a persisted suspension, starts the core and follows connections and the peer list. Idempotent. */
  async start (): Promise<void> {
    if (this.started) return
    const suspension = await this.loadSuspension()
    this.started = true
    for (const type of CONNECTION_EVENTS) this.components.events.addEventListener(type, type === 'connection:open' ? this.onOpen as () => void : this.onChange)
    const peerList = this.peerList
    for (const type of PEER_LIST_EVENTS) peerList?.addEventListener(type, this.onChange)
    if (suspension !== undefined) this.log.warn({ note: suspension.note, since: new Date(suspension.sinceMs).toISOString() }, 'the node starts suspended by the operator: sorcha-peer online resumes it')
    this.apply(this.core.handle({ type: 'start', now: this.clock(), view: this.view(), ...(suspension === undefined ? {} : { suspension }) }))
    this.arm()
  }

  /** Stops following; the state is kept (a persisted suspension too). Idempotent. */
  async stop (): Promise<void> {
    if (!this.started) return
    this.started = false
    clearTimeout(this.timer)
    this.timer = undefined
    for (const type of CONNECTION_EVENTS) this.components.events.removeEventListener(type, type === 'connection:open' ? this.onOpen as () => void : this.onChange)
    const peerList = this.peerList
    for (const type of PEER_LIST_EVENTS) peerList?.removeEventListener(type, this.onChange)
    this.core.handle({ type: 'stop', now: this.clock() })
    await this.pending.catch(() => {})
  }

  /**
   * Offline mode: refuses every new connection at once, then persists the suspension, suspends the
   * health monitor and discovery, and closes every open connection; resolves when they are closed.
   * Suspending a suspended node changes nothing (the first note stays).
   * @param note the operator's words, kept with the suspension (at most 200 characters are kept)
   * @throws ConnectivityNotStartedError
   */
  async suspend (note?: string, options: { signal?: AbortSignal } = {}): Promise<ConnectivityStatus> {
    if (!this.started) throw new ConnectivityNotStartedError()
    this.apply(this.core.handle({ type: 'suspend', now: this.clock(), ...(note === undefined ? {} : { note }) }))
    await this.wait(options.signal)
    return this.status()
  }

  /**
   * Leaves offline mode: connections are allowed again, the persisted suspension is forgotten, the
   * health monitor and discovery resume, and the topology maintainer dials its bootstrap and known
   * peers at once. Resuming a node that is not suspended changes nothing.
   * @throws ConnectivityNotStartedError
   */
  async resume (options: { signal?: AbortSignal } = {}): Promise<ConnectivityStatus> {
    if (!this.started) throw new ConnectivityNotStartedError()
    this.apply(this.core.handle({ type: 'resume', now: this.clock(), view: this.view() }))
    await this.wait(options.signal)
    return this.status()
  }

  private get peerList (): ConnectivityComponents['peerList'] {
    return optionalComponent(this.components, 'peerList')
  }

  private connectedPeers (): number {
    return new Set(this.components.connectionManager.getConnections().filter(c => c.status === 'open').map(c => c.remotePeer.toString())).size
  }

  /** The node as the core reads it (SPEC.md §1); what there is to dial is only counted with no peer connected. */
  private view (): ConnectivityView {
    const connected = this.connectedPeers()
    if (connected > 0) return { connected, dialable: 0 }
    const now = this.clock()
    const peerList = this.peerList
    const bootstrap = this.bootstrapIds.filter(id => peerList?.isBanned(id, now) !== true).length
    const known = peerList?.snapshot(DIALABLE).filter(p => p.addresses.length > 0).length ?? 0
    // Dial attempts count through the peer list: a failed dial moves its peer towards UNREACHABLE,
    // which the topology maintainer no longer dials (a peer-list event re-reads the node).
    return { connected, dialable: bootstrap + known }
  }

  private observe (): void {
    if (!this.started) return
    try {
      this.apply(this.core.handle({ type: 'observe', now: this.clock(), view: this.view() }))
    } catch (err) {
      this.log.error({ err }, 'connectivity evaluation failed')
    }
    this.arm()
  }

  private arm (): void {
    clearTimeout(this.timer)
    this.timer = undefined
    const wake = this.core.nextWakeup()
    if (wake === undefined || !this.started) return
    this.timer = setTimeout(() => { this.observe() }, Math.max(0, wake - this.clock()))
    this.timer.unref()
  }

  private apply (effects: ConnectivityEffect[]): void {
    for (const effect of effects) {
      switch (effect.type) {
        case 'enter-suspension': this.enterSuspension(effect.suspension); break
        case 'leave-suspension': this.leaveSuspension(); break
        case 'transition':
          this.log.info({ from: effect.change.from, to: effect.change.to, reason: effect.change.reason, ...(effect.change.note === '' ? {} : { note: effect.change.note }) }, `connectivity ${effect.change.to}`)
          this.safeDispatchEvent('connectivity:change', { detail: effect.change })
          break
        case 'trace': this.log.debug({ ...effect.data }, effect.event); break
      }
    }
    this.arm()
  }

  private enterSuspension (suspension: Suspension): void {
    optionalComponent<Suspendable>(this.components, 'health')?.suspend()
    optionalComponent<Suspendable>(this.components, 'topology')?.suspend()
    this.init.probes?.update({ suspended: true })
    const persisted = this.init.db?.put(SUSPENSION_KEY, new TextEncoder().encode(JSON.stringify(suspension)), { sync: true } as object)
    this.pending = Promise.all([
      persisted?.catch((err: unknown) => { this.log.error({ err }, 'could not persist the suspension; it holds until the node stops') }),
      this.close(this.components.connectionManager.getConnections())
    ]).then(() => {})
  }

  private leaveSuspension (): void {
    this.init.probes?.update({ suspended: false })
    optionalComponent<Suspendable>(this.components, 'health')?.resume()
    optionalComponent<Suspendable>(this.components, 'topology')?.resume()
    const forgotten = this.init.db?.del(SUSPENSION_KEY, { sync: true } as object)
    this.pending = Promise.resolve(forgotten?.catch((err: unknown) => { this.log.error({ err }, 'could not forget the persisted suspension; the node would start suspended') }))
  }

  /** Closes connections gracefully, aborting those that take longer than closeTimeoutMs. */
  private async close (connections: Connection[]): Promise<void> {
    const timeoutMs = this.init.closeTimeoutMs ?? DEFAULT_CLOSE_TIMEOUT_MS
    await Promise.all(connections.map(async connection => {
      noteDisconnectReason(connection.remotePeer.toString(), 'suspended')
      try {
        await connection.close({ signal: AbortSignal.timeout(timeoutMs) })
      } catch (err) {
        connection.abort(err instanceof Error ? err : new Error('suspended'))
      }
    }))
  }

  private async wait (signal: AbortSignal | undefined): Promise<void> {
    const work = this.pending.catch(() => {})
    if (signal === undefined) return work
    signal.throwIfAborted()
    await Promise.race([work, new Promise<void>((_resolve, reject) => { signal.addEventListener('abort', () => { reject(signal.reason) }, { once: true }) })])
  }

  private async loadSuspension (): Promise<Suspension | undefined> {
    const db = this.init.db
    if (db === undefined) return undefined
    try {
      const bytes = await db.get(SUSPENSION_KEY)
      if (bytes === undefined) return undefined
      const parsed = JSON.parse(new TextDecoder().decode(bytes)) as Partial<Suspension>
      return { note: typeof parsed.note === 'string' ? parsed.note : '', sinceMs: typeof parsed.sinceMs === 'number' ? parsed.sinceMs : this.clock() }
    } catch (err) {
      // An unreadable record must not keep a node off the network for ever, nor stop it starting.
      this.log.error({ err }, 'the persisted suspension is unreadable; starting without it')
      return undefined
    }
  }
}

/** js-libp2p service factory: `services: { connectivity: connectivity(init) }`. */
export function connectivity (init: ConnectivityInit = {}): (components: ConnectivityComponents) => ConnectivityService {
  return components => new ConnectivityService(components, init)
}

/**
 * Adds the connectivity service to a node, configured from `connections.min` and `bootstrap`, with
 * the suspension persisted in the node's database and readiness told of it. Put it after the peer
 * list, health and topology contributions (it pauses them) and before the services that consume it.
 */
export const connectivityContribution: ServiceContribution = ({ config, storage, probes }) => ({
  [CONNECTIVITY_SERVICE]: connectivity({
    minConnections: config.connections.min,
    bootstrap: [...config.bootstrap],
    db: storage.sublevel(CONNECTIVITY_SUBLEVEL),
    ...(probes === undefined ? {} : { probes })
  })
})
