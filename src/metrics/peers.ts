/**
 * The peers and discovery domains: known peers by status (the peer list's counts), bans, peers
 * found by source, discovery rounds and peer exchanges (the topology core's counters).
 */
import type { Registry } from 'prom-client'
import { Counter } from 'prom-client'
import { STATUS_NAMES } from '../peers/names.ts'
import { collectedCounter, collectedGauge } from './families.ts'
import { LIMITED_PROTOCOLS } from '../limits/peer-limits.ts'

/** Where the peer list learnt of a peer (PeerSource, lower-case). */
export const PEER_SOURCES = ['unknown', 'bootstrap', 'inbound', 'dht', 'peer_exchange', 'manual'] as const

/** What these domains read. */
export interface PeersSource {
  countByStatus?: () => Record<string, number>
  topology?: () => { discoveryRounds: number, exchanges: number } | undefined
  /** Messages or streams refused by the per-peer limits (src/limits), by protocol. */
  throttled?: () => Record<string, number>
}

/** The peers and discovery domains' metrics. */
export interface PeersMetrics {
  bind: (source: PeersSource) => void
  /** A peer was banned (new ban or changed ban). */
  banned: () => void
  /** A peer was unbanned. */
  unbanned: () => void
  /** A new peer entered the peer list. */
  found: (source: string) => void
}

/** Creates the peers and discovery families in `registry`. */
export function createPeersMetrics (registry: Registry): PeersMetrics {
  let source: PeersSource | undefined
  collectedGauge({
    registry,
    name: 'sorcha_peers_known',
    help: 'Peers in the peer list by status',
    labelNames: ['status'],
    read: () => {
      const counts = source?.countByStatus?.()
      return counts === undefined ? undefined : STATUS_NAMES.map(status => ({ labels: { status }, value: counts[status] ?? 0 }))
    }
  })
  const bans = new Counter({ name: 'sorcha_peers_bans_total', help: 'Bans made (a new ban, or a ban extended or given a new reason)', registers: [registry] })
  const unbans = new Counter({ name: 'sorcha_peers_unbans_total', help: 'Bans lifted (expired or by an operator)', registers: [registry] })
  const found = new Counter({ name: 'sorcha_discovery_peers_found_total', help: 'New peers added to the peer list, by how they were learnt', labelNames: ['source'], registers: [registry] })
  collectedCounter({
    registry,
    name: 'sorcha_discovery_rounds_total',
    help: 'Discovery rounds (DHT walks) started by the topology maintainer',
    read: () => { const t = source?.topology?.(); return t === undefined ? undefined : [{ value: t.discoveryRounds }] }
  })
  collectedCounter({
    registry,
    name: 'sorcha_discovery_exchanges_total',
    help: 'Peer exchanges (asking a neighbour for its peers) started',
    read: () => { const t = source?.topology?.(); return t === undefined ? undefined : [{ value: t.exchanges }] }
  })
  collectedCounter({
    registry,
    name: 'sorcha_peer_throttled_total',
    help: 'Messages, requested items or streams from peers dropped or refused by a per-peer token bucket (docs/security.md "Per-peer limits"), by protocol',
    labelNames: ['protocol'],
    read: () => {
      const counts = source?.throttled?.()
      return counts === undefined ? undefined : LIMITED_PROTOCOLS.map(protocol => ({ labels: { protocol }, value: counts[protocol] ?? 0 }))
    }
  })
  return {
    bind: s => { source = s },
    banned: () => { bans.inc() },
    unbanned: () => { unbans.inc() },
    found: name => { found.inc({ source: (PEER_SOURCES as readonly string[]).includes(name) ? name : 'unknown' }) }
  }
}
