/**
 * The gossipsub strategy's traffic counters, read from gossipsub itself: @libp2p/gossipsub counts
 * messages (valid, duplicate, invalid before validation) and RPC bytes in and out only through its
 * `metricsRegister` option. This register keeps the five sums the node's metrics need (the same
 * families as the sorcha strategy: received, duplicates, bytes by direction) and gives gossipsub
 * inert objects for the rest of its ~100 series, whose labels (topics, peers' scores) the node does
 * not export. Each counted call is one addition.
 */
import type { MetricsRegister } from '@libp2p/gossipsub/metrics'

/** What gossipsub has counted since start. */
export interface GossipsubCounts {
  /** Messages received before validation that passed gossipsub's checks, duplicates excluded. */
  valid: number
  /** Copies of a message already seen (gossipsub's seen cache), dropped before validation. */
  duplicates: number
  /** Messages gossipsub judged invalid before validation (bad signature policy, ...). */
  invalid: number
  /** RPC bytes received and sent (gossipsub's frames, length prefixes excluded). */
  bytesIn: number
  bytesOut: number
}

/** gossipsub's series and the sum each feeds. */
const CAPTURED: Readonly<Record<string, keyof GossipsubCounts>> = {
  gossipsub_pre_validation_valid_total: 'valid',
  gossipsub_pre_validation_duplicate_total: 'duplicates',
  gossipsub_pre_validation_invalid_total: 'invalid',
  gossipsub_rpc_recv_bytes_total: 'bytesIn',
  gossipsub_rpc_sent_bytes_total: 'bytesOut'
}

const inert = { inc () {}, set () {}, addCollect () {}, observe () {}, reset () {}, startTimer: () => () => {} }

/** A register for gossipsub's `metricsRegister` option, and the sums it keeps. */
export function gossipsubCounters (): { register: MetricsRegister, counts: Readonly<GossipsubCounts> } {
  const counts: GossipsubCounts = { valid: 0, duplicates: 0, invalid: 0, bytesIn: 0, bytesOut: 0 }
  const gauge = (config: { name: string }): unknown => {
    const key = CAPTURED[config.name]
    if (key === undefined) return inert
    // inc(value?) without labels, inc(labels, value?) with: the sum ignores labels (topics).
    return {
      ...inert,
      inc: (a?: number | object, b?: number) => { counts[key] += typeof a === 'number' ? a : (b ?? 1) }
    }
  }
  const register = { gauge, histogram: () => inert, avgMinMax: () => inert } as unknown as MetricsRegister
  return { register, counts }
}
