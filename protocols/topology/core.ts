/**
 * The topology maintainer: keeps a node joined to the mesh and within its connection target.
 * A pure state machine (docs/conventions.md §2): the adapter feeds it ticks with its view of the
 * connections and the peer list, and executes the dials and discovery rounds it asks for.
 * Rules and rationale: SPEC.md in this folder.
 */
import { backoffDelayMs } from '../common/backoff.ts'
import type { Core } from '../common/effects.ts'
import type { Rng } from '../common/rng.ts'
import { RegisterDegree, type RegisterDegreeSnapshot } from './registers.ts'
import type { BootstrapPeer, DialCandidate, RegisterView, TopologyEffect, TopologyInput, TopologyParams } from './types.ts'

interface Backoff { attempts: number, nextAt: number }

interface BootstrapState extends Backoff { peer: BootstrapPeer }

/** Counters exposed for status pages and tests. */
export interface TopologySnapshot {
  connected: number
  knownPeers: number
  isolated: boolean
  discoveryRounds: number
  discoveryInFlight: number
  unproductiveRounds: number
  fruitlessResults: number
  dialsInFlight: number
  exchanges: number
  exchangesInFlight: number
  bootstrap: Record<string, { attempts: number, nextAt: number }>
  registers: RegisterDegreeSnapshot
}

/** The topology maintainer core for one node. */
export class TopologyCore implements Core<TopologyInput, TopologyEffect> {
  private readonly params: TopologyParams
  private readonly rng: Rng
  private running = false
  private readonly bootstrap = new Map<string, BootstrapState>()
  private readonly backoff = new Map<string, Backoff>()
  private readonly dialing = new Set<string>()
  private readonly exchanging = new Set<string>()
  /** When each peer may next be asked for its peers, and the wait that led there; bounded like `backoff`. */
  private readonly asked = new Map<string, { nextAt: number, waitMs: number }>()
  private exchanges = 0
  private connected: ReadonlySet<string> = new Set()
  private knownPeers = 0
  private isolated = true
  private rounds = 0
  private roundsInFlight = 0
  private unproductive = 0
  /** Consecutive exchanges and walks that found nothing new; at exhaustedAfter the mesh counts as known. */
  private fruitless = 0
  private lastRoundAt = Number.NEGATIVE_INFINITY
  private nextRoundAt = Number.NEGATIVE_INFINITY
  private nextTickAt: number | undefined
  private lastTickAt = 0
  private readonly registerDegree: RegisterDegree

  constructor (params: TopologyParams, rng: Rng) {
    this.params = params
    this.rng = rng
    this.registerDegree = new RegisterDegree(params)
  }

  handle (input: TopologyInput): TopologyEffect[] {
    switch (input.type) {
      case 'start': return this.onStart(input.now, input.bootstrap)
      case 'stop':
        this.running = false
        this.nextTickAt = undefined
        this.registerDegree.reset()
        return []
      case 'tick': return this.onTick(input.now, input.connectedPeers, input.knownPeers, input.candidates, input.registers ?? [])
      case 'providers-result': return this.registerDegree.result(input.now, input.registerId, input.found, input.ok)
      case 'dial-result': return this.onDialResult(input.now, input.peerId, input.ok)
      case 'discovery-result': return this.onDiscoveryResult(input.now, input.newPeers, input.ok)
      case 'exchange-result': return this.onExchangeResult(input.now, input.peerId, input.newPeers, input.ok)
    }
  }

  nextWakeup (): number | undefined {
    if (!this.running) return undefined
    let next = Math.min(this.nextTickAt ?? 0, this.registerDegree.nextWakeup() ?? Number.POSITIVE_INFINITY)
    if (this.connected.size > 0 && this.wanting() && this.exchanging.size < this.params.exchangeConcurrency) {
      for (const peerId of this.connected) {
        const entry = this.asked.get(peerId)
        if (!this.exchanging.has(peerId)) next = Math.min(next, entry?.nextAt ?? 0)
      }
    }
    if (this.connected.size > 0 && this.roundsInFlight === 0) {
      // While wanting, a walk waits for the neighbours to have been asked; their results wake us then.
      const neighboursDone = this.exchanging.size === 0 && this.askable(this.lastTickAt) === undefined
      if (!this.wanting()) next = Math.min(next, this.lastRoundAt + this.params.refreshIntervalMs)
      else if (neighboursDone) next = Math.min(next, this.nextRoundAt)
    }
    if (this.connected.size < this.params.minConnections) {
      for (const b of this.bootstrap.values()) {
        if (!this.dialing.has(b.peer.peerId) && !this.connected.has(b.peer.peerId)) next = Math.min(next, b.nextAt)
      }
    }
    return next
  }

