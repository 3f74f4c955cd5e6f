/**
 * Drives the topology maintainer core (protocols/topology) on a libp2p node: feeds it the node's
 * connections and peer list, executes its dials and Kademlia discovery rounds, and records what the
 * rounds learn in the peer list. One timer, re-armed to the core's next wakeup and cleared on stop.
 */
import { randomBytes } from 'node:crypto'
import type { Connection, Libp2pEvents, PeerId, Startable } from '@libp2p/interface'
import type { ConnectionManager, Registrar } from '@libp2p/interface-internal'
import { peerIdFromString } from '@libp2p/peer-id'
import { EventTypes, type KadDHT } from '@libp2p/kad-dht'
import { multiaddr } from '@multiformats/multiaddr'
import type { TypedEventTarget } from 'main-event'
import { createRng } from '../../protocols/common/rng.ts'
import { PeerSource } from '../../protocols/models/index.ts'
import { TopologyCore, type TopologyEffect, type TopologyParams, type TopologySnapshot } from '../../protocols/topology/index.ts'
import { logger, type Logger } from '../logging/index.ts'
import type { PeerList, PeerObservation } from '../peers/types.ts'
import { RegisterAdvertiser } from './advertiser.ts'
import { RegisterViews } from './register-views.ts'
import { BootstrapWatch } from './bootstrap-watch.ts'
import { DIALABLE, parseBootstrap, withPeer, withTimeout } from './topology-helpers.ts'
import { CANDIDATE_LIMIT, DIAL_TIMEOUT_MS, DISCOVERY_ROUND_TIMEOUT_MS, EXCHANGE_TIMEOUT_MS } from './constants.ts'
import { PeerExchange } from './peer-exchange.ts'

export { DIALABLE, parseBootstrap } from './topology-helpers.ts'

/** Options of the topology service. */
export interface TopologyInit {
  params: TopologyParams
  /** Bootstrap multiaddrs, each with /p2p/<peer id>. */
  bootstrap: string[]
  /** Seed for the core's random choices. @default a random seed */
  seed?: number
}

/** What the service uses from libp2p; `peerList` and `dht` are sibling services found by name. */
export interface TopologyComponents {
  peerId: PeerId
  connectionManager: ConnectionManager
  registrar: Registrar
  events: TypedEventTarget<Libp2pEvents>
  peerList: PeerList
  dht: KadDHT
}

/** The topology service's public face. */
export interface Topology {
  snapshot: () => TopologySnapshot
  /** Offline mode: no dials, exchanges or walks until resume(); those in flight are cancelled. */
  suspend: () => void
  /** Leaves offline mode with a fresh maintainer (no back-off left): bootstrap dials start at once. */
  resume: () => void
  /** True between suspend() and resume(). */
  readonly suspended: boolean
  /** The register's providers in the DHT (SPEC §9), recorded in the peer list as hearsay; their peer ids. */
  findRegisterProviders: (registerId: string, options: { signal: AbortSignal }) => Promise<string[]>
  /** The registers this node provides in the DHT. */
  providedRegisters: () => string[]
}

/** The libp2p service that keeps the node joined and within its connection target. */
export class TopologyService implements Startable, Topology {
  private readonly components: TopologyComponents
  private readonly init: TopologyInit
  private readonly log: Logger
  private core: TopologyCore
  private exchange: PeerExchange | undefined
  private timer: ReturnType<typeof setTimeout> | undefined
  /** The current run: set while started and not suspended; tasks of an earlier run see it change and drop their results. */
  private controller: AbortController | undefined
  private started = false
  private isSuspended = false
  private rng = createRng(0)
  private readonly onConnectionChange = (): void => { this.poke() }
  /** Warns once per bootstrap outage or mismatched peer id, and when the peer is back (bootstrap-watch.ts). */
  private readonly bootstrapWatch: BootstrapWatch
  private readonly advertiser: RegisterAdvertiser
  private readonly registerViews = new RegisterViews()
  private readonly onConnectionOpen = (event: CustomEvent<Connection>): void => {
    this.bootstrapWatch.reached(event.detail.remotePeer.toString())
    this.poke()
  }

  constructor (components: TopologyComponents, init: TopologyInit) {
    this.components = components
    this.init = init
    this.log = logger('sorcha:topology')
    this.bootstrapWatch = new BootstrapWatch(parseBootstrap(init.bootstrap), this.log)
    this.advertiser = new RegisterAdvertiser(components, () => this.exchange, this.log, () => { this.poke() })
    this.core = new TopologyCore(init.params, createRng(init.seed ?? randomBytes(4).readUInt32LE()))
  }

