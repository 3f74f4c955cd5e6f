/**
 * Drives the topology maintainer core (protocols/topology) on a libp2p node: feeds it the node's
 * connections and peer list, executes its dials and Kademlia discovery rounds, and records what the
 * rounds learn in the peer list. One timer, re-armed to the core's next wakeup and cleared on stop.
 */
import { randomBytes } from 'node:crypto'
import type { Libp2pEvents, PeerId, Startable } from '@libp2p/interface'
import type { ConnectionManager } from '@libp2p/interface-internal'
import { EventTypes, type KadDHT } from '@libp2p/kad-dht'
import { multiaddr } from '@multiformats/multiaddr'
import type { TypedEventTarget } from 'main-event'
import { createRng } from '../../protocols/common/rng.ts'
import { PeerSource, PeerStatus } from '../../protocols/models/index.ts'
import { TopologyCore, type BootstrapPeer, type TopologyEffect, type TopologyParams, type TopologySnapshot } from '../../protocols/topology/index.ts'
import { logger, type Logger } from '../logging/index.ts'
import type { PeerList } from '../peers/types.ts'
import { CANDIDATE_LIMIT, DIAL_TIMEOUT_MS, DISCOVERY_ROUND_TIMEOUT_MS } from './constants.ts'

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
  events: TypedEventTarget<Libp2pEvents>
  peerList: PeerList
  dht: KadDHT
}

/** The topology service's public face. */
export interface Topology {
  snapshot: () => TopologySnapshot
}

/** Parses bootstrap multiaddrs into the core's form, grouping addresses per peer id. */
export function parseBootstrap (addrs: string[]): BootstrapPeer[] {
  const byPeer = new Map<string, string[]>()
  for (const text of addrs) {
    const ma = multiaddr(text)
    const peerId = ma.getComponents().findLast(c => c.name === 'p2p')?.value
    if (peerId === undefined) continue
    byPeer.set(peerId, [...(byPeer.get(peerId) ?? []), text])
  }
  return [...byPeer].map(([peerId, addresses]) => ({ peerId, addresses }))
}

const withPeer = (addr: string, peerId: string): string => addr.includes('/p2p/') ? addr : `${addr}/p2p/${peerId}`

/** The libp2p service that keeps the node joined and within its connection target. */
export class TopologyService implements Startable, Topology {
  private readonly components: TopologyComponents
  private readonly init: TopologyInit
  private readonly log: Logger
  private core: TopologyCore
  private timer: ReturnType<typeof setTimeout> | undefined
  private controller: AbortController | undefined
  private evaluating = false
  private again = false
  private readonly onConnectionChange = (): void => { this.poke() }

  constructor (components: TopologyComponents, init: TopologyInit) {
    this.components = components
    this.init = init
    this.log = logger('sorcha:topology')
    this.core = new TopologyCore(init.params, createRng(init.seed ?? randomBytes(4).readUInt32LE()))
  }

  async start (): Promise<void> {
    if (this.controller !== undefined) return
    this.controller = new AbortController()
    this.core = new TopologyCore(this.init.params, createRng(this.init.seed ?? randomBytes(4).readUInt32LE()))
    const bootstrap = parseBootstrap(this.init.bootstrap)
    const now = Date.now()
    for (const peer of bootstrap) {
      await this.components.peerList.observe({ peerId: peer.peerId, addresses: peer.addresses.map(a => a.replace(/\/p2p\/[^/]+$/, '')), source: PeerSource.PEER_SOURCE_BOOTSTRAP, firsthand: false, now })
    }
    this.core.handle({ type: 'start', now, bootstrap })
    this.components.events.addEventListener('connection:open', this.onConnectionChange)
    this.components.events.addEventListener('connection:close', this.onConnectionChange)
  }

  afterStart (): void {
    this.poke()
  }

  async stop (): Promise<void> {
    if (this.controller === undefined) return
    this.controller.abort()
    this.controller = undefined
    clearTimeout(this.timer)
    this.timer = undefined
    this.components.events.removeEventListener('connection:open', this.onConnectionChange)
    this.components.events.removeEventListener('connection:close', this.onConnectionChange)
    this.core.handle({ type: 'stop', now: Date.now() })
  }

  snapshot (): TopologySnapshot {
    return this.core.snapshot()
  }

