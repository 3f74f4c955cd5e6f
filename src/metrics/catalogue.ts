/**
 * The metrics catalogue: every sorcha_ family a node exports, with its type, help and labels, and
 * the values each label may take. docs/metrics.md is generated from it (src/tools/metrics-docs.ts)
 * and the unit tests check every family's labels against it.
 */
import { CONNECTIVITY_STATES } from '../../protocols/connectivity/constants.ts'
import { CLASSIC_NAT_TYPES } from '../../protocols/stun/behaviour.ts'
import { NODE_EVENT_TYPES } from '../events/types.ts'
import { STATUS_NAMES } from '../peers/names.ts'
import { STRATEGIES } from './families.ts'
import { APIS } from './gateway.ts'
import { GOSSIP_KINDS, GOSSIPSUB_KINDS, VERDICTS } from './gossip.ts'
import { REACHABILITIES } from './health.ts'
import { createNodeMetrics } from './index.ts'
import { DIRECTIONS } from './node-state.ts'
import { PEER_SOURCES } from './peers.ts'
import { LIMITED_PROTOCOLS } from '../limits/peer-limits.ts'
import { QUEUE_STATES } from './queue.ts'
import { BAN_REASONS } from './reputation.ts'
import { OFFENCES } from '../../protocols/reputation/index.ts'

/** A label's values: an enum's list, or a description of a bounded set that is not a fixed list. */
export type LabelValues = readonly string[] | { pattern: RegExp, description: string }

const RECONCILE_OUTCOMES = ['started', 'answered', 'completed', 'failed'] as const
const VERDICT_CODE = { pattern: /^[a-z0-9-]{1,48}$/, description: 'the protocol core\'s verdict code (protocols/tx-gossip/SPEC.md §4.4), e.g. `tx-valid`, `duplicate`, `bad-chunk`' }
const GATEWAY_METHOD = { pattern: /^(\/sorcha\.api\.v1\.[A-Za-z]+\/[A-Za-z]+|\/grpc\.[a-z.]+(v1|v1alpha)\.[A-Za-z]+\/[A-Za-z]+|(GET|HEAD|POST|PUT|DELETE|PATCH|OPTIONS) (\/[^ ]*|unmatched))$/, description: 'the gRPC method path (`/sorcha.api.v1.PeerDiscovery/GetNodeInfo`) or the REST route pattern (`GET /v1/peers/:peerId`); `unmatched` for a URL no route serves' }
const GATEWAY_STATUS = { pattern: /^([A-Z_]+|[1-5]\d\d)$/, description: 'the gRPC status name (`OK`, `NOT_FOUND`...) or the HTTP status code' }

/** The values of each label, by family and label (families without labels are absent). */
export const FAMILY_LABELS: Readonly<Record<string, Readonly<Record<string, LabelValues>>>> = {
  sorcha_node_connections: { direction: DIRECTIONS },
  sorcha_node_connectivity_state: { state: CONNECTIVITY_STATES },
  sorcha_peers_known: { status: STATUS_NAMES },
  sorcha_discovery_peers_found_total: { source: PEER_SOURCES },
  sorcha_peer_throttled_total: { protocol: LIMITED_PROTOCOLS },
  sorcha_health_pings_total: { outcome: ['success', 'failure'] },
  sorcha_reputation_offences_total: { offence: OFFENCES },
  sorcha_reputation_bans_total: { reason: BAN_REASONS },
  sorcha_nat_info: { nat_type: CLASSIC_NAT_TYPES, reachability: REACHABILITIES },
  sorcha_gossip_published_total: { strategy: STRATEGIES },
  sorcha_gossip_received_total: { strategy: STRATEGIES },
  sorcha_gossip_delivered_total: { strategy: STRATEGIES },
  sorcha_gossip_duplicates_total: { strategy: STRATEGIES },
  sorcha_gossip_anti_entropy_rounds_total: { strategy: STRATEGIES },
  sorcha_gossip_tree_grafts_total: { strategy: STRATEGIES },
  sorcha_gossip_tree_prunes_total: { strategy: STRATEGIES },
  sorcha_gossip_pushes_dropped_total: { strategy: STRATEGIES },
  sorcha_gossip_requests_refused_total: { strategy: STRATEGIES },
  sorcha_gossip_seen_entries: { strategy: STRATEGIES },
  sorcha_gossip_store_transactions: { strategy: STRATEGIES },
  sorcha_gossip_store_bytes: { strategy: STRATEGIES },
  sorcha_gossip_bytes_total: { strategy: STRATEGIES, direction: ['in', 'out'], kind: [...GOSSIP_KINDS, ...GOSSIPSUB_KINDS] },
  sorcha_gossip_verdicts_total: { strategy: STRATEGIES, verdict: VERDICTS, code: VERDICT_CODE },
  sorcha_reconcile_sessions_total: { strategy: STRATEGIES, outcome: RECONCILE_OUTCOMES },
  sorcha_reconcile_requested_total: { strategy: STRATEGIES },
  sorcha_reconcile_recovered_total: { strategy: STRATEGIES },
  sorcha_gossip_fetch_duration_seconds: { strategy: STRATEGIES },
  sorcha_gossip_first_receipt_seconds: { strategy: STRATEGIES },
  sorcha_gossip_hops: { strategy: STRATEGIES },
  sorcha_queue_transactions: { state: QUEUE_STATES },
  sorcha_gateway_requests_total: { api: APIS, method: GATEWAY_METHOD, status: GATEWAY_STATUS },
  sorcha_gateway_request_duration_seconds: { api: APIS, method: GATEWAY_METHOD },
  sorcha_gateway_open_streams: { api: APIS },
  sorcha_events_total: { type: NODE_EVENT_TYPES }
}

/** One family of the catalogue. */
export interface CatalogueEntry {
  name: string
  type: string
  help: string
  labels: string[]
}

/** Every sorcha_ family, in registration order (domain by domain). */
export function metricCatalogue (): CatalogueEntry[] {
  const { registry, process } = createNodeMetrics()
  return [...registry.getMetricsAsArray(), ...process.getMetricsAsArray()].map(metric => {
    // prom-client's metrics and ours (bucket-histogram.ts) all carry their Prometheus type.
    const m = metric as unknown as { name: string, help: string, labelNames?: readonly string[], type: string }
    return { name: m.name, type: m.type, help: m.help, labels: [...(m.labelNames ?? [])] }
  }).filter(e => e.name.startsWith('sorcha_'))
}

/** Whether `value` is allowed for a label. */
export function allows (values: LabelValues, value: string): boolean {
  return Array.isArray(values) ? values.includes(value) : (values as { pattern: RegExp }).pattern.test(value)
}