  async start (): Promise<void> {
    if (this.started) return
    this.started = true
    this.rng = createRng(this.init.seed ?? randomBytes(4).readUInt32LE())
    this.exchange = new PeerExchange(this.components, this.rng.fork(2), this.log, () => this.advertiser.record())
    await this.exchange.start()
    const bootstrap = parseBootstrap(this.init.bootstrap)
    await this.observeMany(bootstrap.map(peer => ({ peerId: peer.peerId, addresses: peer.addresses.map(a => a.replace(/\/p2p\/[^/]+$/, '')), source: PeerSource.PEER_SOURCE_BOOTSTRAP, firsthand: false, now: Date.now() })))
    this.components.events.addEventListener('connection:open', this.onConnectionOpen)
    this.components.events.addEventListener('connection:close', this.onConnectionChange)
    // Suspended before it started (a suspension restored at start): the maintainer waits for resume().
    if (!this.isSuspended) this.beginRun(1)
  }

  afterStart (): void {
    this.advertiser.start()
    this.poke()
  }

  async stop (): Promise<void> {
    if (!this.started) return
    this.started = false
    this.endRun()
    this.advertiser.stop()
    this.components.events.removeEventListener('connection:open', this.onConnectionOpen)
    this.components.events.removeEventListener('connection:close', this.onConnectionChange)
    await this.exchange?.stop()
    this.exchange = undefined
  }

  get suspended (): boolean {
    return this.isSuspended
  }

  suspend (): void {
    if (this.isSuspended) return
    this.isSuspended = true
    this.endRun()
    this.log.debug('topology suspended')
  }

  resume (): void {
    if (!this.isSuspended) return
    this.isSuspended = false
    if (!this.started) return
    // A fresh core: the back-off of every bootstrap peer and known peer is forgotten, so the node
    // dials at once instead of waiting out delays earned while it refused every connection.
    this.beginRun(3)
    this.log.debug('topology resumed')
    this.poke()
  }

  /** Starts a run of the maintainer: a new core fed the bootstrap list. */
  private beginRun (fork: number): void {
    this.controller = new AbortController()
    this.core = new TopologyCore(this.init.params, this.rng.fork(fork))
    this.core.handle({ type: 'start', now: Date.now(), bootstrap: parseBootstrap(this.init.bootstrap) })
  }

  /** Ends the current run: its timer, and every dial, exchange and walk in flight. */
  private endRun (): void {
    this.controller?.abort()
    this.controller = undefined
    clearTimeout(this.timer)
    this.timer = undefined
    this.core.handle({ type: 'stop', now: Date.now() })
  }

  snapshot (): TopologySnapshot {
    return this.core.snapshot()
  }

  async findRegisterProviders (registerId: string, options: { signal: AbortSignal }): Promise<string[]> {
    const providers = await this.advertiser.providers.find(registerId, options)
    const now = Date.now()
    // No capabilities: a provider record names one register, not the peer's whole set.
    await this.observeMany(providers.map(p => ({ peerId: p.peerId, addresses: p.addresses, source: PeerSource.PEER_SOURCE_DHT, firsthand: false, now })))
    return providers.map(p => p.peerId)
  }

  providedRegisters (): string[] {
    return this.advertiser.providers.list()
  }

  /** Re-evaluates now and re-arms the timer. Evaluation is synchronous, so calls cannot overlap. */
  private poke (): void {
    if (this.controller === undefined) return
    try {
      this.evaluate()
    } catch (err) {
      this.log.error({ err }, 'topology evaluation failed')
    }
    this.arm()
  }

  private arm (): void {
    clearTimeout(this.timer)
    const wake = this.core.nextWakeup()
    if (wake === undefined || this.controller === undefined) return
    this.timer = setTimeout(() => { this.poke() }, Math.max(0, wake - Date.now()))
  }

  private evaluate (): void {
    const { connectionManager, peerList } = this.components
    const connected = new Set(connectionManager.getConnections().map(c => c.remotePeer.toString()))
    const candidates = connected.size < this.init.params.minConnections
      ? peerList.snapshot(DIALABLE)
        .filter(p => !connected.has(p.peerId) && p.addresses.length > 0)
        .sort((a, b) => b.score - a.score)
        .slice(0, CANDIDATE_LIMIT)
        .map(p => ({ peerId: p.peerId, addresses: p.addresses }))
      : []
    // Per-register sub-meshes (SPEC §10): only for a node that serves some registers, not all.
    const served = this.init.params.registerDegree > 0 ? (this.advertiser.record()?.registers ?? []) : []
    const registers = served.length === 0 ? [] : this.registerViews.build(served, peerList.snapshot(DIALABLE), connected)
    const effects = this.core.handle({ type: 'tick', now: Date.now(), connectedPeers: connected, knownPeers: peerList.size(), candidates, registers })
    for (const effect of effects) this.execute(effect)
  }

