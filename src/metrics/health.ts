/**
 * The health and NAT domains: health pings by outcome with an RTT histogram (recorded by the health
 * monitor as each ping ends), health rounds, the network health score (read at scrape time), and the
 * NAT type and reachability as an info metric.
 */
import { Counter, type Registry } from 'prom-client'
import { BucketHistogram } from './bucket-histogram.ts'
import { CLASSIC_NAT_TYPES } from '../../protocols/stun/behaviour.ts'
import { collectedGauge, LATENCY_BUCKETS_SECONDS } from './families.ts'

/** AutoNAT's verdicts on our public addresses. */
export const REACHABILITIES = ['public', 'private', 'unknown'] as const

/** What these domains read. */
export interface HealthSource {
  /** The network health score, 0..100. */
  score?: () => number
  nat?: () => { natType: string, reachability: string }
}

/** What the health monitor records (its optional `metrics` input). */
export interface HealthRecorder {
  /** A ping answered in `rttMs`. */
  pingSucceeded: (rttMs: number) => void
  pingFailed: () => void
  roundDone: () => void
}

/** The health and NAT domains' metrics. */
export interface HealthMetrics extends HealthRecorder {
  bind: (source: HealthSource) => void
}

/** Creates the health and NAT families in `registry`. */
export function createHealthMetrics (registry: Registry): HealthMetrics {
  let source: HealthSource | undefined
  const pings = new Counter({ name: 'sorcha_health_pings_total', help: 'Health-check pings by outcome', labelNames: ['outcome'], registers: [registry] })
  const rtt = new BucketHistogram({ name: 'sorcha_health_ping_rtt_seconds', help: 'Round-trip time of answered health-check pings', buckets: LATENCY_BUCKETS_SECONDS, registers: [registry] }).series()
  const rounds = new Counter({ name: 'sorcha_health_rounds_total', help: 'Health rounds completed', registers: [registry] })
  pings.inc({ outcome: 'success' }, 0)
  pings.inc({ outcome: 'failure' }, 0)
  collectedGauge({
    registry,
    name: 'sorcha_health_score',
    help: 'The network health score, 0 (isolated) to 100, as NetworkHealth reports it',
    read: () => { const score = source?.score?.(); return score === undefined ? undefined : [{ value: score }] }
  })
  collectedGauge({
    registry,
    name: 'sorcha_nat_info',
    help: 'The NAT type and AutoNAT reachability, as labels of a series whose value is 1',
    labelNames: ['nat_type', 'reachability'],
    read: () => {
      const nat = source?.nat?.()
      if (nat === undefined) return undefined
      const natType = (CLASSIC_NAT_TYPES as readonly string[]).includes(nat.natType) ? nat.natType : 'unknown'
      const reachability = (REACHABILITIES as readonly string[]).includes(nat.reachability) ? nat.reachability : 'unknown'
      return [{ labels: { nat_type: natType, reachability }, value: 1 }]
    }
  })
  return {
    bind: s => { source = s },
    pingSucceeded: ms => { pings.inc({ outcome: 'success' }); rtt.observe(ms / 1000) },
    pingFailed: () => { pings.inc({ outcome: 'failure' }) },
    roundDone: () => { rounds.inc() }
  }
}
