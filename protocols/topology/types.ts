/**
 * Inputs, effects and parameters of the topology maintainer core (see SPEC.md).
 */
import type { TraceEffect } from '../common/effects.ts'

/** Tuning of the maintainer; src/ fills it from the `connections` and `discovery` config sections. */
export interface TopologyParams {
  /** Below this many connections the maintainer dials known peers and discovers more. */
  minConnections: number
  /** Dials (to bootstrap or known peers) in flight at once. */
  dialConcurrency: number
  /** Bootstrap peers dialled at once. */
  bootstrapConcurrency: number
  /** Backoff for a failing bootstrap peer: first wait and cap, before jitter. */
  bootstrapBackoffInitialMs: number
  bootstrapBackoffMaxMs: number
  /** Backoff for any other failing peer. */
  peerBackoffInitialMs: number
  peerBackoffMaxMs: number
  /** Steady state: a discovery round at least this often while below minConnections. */
  discoveryIntervalMs: number
  /** Steady state: a discovery round at least this often regardless, to keep the peer list fresh. */
  refreshIntervalMs: number
  /** After joining (or re-joining from zero connections), up to this many back-to-back rounds, stopping early once a round finds nothing new. */
  burstRounds: number
  /** Discovery lookups in flight at once. */
  discoveryConcurrency: number
  /** How often the maintainer re-evaluates when nothing else is due. */
  tickIntervalMs: number
  /** Most peers whose dial backoff is remembered (oldest forgotten first). */
  maxTrackedPeers: number
}

/** A configured bootstrap peer. */
export interface BootstrapPeer {
  peerId: string
  addresses: string[]
}

/** A known peer the adapter offers as a dial candidate, best first. */
export interface DialCandidate {
  peerId: string
  addresses: string[]
}

/** What the core is told. Every input carries `now` (ms, the adapter's clock). */
export type TopologyInput =
  | { type: 'start', now: number, bootstrap: BootstrapPeer[] }
  | { type: 'stop', now: number }
  /** Periodic re-evaluation; the adapter supplies the current view it holds. */
  | { type: 'tick', now: number, connectedPeers: ReadonlySet<string>, knownPeers: number, candidates: DialCandidate[] }
  | { type: 'dial-result', now: number, peerId: string, ok: boolean }
  | { type: 'discovery-result', now: number, round: number, newPeers: number, ok: boolean }

/** What the core asks the adapter to do. */
export type TopologyEffect =
  | { type: 'dial', peerId: string, addresses: string[], bootstrap: boolean }
  | { type: 'discover', round: number }
  | TraceEffect<TopologyTraceEvent>

/** Trace events, a bounded set (they become metric labels). */
export type TopologyTraceEvent = 'bootstrap-dial' | 'bootstrap-failed' | 'bootstrap-connected' | 'peer-dial' | 'peer-dial-failed' | 'discovery-round' | 'discovery-done' | 'isolated' | 'joined'