  private execute (effect: TopologyEffect): void {
    switch (effect.type) {
      case 'dial': void this.dial(effect.peerId, effect.addresses, effect.bootstrap); break
      case 'discover': void this.discover(effect.round); break
      case 'exchange': void this.ask(effect.peerId); break
      case 'find-providers': void this.lookupProviders(effect.registerId); break
      case 'trace': this.log.debug({ ...effect.data }, effect.event); break
    }
  }

  private async dial (peerId: string, addresses: string[], bootstrap: boolean): Promise<void> {
    const run = this.controller
    let ok = false
    const t0 = Date.now()
    try {
      await withTimeout(this.controller?.signal, DIAL_TIMEOUT_MS, async signal => this.components.connectionManager.openConnection(addresses.map(a => multiaddr(withPeer(a, peerId))), { signal }))
      ok = true
    } catch (err) {
      this.log.debug({ peer: peerId, bootstrap, ms: Date.now() - t0, err: (err as Error).message }, 'dial failed')
      // A dial cut short by stop or suspend says nothing about the peer.
      if (bootstrap && this.controller === run) this.bootstrapWatch.failed(peerId, err)
      if (!bootstrap && this.controller === run) await this.components.peerList.recordFailure(peerId, { now: Date.now(), reason: 'dial failed' }).catch(() => undefined)
    }
    // A result of an earlier run (stopped or suspended since) means nothing to the current core.
    if (this.controller === undefined || this.controller !== run) return
    this.core.handle({ type: 'dial-result', now: Date.now(), peerId, ok })
    this.poke()
  }

  /** One Kademlia lookup of a random key; every peer in every answer goes into the peer list as hearsay. */
  private async discover (round: number): Promise<void> {
    const { dht, peerId: self } = this.components
    const run = this.controller
    let ok = true
    let newPeers = 0
    try {
      await withTimeout(this.controller?.signal, DISCOVERY_ROUND_TIMEOUT_MS, async signal => {
        for await (const event of dht.getClosestPeers(randomBytes(32), { signal })) {
          if (event.type !== EventTypes.PEER_RESPONSE) continue
          const from = event.from.toString()
          const now = Date.now()
          newPeers += await this.observeMany(event.closer.filter(info => !info.id.equals(self)).map(info => ({
            peerId: info.id.toString(),
            addresses: info.multiaddrs.map(ma => ma.toString()),
            source: PeerSource.PEER_SOURCE_DHT,
            firsthand: false,
            learnedFrom: from,
            now
          })))
        }
      })
    } catch (err) {
      ok = false
      this.log.debug({ round, err: (err as Error).message }, 'discovery round failed')
    }
    if (this.controller === undefined || this.controller !== run) return
    this.core.handle({ type: 'discovery-result', now: Date.now(), round, newPeers, ok })
    this.poke()
  }

  /** A DHT lookup of a served register's providers, for the register's sub-mesh. */
  private async lookupProviders (registerId: string): Promise<void> {
    const run = this.controller
    let found: string[] = []
    let ok = true
    try {
      found = await withTimeout(this.controller?.signal, DISCOVERY_ROUND_TIMEOUT_MS, async signal => this.findRegisterProviders(registerId, { signal }))
    } catch (err) {
      ok = false
      this.log.debug({ register: registerId, err: (err as Error).message }, 'provider lookup failed')
    }
    if (this.controller === undefined || this.controller !== run) return
    this.registerViews.setProviders(registerId, found)
    this.core.handle({ type: 'providers-result', now: Date.now(), registerId, found: found.length, ok })
    this.poke()
  }

  /** Peer exchange with one connected peer. */
  private async ask (peerId: string): Promise<void> {
    const run = this.controller
    let ok = false
    let newPeers = 0
    try {
      const answer = await withTimeout(this.controller?.signal, EXCHANGE_TIMEOUT_MS, async signal => this.exchange?.ask(peerIdFromString(peerId), { signal }))
      ok = answer?.judgement.verdict === 'accept'
      newPeers = answer?.newPeers ?? 0
    } catch (err) {
      this.log.debug({ peer: peerId, err: (err as Error).message }, 'peer exchange failed')
    }
    if (this.controller === undefined || this.controller !== run) return
    this.core.handle({ type: 'exchange-result', now: Date.now(), peerId, newPeers, ok })
    this.poke()
  }

  /** Records hearsay; a full write queue drops it (the peers will be heard of again), never the round. */
  private async observeMany (observations: PeerObservation[]): Promise<number> {
    try {
      return await this.components.peerList.observeMany(observations)
    } catch (err) {
      this.log.debug({ err: (err as Error).message }, 'observations dropped')
      return 0
    }
  }
}

/** libp2p service factory for the topology maintainer. */
export function topology (init: TopologyInit): (components: TopologyComponents) => TopologyService {
  return components => new TopologyService(components, init)
}
