/**
 * Liveness and readiness of a node, as orchestrators ask for them (docs/deployment.md, "Health and
 * readiness"). `evaluateReadiness` is a pure function of the node's state; `NodeProbes` holds that
 * state, which the node updates as it starts, stops and gains or loses peers, and tells listeners
 * (the gRPC health service) when the verdict changes.
 *
 * Ready = libp2p is listening AND the database is open AND (at least one peer is connected OR no
 * bootstrap peers are configured, i.e. this is a bootstrap node, which is useful alone) AND the
 * operator has not suspended the node (offline mode refuses every peer: not ready, whatever the rest).
 * Live = the node is not stopping (the answer itself shows that the event loop runs).
 */
import { TypedEventEmitter } from 'main-event'

/** Where the node is in its lifecycle. */
export type Lifecycle = 'stopped' | 'starting' | 'started' | 'stopping'

/** What readiness is computed from. */
export interface ProbeState {
  lifecycle: Lifecycle
  /** Listen addresses configured; 0 = a dial-only node. */
  listenAddresses: number
  /** libp2p listeners open. */
  listeners: number
  databaseOpen: boolean
  /** Peers with at least one open connection. */
  connectedPeers: number
  /** Bootstrap peers configured; 0 = this is a bootstrap node. */
  bootstrapPeers: number
  /** The operator suspended the node (offline mode, src/queue/connectivity-service.ts); absent = no. */
  suspended?: boolean
}

/** One readiness check. */
export interface Check {
  ok: boolean
  detail: string
}

/** The readiness verdict and its checks. */
export interface ReadinessReport {
  ready: boolean
  checks: { libp2p: Check, database: Check, peers: Check }
}

const plural = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`

function libp2pCheck (state: ProbeState): Check {
  if (state.lifecycle !== 'started') return { ok: false, detail: `node ${state.lifecycle}` }
  if (state.listenAddresses === 0) return { ok: true, detail: 'no listen addresses configured (dial-only)' }
  if (state.listeners === 0) return { ok: false, detail: 'not listening' }
  return { ok: true, detail: `listening (${plural(state.listeners, 'listener', 'listeners')})` }
}

/** The peers check's detail while the operator has the node suspended. */
export const SUSPENDED_DETAIL = 'suspended by the operator'

function peersCheck (state: ProbeState): Check {
  if (state.suspended === true) return { ok: false, detail: SUSPENDED_DETAIL }
  if (state.connectedPeers > 0) return { ok: true, detail: `${plural(state.connectedPeers, 'peer', 'peers')} connected` }
  if (state.bootstrapPeers === 0) return { ok: true, detail: 'no peers connected; this is a bootstrap node (no bootstrap peers configured)' }
  return { ok: false, detail: `no peers connected yet (${plural(state.bootstrapPeers, 'bootstrap peer', 'bootstrap peers')} configured)` }
}

/** The readiness verdict for `state`. */
export function evaluateReadiness (state: ProbeState): ReadinessReport {
  const checks = {
    libp2p: libp2pCheck(state),
    database: state.databaseOpen ? { ok: true, detail: 'open' } : { ok: false, detail: 'closed' },
    peers: peersCheck(state)
  }
  return { ready: checks.libp2p.ok && checks.database.ok && checks.peers.ok, checks }
}

/** True while the node is not stopping or stopped. */
export function isLive (state: ProbeState): boolean {
  return state.lifecycle === 'starting' || state.lifecycle === 'started'
}

/** What the probe endpoints and the gRPC health service read. */
export interface ProbeSource {
  live: () => boolean
  readiness: () => ReadinessReport
  addEventListener: (type: 'readiness:change', listener: (event: CustomEvent<ReadinessReport>) => void) => void
  removeEventListener: (type: 'readiness:change', listener: (event: CustomEvent<ReadinessReport>) => void) => void
}

/** Events of NodeProbes. */
export interface NodeProbesEvents {
  /** Readiness or liveness changed; the detail is the new readiness. */
  'readiness:change': CustomEvent<ReadinessReport>
}

/** A node's probe state; the node calls `update` as things change. */
export class NodeProbes extends TypedEventEmitter<NodeProbesEvents> implements ProbeSource {
  private current: ProbeState
  private verdict: string

  constructor (init: { listenAddresses: number, bootstrapPeers: number }) {
    super()
    this.current = { lifecycle: 'stopped', listeners: 0, databaseOpen: false, connectedPeers: 0, ...init }
    this.verdict = this.key()
  }

  /** The state readiness is computed from. */
  get state (): Readonly<ProbeState> {
    return this.current
  }

  /** Merges `change` into the state; tells listeners if liveness or a check's outcome changed. */
  update (change: Partial<ProbeState>): void {
    this.current = { ...this.current, ...change }
    const verdict = this.key()
    if (verdict === this.verdict) return
    this.verdict = verdict
    this.safeDispatchEvent('readiness:change', { detail: this.readiness() })
  }

  live (): boolean {
    return isLive(this.current)
  }

  readiness (): ReadinessReport {
    return evaluateReadiness(this.current)
  }

  private key (): string {
    const { checks } = this.readiness()
    return [this.live(), checks.libp2p.ok, checks.database.ok, checks.peers.ok].join()
  }
}
