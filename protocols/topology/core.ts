/**
 * The topology maintainer: keeps a node joined to the mesh and within its connection target.
 * A pure state machine (shared/CONVENTIONS.md §2): the adapter feeds it ticks with its view of the
 * connections and the peer list, and executes the dials and discovery rounds it asks for.
 * Rules and rationale: SPEC.md in this folder.
 */
import { backoffDelayMs } from '../common/backoff.ts'
import type { Core } from '../common/effects.ts'
import type { Rng } from '../common/rng.ts'
import type { BootstrapPeer, DialCandidate, TopologyEffect, TopologyInput, TopologyParams } from './types.ts'

interface Backoff { attempts: number, nextAt: number }

interface BootstrapState extends Backoff { peer: BootstrapPeer }

/** Counters exposed for status pages and tests. */
export interface TopologySnapshot {
  connected: number
  knownPeers: number
  isolated: boolean
  discoveryRounds: number
  discoveryInFlight: number
  burstRemaining: number
  dialsInFlight: number
  bootstrap: Record<string, { attempts: number, nextAt: number }>
}

/** The topology maintainer core for one node. */
export class TopologyCore implements Core<TopologyInput, TopologyEffect> {
  private readonly params: TopologyParams
  private readonly rng: Rng
  private running = false
  private readonly bootstrap = new Map<string, BootstrapState>()
  private readonly backoff = new Map<string, Backoff>()
  private readonly dialing = new Set<string>()
  private connected: ReadonlySet<string> = new Set()
  private knownPeers = 0
  private isolated = true
  private rounds = 0
  private roundsInFlight = 0
  private burstRemaining = 0
  private lastRoundAt = Number.NEGATIVE_INFINITY
  private nextTickAt: number | undefined

  constructor (params: TopologyParams, rng: Rng) {
    this.params = params
    this.rng = rng
  }

  handle (input: TopologyInput): TopologyEffect[] {
    switch (input.type) {
      case 'start': return this.onStart(input.now, input.bootstrap)
      case 'stop':
        this.running = false
        this.nextTickAt = undefined
        return []
      case 'tick': return this.onTick(input.now, input.connectedPeers, input.knownPeers, input.candidates)
      case 'dial-result': return this.onDialResult(input.now, input.peerId, input.ok)
      case 'discovery-result': return this.onDiscoveryResult(input.newPeers, input.ok)
    }
  }

  nextWakeup (): number | undefined {
    if (!this.running) return undefined
    let next = this.nextTickAt ?? 0
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
      burstRemaining: this.burstRemaining,
      dialsInFlight: this.dialing.size,
      bootstrap: Object.fromEntries([...this.bootstrap].map(([id, b]) => [id, { attempts: b.attempts, nextAt: b.nextAt }]))
    }
  }

  private onStart (now: number, peers: BootstrapPeer[]): TopologyEffect[] {
    if (this.running) return []
    this.running = true
    this.bootstrap.clear()
    // Random order spreads a crowd of joiners over the bootstrap nodes (SPEC §2).
    for (const peer of this.rng.shuffle(peers.slice())) this.bootstrap.set(peer.peerId, { peer, attempts: 0, nextAt: now })
    this.burstRemaining = this.params.burstRounds
    this.nextTickAt = now
    return []
  }

  private onTick (now: number, connected: ReadonlySet<string>, knownPeers: number, candidates: DialCandidate[]): TopologyEffect[] {
    if (!this.running) return []
    const effects: TopologyEffect[] = []
    this.connected = connected
    this.knownPeers = knownPeers
    this.trackIsolation(effects)
    if (connected.size < this.params.minConnections) {
      this.dialBootstrap(now, effects)
      this.dialCandidates(now, candidates, effects)
    }
    this.discover(now, effects)
    this.nextTickAt = now + this.params.tickIntervalMs
    return effects
  }

  /** Leaving or re-entering the mesh: a node that lost every connection joins again with a burst. */
  private trackIsolation (effects: TopologyEffect[]): void {
    const isolated = this.connected.size === 0
    if (isolated === this.isolated) return
    this.isolated = isolated
    if (isolated) {
      this.burstRemaining = this.params.burstRounds
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

  /** Burst rounds right after joining; then one round per interval while short of peers, and a periodic refresh (SPEC §4). */
  private discover (now: number, effects: TopologyEffect[]): void {
    if (this.connected.size === 0) return
    while (this.roundsInFlight < this.params.discoveryConcurrency) {
      const sinceLast = now - this.lastRoundAt
      const burst = this.burstRemaining > 0
      const due = burst ||
        (this.connected.size < this.params.minConnections && sinceLast >= this.params.discoveryIntervalMs) ||
        sinceLast >= this.params.refreshIntervalMs
      if (!due) return
      if (burst) this.burstRemaining--
      this.rounds++
      this.roundsInFlight++
      this.lastRoundAt = now
      effects.push({ type: 'discover', round: this.rounds })
      effects.push({ type: 'trace', event: 'discovery-round', data: { round: this.rounds, burst } })
      if (!burst) return
    }
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

  private onDiscoveryResult (newPeers: number, ok: boolean): TopologyEffect[] {
    this.roundsInFlight = Math.max(0, this.roundsInFlight - 1)
    // A burst ends early once walking stops paying off: the mesh is small or already known.
    if (ok && newPeers === 0) this.burstRemaining = 0
    return [{ type: 'trace', event: 'discovery-done', data: { newPeers, ok } }]
  }
}
