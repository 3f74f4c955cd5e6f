/**
 * The public types of the connectivity service (connectivity-service.ts): its status, events,
 * options, components and errors. The queue and the gateway import these.
 */
import type { Connection, Libp2pEvents, PeerId } from '@libp2p/interface'
import type { TypedEventTarget } from 'main-event'
import type { ConnectivityChange, ConnectivityReason, ConnectivityState } from '../../protocols/connectivity/index.ts'
import type { PeerList } from '../peers/types.ts'
import type { Sublevel } from '../storage/index.ts'

export type { ConnectivityChange, ConnectivityReason, ConnectivityState } from '../../protocols/connectivity/index.ts'

/** The service's name in the node's service map (`node.libp2p.services.connectivity`). */
export const CONNECTIVITY_SERVICE = 'connectivity'
/** The database sublevel that holds a persisted suspension. */
export const CONNECTIVITY_SUBLEVEL = 'connectivity'
/** Key of the persisted suspension in that sublevel. */
export const SUSPENSION_KEY = 'suspension'
/** How long closing the open connections on suspend may take before they are aborted. */
export const DEFAULT_CLOSE_TIMEOUT_MS = 5_000

/** The state as the API and the status line show it. */
export interface ConnectivityStatus {
  state: ConnectivityState
  reason: ConnectivityReason
  /** When the node entered `state` (ms since the epoch). */
  sinceMs: number
  /** The operator's note while suspended; '' otherwise. */
  note: string
  /** Distinct peers with an open connection now. */
  connectedPeers: number
  /** `connections.min`: the number of peers at which the node is online. */
  minConnections: number
}

/** Events of the service. */
export interface ConnectivityEvents {
  /** The state changed; `detail` is the transition. */
  'connectivity:change': CustomEvent<ConnectivityChange>
}

/** A service that offline mode pauses (the health monitor, the topology maintainer). */
export interface Suspendable {
  suspend: () => void
  resume: () => void
}

/** Options of the service; each defaults as documented. */
export interface ConnectivityInit {
  /** `connections.min`. @default 8 */
  minConnections?: number
  /** Bootstrap multiaddrs with /p2p/ (they count as something to dial). @default [] */
  bootstrap?: string[]
  /** Re-evaluate at least this often while not suspended. @default 1000 */
  recheckIntervalMs?: number
  /** @default 5000 */
  closeTimeoutMs?: number
  /** Where a suspension is persisted; without it a suspension lasts until the node stops. */
  db?: Sublevel
  /** Told when the node is suspended or resumed (readiness: a suspended node is not ready). */
  probes?: { update: (change: { suspended: boolean }) => void }
  /** @default Date.now */
  clock?: () => number
}

/** What the service uses from libp2p; `peerList`, `health` and `topology` are optional sibling services. */
export interface ConnectivityComponents {
  connectionManager: {
    getConnections: (peerId?: PeerId) => Connection[]
  }
  events: TypedEventTarget<Libp2pEvents>
  peerList?: Pick<PeerList, 'snapshot' | 'isBanned' | 'addEventListener' | 'removeEventListener'>
  health?: Suspendable
  topology?: Suspendable
}

/** The service is not running (before start or after stop). */
export class ConnectivityNotStartedError extends Error {
  override name = 'ConnectivityNotStartedError'
  constructor () {
    super('the connectivity service is not running')
  }
}
