/**
 * A run plan: everything the engine needs, fully resolved from a scenario (defaults applied, churn
 * rates expanded into timed events from the seed). The engine takes a plan, never a raw scenario.
 */
import type { NetworkSpec } from '../network/network-model.ts'
import type { TopologySpec } from '../network/topology.ts'

/** A timed membership change. `count` nodes join/leave/crash, or `fraction` of the live nodes. */
export interface ChurnEvent {
  readonly atMs: number
  readonly kind: 'join' | 'leave' | 'crash'
  readonly count?: number
  readonly fraction?: number
  /** A join of attackers (adversary.sybil, adversary.eclipse): the joiners are attackers with this behaviour. */
  readonly attackers?: AttackerBehaviour
  /** A join linked to this node only (adversary.eclipse), instead of joinDegree random nodes. */
  readonly attachTo?: number
  /** With attachTo: links of that node kept when the joiners take its slots (the rest close). */
  readonly keepLinks?: number
}

/** What an attacker does (simulations/protocols/tx-gossip-adversary.ts). */
export type AttackerBehaviour = 'honest' | 'silent' | 'censor' | 'withhold' | 'flood'

/** The attackers of a run (scenario key `adversary`). */
export interface AdversaryPlan {
  /** Share of the initial nodes that are attackers (never publishers). */
  readonly fraction: number
  readonly behaviour: AttackerBehaviour
  /** Attackers behave until this time, then all turn at once (a covert flash). */
  readonly activeFromMs: number
  readonly flood: { readonly ids: number, readonly sizeBytes: number, readonly intervalMs: number }
  /** Honest nodes run the reputation core on their verdicts. */
  readonly reputation: boolean
}

/** The transactions a run publishes. */
export interface WorkloadPlan {
  readonly transactions: number
  /** Publications per second, evenly spaced. */
  readonly ratePerSec: number
  readonly startMs: number
  readonly sizeMinBytes: number
  readonly sizeMaxBytes: number
  /** Number of distinct publishers chosen at start, or 'all' for any live node. */
  readonly publishers: number | 'all'
  readonly registerId: string
}

/** A partition: `fraction` of the initial nodes (chosen from the seed) form side A. */
export interface PartitionPlan {
  readonly fromMs: number
  readonly toMs: number
  readonly fraction: number
}

/** An offline window: `fraction` of the live nodes (chosen from the seed) lose every link from `fromMs`, keep their state, and reconnect at `toMs`. */
export interface OfflinePlan {
  readonly fromMs: number
  readonly toMs: number
  readonly fraction: number
}

/** A fully resolved run. */
export interface RunPlan {
  readonly name: string
  readonly seed: number
  readonly nodes: number
  readonly durationMs: number
  readonly topology: TopologySpec
  readonly network: NetworkSpec
  /** Share of nodes behind NAT (cannot accept inbound connections). */
  readonly natFraction: number
  /** Delay before neighbours of a crashed node notice (a graceful leave is noticed after one latency). */
  readonly failureDetectionMs: number
  /** Connections a joining node opens. */
  readonly joinDegree: number
  readonly workload: WorkloadPlan
  readonly churn: readonly ChurnEvent[]
  readonly partitions: readonly PartitionPlan[]
  /** Offline windows (absent in plans built before they existed: none). */
  readonly offline?: readonly OfflinePlan[]
  /** Attackers (absent: every node is honest, and the engine adds nothing). */
  readonly adversary?: AdversaryPlan
  readonly protocol: string
  readonly protocolParams: unknown
  readonly sampleIntervalMs: number
}