  /** Counters for status and tests. */
  snapshot (): TopologySnapshot {
    return {
      connected: this.connected.size,
      knownPeers: this.knownPeers,
      isolated: this.isolated,
      discoveryRounds: this.rounds,
      discoveryInFlight: this.roundsInFlight,
      unproductiveRounds: this.unproductive,
      fruitlessResults: this.fruitless,
      dialsInFlight: this.dialing.size,
      exchanges: this.exchanges,
      exchangesInFlight: this.exchanging.size,
      bootstrap: Object.fromEntries([...this.bootstrap].map(([id, b]) => [id, { attempts: b.attempts, nextAt: b.nextAt }])),
      registers: this.registerDegree.snapshot()
    }
  }

  private onStart (now: number, peers: BootstrapPeer[]): TopologyEffect[] {
    if (this.running) return []
    this.running = true
    this.bootstrap.clear()
    // Random order spreads a crowd of joiners over the bootstrap nodes (SPEC §2).
    for (const peer of this.rng.shuffle(peers.slice())) this.bootstrap.set(peer.peerId, { peer, attempts: 0, nextAt: now })
    this.unproductive = 0
    this.nextRoundAt = now
    this.nextTickAt = now
    return []
  }

  private onTick (now: number, connected: ReadonlySet<string>, knownPeers: number, candidates: DialCandidate[], registers: readonly RegisterView[]): TopologyEffect[] {
    if (!this.running) return []
    const effects: TopologyEffect[] = []
    this.lastTickAt = now
    this.connected = connected
    // A peer list that grew (a peer dialled in, an advertisement) says the mesh still changes: discovery
    // that ran dry resumes (SPEC §4), or an early joiner of a crowd never learns the later ones.
    if (knownPeers > this.knownPeers) this.fruitless = 0
    this.knownPeers = knownPeers
    this.trackIsolation(effects)
    if (connected.size < this.params.minConnections) {
      this.dialBootstrap(now, effects)
      this.dialCandidates(now, candidates, effects)
    }
    this.registerDegree.tick(now, registers, { dialing: this.dialing, backingOff: (id, at) => (this.backoff.get(id)?.nextAt ?? 0) > at }, effects)
    if (this.wanting()) this.exchange(now, effects)
    this.discover(now, effects)
    this.nextTickAt = now + this.params.tickIntervalMs
    return effects
  }

  /** Leaving or re-entering the mesh: a node that lost every connection discovers afresh once back. */
  private trackIsolation (effects: TopologyEffect[]): void {
    const isolated = this.connected.size === 0
    if (isolated === this.isolated) return
    this.isolated = isolated
    if (isolated) {
      this.unproductive = 0
      this.fruitless = 0
      this.nextRoundAt = Number.NEGATIVE_INFINITY
      effects.push({ type: 'trace', event: 'isolated' })
    } else {
      effects.push({ type: 'trace', event: 'joined' })
    }
  }

  private dialBootstrap (now: number, effects: TopologyEffect[]): void {
    let inFlight = [...this.bootstrap.keys()].filter(id => this.dialing.has(id)).length
    for (const b of this.bootstrap.values()) {
      if (inFlight >= this.params.bootstrapConcurrency) break
      const id = b.peer.peerId
      if (this.connected.has(id) || this.dialing.has(id) || b.nextAt > now) continue
      this.dialing.add(id)
      inFlight++
      effects.push({ type: 'dial', peerId: id, addresses: b.peer.addresses, bootstrap: true })
      effects.push({ type: 'trace', event: 'bootstrap-dial', data: { attempt: b.attempts } })
    }
  }

  private dialCandidates (now: number, candidates: DialCandidate[], effects: TopologyEffect[]): void {
    const peerDials = [...this.dialing].filter(id => !this.bootstrap.has(id)).length
    let budget = Math.min(this.params.minConnections - this.connected.size - peerDials, this.params.dialConcurrency - this.dialing.size)
    for (const candidate of candidates) {
      if (budget <= 0) break
      const id = candidate.peerId
      if (this.connected.has(id) || this.dialing.has(id) || this.bootstrap.has(id)) continue
      if ((this.backoff.get(id)?.nextAt ?? 0) > now) continue
      this.dialing.add(id)
      budget--
      effects.push({ type: 'dial', peerId: id, addresses: candidate.addresses, bootstrap: false })
      effects.push({ type: 'trace', event: 'peer-dial' })
    }
  }

  /**
   * Kademlia walks, one at a time (SPEC §4). While short of connections or known peers: only once
   * every neighbour has been asked (exchange is cheaper: it dials nobody), and no sooner than
   * nextRoundAt. At target: one refresh walk per refreshIntervalMs.
   */
  private discover (now: number, effects: TopologyEffect[]): void {
    if (this.connected.size === 0 || this.roundsInFlight > 0) return
    const wanting = this.wanting()
    const due = wanting
      ? this.exchanging.size === 0 && this.askable(now) === undefined && now >= this.nextRoundAt
      : now - this.lastRoundAt >= this.params.refreshIntervalMs
    if (!due) return
    this.rounds++
    this.roundsInFlight++
    this.lastRoundAt = now
    effects.push({ type: 'discover', round: this.rounds })
    effects.push({ type: 'trace', event: 'discovery-round', data: { round: this.rounds, wanting } })
  }

