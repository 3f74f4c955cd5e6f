/**
 * The network health score, 0..100, from this node's point of view (SPEC.md §7,
 * docs/peers-and-health.md). Three questions, each answered as a fraction in [0, 1]:
 * - connectivity: am I connected enough? open connections / connections.min, capped at 1;
 * - reachability: are the peers I have judged alive? healthy / (healthy + degraded + unreachable);
 * - latency: are they responsive? the median RTT of the last round, 1 at ≤ 100 ms, 0 at ≥ 1000 ms.
 * score = 100 × (0.4·C + 0.4·R + 0.2·L) / (sum of the weights present); 0 with no connection at all.
 */
import { NETWORK_LATENCY_BAD_MS, NETWORK_LATENCY_GOOD_MS, NETWORK_WEIGHTS } from './constants.ts'

/** What the network health score is computed from. */
export interface NetworkHealthInputs {
  /** Open connections (distinct peers). */
  connections: number
  /** The connection target (`connections.min`); 0 is treated as 1. */
  minConnections: number
  /** Peers in the list by firsthand verdict. */
  healthy: number
  degraded: number
  unreachable: number
  /** RTTs measured in the last health round (ms); empty when none was measured. */
  latenciesMs: readonly number[]
}

/** The score and its parts, so a dashboard can show why. */
export interface NetworkHealth {
  score: number
  connectivity: number
  reachability: number
  /** undefined when no RTT was measured; its weight is then left out. */
  latency: number | undefined
  medianLatencyMs: number | undefined
}

/** Median of a list of numbers; undefined when empty. */
export function median (values: readonly number[]): number | undefined {
  const finite = values.filter(Number.isFinite).sort((a, b) => a - b)
  if (finite.length === 0) return undefined
  const mid = finite.length >> 1
  return finite.length % 2 === 1 ? finite[mid] : ((finite[mid - 1] ?? 0) + (finite[mid] ?? 0)) / 2
}

/** Latency fraction: 1 at or below 100 ms, 0 at or above 1000 ms, linear between. */
export function latencyFraction (medianMs: number): number {
  const span = NETWORK_LATENCY_BAD_MS - NETWORK_LATENCY_GOOD_MS
  return Math.min(1, Math.max(0, (NETWORK_LATENCY_BAD_MS - medianMs) / span))
}

/** Computes the network health score (see the module comment for the formula). */
export function networkHealth (inputs: NetworkHealthInputs): NetworkHealth {
  const connectivity = Math.min(1, Math.max(0, inputs.connections) / Math.max(1, inputs.minConnections))
  const judged = inputs.healthy + inputs.degraded + inputs.unreachable
  const reachability = judged > 0 ? inputs.healthy / judged : 0
  const medianLatencyMs = median(inputs.latenciesMs)
  const latency = medianLatencyMs === undefined ? undefined : latencyFraction(medianLatencyMs)
  const w = NETWORK_WEIGHTS
  const weighted = w.connectivity * connectivity + w.reachability * reachability + (latency === undefined ? 0 : w.latency * latency)
  const total = w.connectivity + w.reachability + (latency === undefined ? 0 : w.latency)
  // An isolated node can neither send nor receive anything, whatever its (stale) list says.
  const score = inputs.connections <= 0 ? 0 : Math.round(100 * weighted / total)
  return { score, connectivity, reachability, latency, medianLatencyMs }
}
