/**
 * Whether the node can send, for the queue: the connectivity service's state when the node runs one
 * (online or degraded; CONTRACTS16.md), else "at least one peer is connected". The service is an
 * optional component in the js-libp2p style: looked up by name, never required.
 */
import { USABLE_CONNECTIVITY_STATES, type ConnectivityView } from './types.ts'

/** The libp2p service name of the connectivity service. */
export const CONNECTIVITY_SERVICE = 'connectivity'

function isConnectivity (value: unknown): value is ConnectivityView {
  const v = value as Partial<ConnectivityView> | null | undefined
  return typeof v?.state === 'string' && typeof v.addEventListener === 'function' && typeof v.removeEventListener === 'function'
}

/** The connectivity service among libp2p's components, if the node runs one (libp2p throws for a missing component). */
export function connectivityOf (components: unknown): ConnectivityView | undefined {
  try {
    const service = (components as Record<string, unknown>)[CONNECTIVITY_SERVICE]
    return isConnectivity(service) ? service : undefined
  } catch {
    return undefined
  }
}

/** "The node can send now", from the connectivity service or, without one, from the open connections. */
export function sendingCheck (connectivity: ConnectivityView | undefined, connections: () => number): () => boolean {
  if (connectivity !== undefined) return () => USABLE_CONNECTIVITY_STATES.has(connectivity.state)
  return () => connections() > 0
}