  /**
   * Peer exchange: ask connected peers for the peers they know, never-asked first, then whoever is
   * due (SPEC §4). Cheap: it uses connections that exist.
   */
  private exchange (now: number, effects: TopologyEffect[]): void {
    while (this.exchanging.size < this.params.exchangeConcurrency) {
      const peerId = this.askable(now)
      if (peerId === undefined) return
      this.exchanging.add(peerId)
      this.exchanges++
      effects.push({ type: 'exchange', peerId })
      effects.push({ type: 'trace', event: 'exchange' })
    }
  }

  /** A connected peer to ask: one never asked if any, else the one due longest ago. */
  private askable (now: number): string | undefined {
    let best: string | undefined
    let bestAt = Number.POSITIVE_INFINITY
    for (const peerId of this.connected) {
      if (this.exchanging.has(peerId)) continue
      const entry = this.asked.get(peerId)
      if (entry === undefined) return peerId
      if (entry.nextAt <= now && entry.nextAt < bestAt) {
        best = peerId
        bestAt = entry.nextAt
      }
    }
    return best
  }

  /**
   * A peer is asked again after discoveryIntervalMs if its answer taught us something (it may have
   * learned more since), and otherwise after twice its previous wait, up to exchangeIntervalMs. New
   * neighbours are asked at once, so a joiner learns from each peer it connects to.
   */
  private onExchangeResult (now: number, peerId: string, newPeers: number, ok: boolean): TopologyEffect[] {
    this.exchanging.delete(peerId)
    this.tally(ok && newPeers > 0)
    const previous = this.asked.get(peerId)?.waitMs
    const waitMs = ok && newPeers > 0
      ? this.params.discoveryIntervalMs
      : Math.min(this.params.exchangeIntervalMs, Math.max(this.params.discoveryIntervalMs, (previous ?? 0) * 2))
    this.asked.delete(peerId) // re-insert: Map order is the eviction order
    this.asked.set(peerId, { nextAt: now + waitMs, waitMs })
    if (this.asked.size > this.params.maxTrackedPeers) this.asked.delete(this.asked.keys().next().value as string)
    return [{ type: 'trace', event: 'exchange-done', data: { newPeers, ok } }]
  }

  /** Short of connections or of known peers. */
  private wanting (): boolean {
    return this.connected.size < this.params.minConnections ||
      (this.knownPeers < this.params.targetKnownPeers && this.fruitless < this.params.exhaustedAfter)
  }

  /** Counts consecutive discovery results (exchanges and walks) that found no new peer. */
  private tally (productive: boolean): void {
    this.fruitless = productive ? 0 : this.fruitless + 1
  }

  private onDialResult (now: number, peerId: string, ok: boolean): TopologyEffect[] {
    this.dialing.delete(peerId)
    const boot = this.bootstrap.get(peerId)
    if (boot !== undefined) {
      if (ok) {
        boot.attempts = 0
        boot.nextAt = now
        return [{ type: 'trace', event: 'bootstrap-connected' }]
      }
      boot.nextAt = now + backoffDelayMs(boot.attempts, { initialMs: this.params.bootstrapBackoffInitialMs, maxMs: this.params.bootstrapBackoffMaxMs }, this.rng)
      boot.attempts++
      return [{ type: 'trace', event: 'bootstrap-failed', data: { attempt: boot.attempts } }]
    }
    if (ok) {
      this.backoff.delete(peerId)
      return []
    }
    const prev = this.backoff.get(peerId)
    const attempts = prev?.attempts ?? 0
    this.backoff.delete(peerId) // re-insert: Map order is the eviction order (oldest first)
    this.backoff.set(peerId, { attempts: attempts + 1, nextAt: now + backoffDelayMs(attempts, { initialMs: this.params.peerBackoffInitialMs, maxMs: this.params.peerBackoffMaxMs }, this.rng) })
    if (this.backoff.size > this.params.maxTrackedPeers) this.backoff.delete(this.backoff.keys().next().value as string)
    return [{ type: 'trace', event: 'peer-dial-failed' }]
  }

  /** The next walk waits discoveryIntervalMs after one that found peers, twice as long after each that found none (up to refreshIntervalMs). */
  private onDiscoveryResult (now: number, newPeers: number, ok: boolean): TopologyEffect[] {
    this.roundsInFlight = Math.max(0, this.roundsInFlight - 1)
    this.unproductive = ok && newPeers > 0 ? 0 : this.unproductive + 1
    this.tally(ok && newPeers > 0)
    this.nextRoundAt = now + Math.min(this.params.refreshIntervalMs, this.params.discoveryIntervalMs * 2 ** Math.max(0, this.unproductive - 1))
    return [{ type: 'trace', event: 'discovery-done', data: { newPeers, ok } }]
  }
}
