/**
 * The per-register target degree (SPEC §10): for each register the node serves, keep at least
 * `registerDegree` connections to peers serving it, dialling known serving peers and, when too few
 * are known, looking the register's providers up in the DHT. Part of the topology core: pure, driven
 * by the core's ticks and results.
 */
import type { DialCandidate, RegisterView, TopologyEffect, TopologyParams } from './types.ts'

/** What the register part reads and changes of the core's dial state. */
export interface DialState {
  /** Peers with a dial in flight (any reason). */
  dialing: Set<string>
  /** True while the peer backs off after a failed dial. */
  backingOff: (peerId: string, now: number) => boolean
}

interface Lookup { nextAt: number, fruitless: number }

/** Counters for the snapshot. */
export interface RegisterDegreeSnapshot {
  /** Served registers below the degree at the last tick. */
  short: string[]
  providerLookups: number
  providerLookupsInFlight: number
}

/** Keeps each served register's sub-mesh at its degree. */
export class RegisterDegree {
  private readonly params: TopologyParams
  /** Per served register: when its providers may next be looked up. Pruned to the served set at each tick. */
  private readonly lookups = new Map<string, Lookup>()
  private inFlight: string | undefined
  private lookupsDone = 0
  private short: string[] = []

  constructor (params: TopologyParams) {
    this.params = params
  }

  /** Dials serving peers for the registers below the degree; a provider lookup for one that lacks candidates. */
  tick (now: number, views: readonly RegisterView[], state: DialState, effects: TopologyEffect[]): void {
    const degree = this.params.registerDegree
    const served = new Set(views.map(v => v.registerId))
    for (const id of [...this.lookups.keys()]) if (!served.has(id)) this.lookups.delete(id)
    this.short = []
    if (degree <= 0) return
    for (const view of views) {
      const pending = view.candidates.filter(c => state.dialing.has(c.peerId)).length
      let missing = degree - view.connected - pending
      if (missing <= 0) continue
      this.short.push(view.registerId)
      for (const candidate of view.candidates) {
        if (missing <= 0 || state.dialing.size >= this.params.dialConcurrency) break
        if (!this.dialable(candidate, now, state)) continue
        state.dialing.add(candidate.peerId)
        missing--
        effects.push({ type: 'dial', peerId: candidate.peerId, addresses: candidate.addresses, bootstrap: false })
        effects.push({ type: 'trace', event: 'register-dial' })
      }
      // Too few serving peers known: ask the DHT for the register's providers (one lookup at a time).
      if (missing > 0) this.lookup(now, view.registerId, effects)
    }
  }

  private dialable (candidate: DialCandidate, now: number, state: DialState): boolean {
    return !state.dialing.has(candidate.peerId) && !state.backingOff(candidate.peerId, now)
  }

  private lookup (now: number, registerId: string, effects: TopologyEffect[]): void {
    if (this.inFlight !== undefined) return
    const entry = this.lookups.get(registerId)
    if (entry !== undefined && entry.nextAt > now) return
    this.inFlight = registerId
    this.lookupsDone++
    effects.push({ type: 'find-providers', registerId })
    effects.push({ type: 'trace', event: 'provider-lookup' })
  }

  /**
   * A lookup finished: the register's next one waits discoveryIntervalMs after one that found
   * providers, twice as long after each that found none, up to refreshIntervalMs.
   */
  result (now: number, registerId: string, found: number, ok: boolean): TopologyEffect[] {
    if (this.inFlight === registerId) this.inFlight = undefined
    const fruitless = ok && found > 0 ? 0 : (this.lookups.get(registerId)?.fruitless ?? 0) + 1
    const waitMs = Math.min(this.params.refreshIntervalMs, this.params.discoveryIntervalMs * 2 ** Math.max(0, fruitless - 1))
    this.lookups.set(registerId, { nextAt: now + waitMs, fruitless })
    return [{ type: 'trace', event: 'provider-lookup-done', data: { found, ok } }]
  }

  /** The earliest moment a short register may be looked up again (none while one is in flight). */
  nextWakeup (): number | undefined {
    if (this.inFlight !== undefined || this.short.length === 0) return undefined
    return Math.min(...this.short.map(id => this.lookups.get(id)?.nextAt ?? 0))
  }

  /** Forgets the lookup in flight (a stopped or restarted core). */
  reset (): void {
    this.inFlight = undefined
  }

  snapshot (): RegisterDegreeSnapshot {
    return { short: [...this.short], providerLookups: this.lookupsDone, providerLookupsInFlight: this.inFlight === undefined ? 0 : 1 }
  }
}
