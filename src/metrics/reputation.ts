/**
 * The reputation domain (docs/security.md): offences reported by offence, bans made by reason code,
 * disconnects, and at scrape time the peers graylisted, tracked and banned.
 */
import { Counter, type Registry } from 'prom-client'
import { OFFENCES } from '../../protocols/reputation/index.ts'
import { collectedGauge } from './families.ts'

/** Ban reason codes as metric labels: an offence, `admin`, or `other` (a ban made without a code). */
export const BAN_REASONS = [...OFFENCES, 'admin', 'other'] as const

/** What the reputation domain reads at scrape time. */
export interface ReputationSource {
  graylisted?: () => number
  tracked?: () => number
  banned?: () => number
}

/** What the reputation service records (its optional `metrics` input). */
export interface ReputationRecorder {
  offence: (offence: string) => void
  disconnected: () => void
}

/** The reputation domain's metrics. */
export interface ReputationMetrics extends ReputationRecorder {
  bind: (source: ReputationSource) => void
  /** A ban was made (by reputation or an operator), with its reason code. */
  banned: (code: string) => void
  /** The gater refused a peer because its IP range was full. */
  rangeRefused: () => void
}

/** Creates the reputation families in `registry`. */
export function createReputationMetrics (registry: Registry): ReputationMetrics {
  let source: ReputationSource | undefined
  const offences = new Counter({ name: 'sorcha_reputation_offences_total', help: 'Offences reported against peers, by offence code', labelNames: ['offence'], registers: [registry] })
  const bans = new Counter({ name: 'sorcha_reputation_bans_total', help: 'Bans made, by reason code (an offence, admin, or other)', labelNames: ['reason'], registers: [registry] })
  const refusals = new Counter({ name: 'sorcha_reputation_ip_range_refusals_total', help: 'Connections and dials refused because the peer\'s /24 (IPv4) or /48 (IPv6) already had connections.maxPeersPerIpRange peers', registers: [registry] })
  const disconnects = new Counter({ name: 'sorcha_reputation_disconnects_total', help: 'Peers disconnected (not banned) for their misbehaviour score', registers: [registry] })
  const gauge = (name: string, help: string, read: (s: ReputationSource) => number | undefined): void => {
    collectedGauge({ registry, name, help, read: () => { const v = source === undefined ? undefined : read(source); return v === undefined ? undefined : [{ value: v }] } })
  }
  gauge('sorcha_reputation_graylisted_peers', 'Peers graylisted now (their announcements and requests are ignored)', s => s.graylisted?.())
  gauge('sorcha_reputation_tracked_peers', 'Peers whose misbehaviour score is tracked (at most reputation.maxTracked)', s => s.tracked?.())
  gauge('sorcha_reputation_banned_peers', 'Peers under an active ban in the peer list', s => s.banned?.())
  const known = (list: readonly string[], value: string, fallback: string): string => list.includes(value) ? value : fallback
  return {
    bind: s => { source = s },
    offence: name => { offences.inc({ offence: known(OFFENCES, name, 'protocol_violation') }) },
    disconnected: () => { disconnects.inc() },
    rangeRefused: () => { refusals.inc() },
    banned: code => { bans.inc({ reason: known(BAN_REASONS, code, 'other') }) }
  }
}
