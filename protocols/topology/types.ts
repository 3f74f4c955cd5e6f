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
  /** Keep discovering until the peer list holds this many peers... */
  targetKnownPeers: number
  /** ...or until this many exchanges and walks in a row found nothing new (the mesh is smaller and known). */
  exhaustedAfter: number
  /** While short of connections or known peers: the wait between walks (doubling after each that finds nothing)
   *  and before asking a neighbour again whose last answer taught us something. */
  discoveryIntervalMs: number
  /** At target, a walk at least this often, to keep the list fresh; also the cap of the walks' back-off. */
  refreshIntervalMs: number
  /** Longest wait before asking a connected peer for its peers again (a peer whose answers keep
   *  teaching us nothing backs off from discoveryIntervalMs up to this). */
  exchangeIntervalMs: number
  /** Peer exchanges in flight at once (walks run one at a time). */
  exchangeConcurrency: number
  /** How often the maintainer re-evaluates when nothing else is due. */
  tickIntervalMs: number
  /** Most peers whose dial backoff is remembered (oldest forgotten first). */
  maxTrackedPeers: number
  /** For each served register, keep at least this many connections to peers serving it (SPEC §10); 0 = off. */
  registerDegree: number
}

/** A register this node serves, as the adapter sees it at a tick. */
export interface RegisterView {
  registerId: string
  /** Connected peers serving it. */
  connected: number
  /** Known peers serving it (or providing it in the DHT) that are not connected, best first. */
  candidates: DialCandidate[]
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
  | { type: 'tick', now: number, connectedPeers: ReadonlySet<string>, knownPeers: number, candidates: DialCandidate[], registers?: readonly RegisterView[] }
  | { type: 'dial-result', now: number, peerId: string, ok: boolean }
  | { type: 'discovery-result', now: number, round: number, newPeers: number, ok: boolean }
  | { type: 'exchange-result', now: number, peerId: string, newPeers: number, ok: boolean }
  /** A provider lookup finished, having found `found` providers of the register. */
  | { type: 'providers-result', now: number, registerId: string, found: number, ok: boolean }

/** What the core asks the adapter to do. */
export type TopologyEffect =
  | { type: 'dial', peerId: string, addresses: string[], bootstrap: boolean }
  | { type: 'discover', round: number }
  /** Ask a connected peer for the peers it knows (peer exchange). */
  | { type: 'exchange', peerId: string }
  /** Look the register's providers up in the DHT (SPEC §10). */
  | { type: 'find-providers', registerId: string }
  | TraceEffect<TopologyTraceEvent>

/** Trace events, a bounded set (they become metric labels). */
export type TopologyTraceEvent = 'bootstrap-dial' | 'bootstrap-failed' | 'bootstrap-connected' | 'peer-dial' | 'peer-dial-failed' | 'discovery-round' | 'discovery-done' | 'exchange' | 'exchange-done' | 'isolated' | 'joined' | 'register-dial' | 'provider-lookup' | 'provider-lookup-done'