  /** Re-evaluates now (coalescing overlapping requests). */
  private poke (): void {
    if (this.controller === undefined) return
    if (this.evaluating) {
      this.again = true
      return
    }
    this.evaluating = true
    void this.evaluate().catch(err => { this.log.error({ err }, 'topology evaluation failed') }).finally(() => {
      this.evaluating = false
      if (this.again) {
        this.again = false
        this.poke()
      } else {
        this.arm()
      }
    })
  }

  private arm (): void {
    clearTimeout(this.timer)
    const wake = this.core.nextWakeup()
    if (wake === undefined || this.controller === undefined) return
    this.timer = setTimeout(() => { this.poke() }, Math.max(0, wake - Date.now()))
  }

  private async evaluate (): Promise<void> {
    const { connectionManager, peerList } = this.components
    const connected = new Set(connectionManager.getConnections().map(c => c.remotePeer.toString()))
    const candidates = connected.size < this.init.params.minConnections
      ? (await peerList.list({ status: [PeerStatus.PEER_STATUS_HEALTHY, PeerStatus.PEER_STATUS_UNKNOWN, PeerStatus.PEER_STATUS_DEGRADED], orderBy: 'score', limit: CANDIDATE_LIMIT }))
          .filter(p => !connected.has(p.peerId) && p.addresses.length > 0)
          .map(p => ({ peerId: p.peerId, addresses: p.addresses }))
      : []
    const effects = this.core.handle({ type: 'tick', now: Date.now(), connectedPeers: connected, knownPeers: peerList.size(), candidates })
    for (const effect of effects) this.execute(effect)
  }

  private execute (effect: TopologyEffect): void {
    switch (effect.type) {
      case 'dial': void this.dial(effect.peerId, effect.addresses, effect.bootstrap); break
      case 'discover': void this.discover(effect.round); break
      case 'trace': this.log.debug({ ...effect.data }, effect.event); break
    }
  }

  private async dial (peerId: string, addresses: string[], bootstrap: boolean): Promise<void> {
    const signal = this.signal(DIAL_TIMEOUT_MS)
    let ok = false
    try {
      await this.components.connectionManager.openConnection(addresses.map(a => multiaddr(withPeer(a, peerId))), { signal })
      ok = true
    } catch (err) {
      this.log.debug({ peer: peerId, bootstrap, err: (err as Error).message }, 'dial failed')
      if (!bootstrap && this.controller !== undefined) await this.components.peerList.recordFailure(peerId, { now: Date.now(), reason: 'dial failed' })
    }
    if (this.controller === undefined) return
    this.core.handle({ type: 'dial-result', now: Date.now(), peerId, ok })
    this.poke()
  }

  /** One Kademlia lookup of a random key; every peer in every answer goes into the peer list as hearsay. */
  private async discover (round: number): Promise<void> {
    const { dht, peerList, peerId: self } = this.components
    const before = peerList.size()
    let ok = true
    try {
      for await (const event of dht.getClosestPeers(randomBytes(32), { signal: this.signal(DISCOVERY_ROUND_TIMEOUT_MS) })) {
        if (event.type !== EventTypes.PEER_RESPONSE) continue
        const from = event.from.toString()
        for (const info of event.closer) {
          if (info.id.equals(self)) continue
          await peerList.observe({
            peerId: info.id.toString(),
            addresses: info.multiaddrs.map(ma => ma.toString()),
            source: PeerSource.PEER_SOURCE_DHT,
            firsthand: false,
            learnedFrom: from,
            now: Date.now()
          })
        }
      }
    } catch (err) {
      ok = false
      this.log.debug({ round, err: (err as Error).message }, 'discovery round failed')
    }
    if (this.controller === undefined) return
    this.core.handle({ type: 'discovery-result', now: Date.now(), round, newPeers: Math.max(0, peerList.size() - before), ok })
    this.poke()
  }

  private signal (timeoutMs: number): AbortSignal {
    const stop = this.controller?.signal ?? AbortSignal.abort()
    return AbortSignal.any([stop, AbortSignal.timeout(timeoutMs)])
  }
}

/** libp2p service factory for the topology maintainer. */
export function topology (init: TopologyInit): (components: TopologyComponents) => TopologyService {
  return components => new TopologyService(components, init)
}
