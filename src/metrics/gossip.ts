/**
 * The gossip domain, labelled by strategy: totals read from the distributor's own counters at scrape
 * time (published, received, delivered, duplicates, anti-entropy rounds, seen-set and store sizes,
 * reconciliation sessions), and what the distributor records as it happens: bytes by direction and
 * message kind and verdicts by code (plain counters, summed at scrape time: a few nanoseconds per
 * message), and histograms of fetch latency, first-receipt latency and hops (once per transaction:
 * plain bucket counts, bucket-histogram.ts).
 */
import type { Registry } from 'prom-client'
import { BucketHistogram, type HistogramSeries } from './bucket-histogram.ts'
import { collectedCounter, collectedGauge, LATENCY_BUCKETS_SECONDS, type Sample } from './families.ts'

/** Kinds of frame on the gossip protocol (SPEC.md §5), and `invalid` for a frame that did not decode. */
export const GOSSIP_KINDS = ['inv', 'getdata', 'notfound', 'summary', 'tree', 'chunk', 'invalid'] as const
export type GossipKind = typeof GOSSIP_KINDS[number]

/** The gossipsub strategy's one kind: its RPC frames (messages and control together). */
export const GOSSIPSUB_KINDS = ['rpc'] as const

/** Verdicts on a peer's message. */
export const VERDICTS = ['accept', 'ignore', 'reject'] as const

/** Largest number of distinct verdict codes counted (codes are an enum; this only bounds a mistake). */
const MAX_VERDICT_SERIES = 256

/** The distributor's counters as the metrics read them (a subset of DistributorStats). */
export interface GossipStatsView {
  strategy: string
  published: number
  delivered: number
  bodiesReceived: number
  store: { bytes: number, count: number }
  core?: { duplicateBodies: number, recent: number, summariesSent: number, graftsSent: number, prunesSent: number }
  servesDropped?: { pushes: number, requests: number }
  /** The gossipsub strategy's counts, from gossipsub itself. */
  gossipsub?: { duplicates: number, bytesIn: number, bytesOut: number }
  reconcile?: { sessionsStarted: number, sessionsAnswered: number, sessionsCompleted: number, sessionsFailed: number, needs: number, recovered: number }
}

/** What a distributor records (its optional `metrics` input). */
export interface GossipRecorder {
  bytesIn: (kind: GossipKind, bytes: number) => void
  bytesOut: (kind: GossipKind, bytes: number) => void
  verdict: (verdict: string, code: string) => void
  /** A requested body arrived complete, `ms` after the first request for it. */
  fetched: (ms: number) => void
  /** A new transaction was stored: its hops, and how long after its publisher's timestamp. */
  firstReceipt: (hops: number, ageMs: number) => void
}

/** The gossip domain's metrics. */
export interface GossipMetrics extends GossipRecorder {
  bind: (stats: () => GossipStatsView | undefined) => void
}

/** Creates the gossip families in `registry`. */
export function createGossipMetrics (registry: Registry): GossipMetrics {
  let stats: () => GossipStatsView | undefined = () => undefined
  let strategy = 'sorcha'
  const bytes = { in: new Float64Array(GOSSIP_KINDS.length), out: new Float64Array(GOSSIP_KINDS.length) }
  // verdict -> code -> count: no key string built per message.
  const verdicts = new Map<string, Map<string, number>>()
  let verdictSeries = 0
  const labelled = (value: number): Sample[] => [{ labels: { strategy }, value }]
  const total = (name: string, help: string, pick: (s: GossipStatsView) => number | undefined): void => {
    collectedCounter({ registry, name, help, labelNames: ['strategy'], read: () => { const s = stats(); const v = s === undefined ? undefined : pick(s); return v === undefined ? undefined : labelled(v) } })
  }
  const gauge = (name: string, help: string, pick: (s: GossipStatsView) => number | undefined): void => {
    collectedGauge({ registry, name, help, labelNames: ['strategy'], read: () => { const s = stats(); const v = s === undefined ? undefined : pick(s); return v === undefined ? undefined : labelled(v) } })
  }
  total('sorcha_gossip_published_total', 'Transactions published on this node', s => s.published)
  total('sorcha_gossip_received_total', 'Transaction bodies received from peers, duplicates included', s => s.bodiesReceived)
  total('sorcha_gossip_delivered_total', 'New transactions received from peers and stored (each once)', s => s.delivered)
  total('sorcha_gossip_duplicates_total', 'Bodies that arrived for a transaction already held or being fetched (gossipsub: already seen)', s => s.core?.duplicateBodies ?? s.gossipsub?.duplicates)
  total('sorcha_gossip_anti_entropy_rounds_total', 'Anti-entropy summaries sent (sorcha strategy)', s => s.core?.summariesSent)
  total('sorcha_gossip_tree_grafts_total', 'Push trees: grafts sent, i.e. times this node took a new neighbour as a publisher\'s parent (sorcha strategy, protocols/tx-gossip/SPEC.md §3.8)', s => s.core?.graftsSent)
  total('sorcha_gossip_tree_prunes_total', 'Push trees: prunes sent to neighbours that pushed bodies this node did not need (sorcha strategy)', s => s.core?.prunesSent)
  total('sorcha_gossip_pushes_dropped_total', 'Bodies not pushed to a peer because its send queue was full (sorcha strategy; the peer hears of them otherwise)', s => s.servesDropped?.pushes)
  total('sorcha_gossip_requests_refused_total', 'Requested bodies answered with notfound because the requester\'s send queue was full (sorcha strategy)', s => s.servesDropped?.requests)
  gauge('sorcha_gossip_seen_entries', 'Transactions in the recent set that summaries and duplicate checks use (sorcha strategy)', s => s.core?.recent)
  gauge('sorcha_gossip_store_transactions', 'Transactions in the store', s => s.store.count)
  gauge('sorcha_gossip_store_bytes', 'Payload bytes in the store', s => s.store.bytes)
  collectedCounter({
    registry,
    name: 'sorcha_gossip_bytes_total',
    help: 'Gossip protocol frame bytes by direction and message kind (gossipsub: kind `rpc`, its RPC frames)',
    labelNames: ['strategy', 'direction', 'kind'],
    read: () => {
      const g = stats()?.gossipsub
      if (g !== undefined) return [{ labels: { strategy, direction: 'in', kind: 'rpc' }, value: g.bytesIn }, { labels: { strategy, direction: 'out', kind: 'rpc' }, value: g.bytesOut }]
      return (['in', 'out'] as const).flatMap(direction => GOSSIP_KINDS.map((kind, i) => ({ labels: { strategy, direction, kind }, value: bytes[direction][i] ?? 0 })))
    }
  })
  collectedCounter({
    registry,
    name: 'sorcha_gossip_verdicts_total',
    help: 'Verdicts on peers\' gossip messages by verdict and code (protocols/tx-gossip/SPEC.md §4.4)',
    labelNames: ['strategy', 'verdict', 'code'],
    read: () => [...verdicts].flatMap(([verdict, codes]) => [...codes].map(([code, value]) => ({ labels: { strategy, verdict, code }, value })))
  })
  const reconcile = (outcome: 'started' | 'answered' | 'completed' | 'failed', pick: (r: NonNullable<GossipStatsView['reconcile']>) => number): Sample | undefined => {
    const r = stats()?.reconcile
    return r === undefined ? undefined : { labels: { strategy, outcome }, value: pick(r) }
  }
  collectedCounter({
    registry,
    name: 'sorcha_reconcile_sessions_total',
    help: 'Reconciliation sessions by outcome: started here, answered for a peer, completed, failed',
    labelNames: ['strategy', 'outcome'],
    read: () => {
      const samples = [reconcile('started', r => r.sessionsStarted), reconcile('answered', r => r.sessionsAnswered), reconcile('completed', r => r.sessionsCompleted), reconcile('failed', r => r.sessionsFailed)]
      return samples.every(s => s === undefined) ? undefined : samples.filter((s): s is Sample => s !== undefined)
    }
  })
  total('sorcha_reconcile_requested_total', 'Transactions that reconciliation found missing here and asked peers for', s => s.reconcile?.needs)
  total('sorcha_reconcile_recovered_total', 'Transactions found missing by reconciliation and since received and stored (anti-entropy\'s recoveries)', s => s.reconcile?.recovered)
  const fetch = new BucketHistogram({ name: 'sorcha_gossip_fetch_duration_seconds', help: 'From the first request for a body to its verified arrival (sorcha strategy)', labelNames: ['strategy'], buckets: LATENCY_BUCKETS_SECONDS, registers: [registry] })
  const receipt = new BucketHistogram({ name: 'sorcha_gossip_first_receipt_seconds', help: 'From the publisher\'s timestamp to the first receipt here (clocks of two machines)', labelNames: ['strategy'], buckets: [...LATENCY_BUCKETS_SECONDS, 60, 300], registers: [registry] })
  const hops = new BucketHistogram({ name: 'sorcha_gossip_hops', help: 'Relays a new transaction took to reach this node', labelNames: ['strategy'], buckets: [1, 2, 3, 4, 5, 6, 8, 10, 12, 16], registers: [registry] })
  // Each histogram's series of the node's strategy, taken again when bind() learns the strategy.
  const take = (): Record<'fetch' | 'receipt' | 'hops', HistogramSeries> => ({ fetch: fetch.series({ strategy }), receipt: receipt.series({ strategy }), hops: hops.series({ strategy }) })
  let series = take()
  // A property lookup, not a search of GOSSIP_KINDS, per frame.
  const index = Object.fromEntries(GOSSIP_KINDS.map((kind, i) => [kind, i])) as Record<GossipKind, number>
  const kindIndex = (kind: GossipKind): number => index[kind] ?? -1
  return {
    bind: read => {
      stats = read
      strategy = read()?.strategy ?? strategy
      series = take()
    },
    bytesIn: (kind, n) => { bytes.in[kindIndex(kind)]! += n },
    bytesOut: (kind, n) => { bytes.out[kindIndex(kind)]! += n },
    verdict: (verdict, code) => {
      let codes = verdicts.get(verdict)
      if (codes === undefined) verdicts.set(verdict, codes = new Map())
      const count = codes.get(code)
      if (count !== undefined) codes.set(code, count + 1)
      else if (verdictSeries < MAX_VERDICT_SERIES) { codes.set(code, 1); verdictSeries++ }
    },
    fetched: ms => { series.fetch.observe(ms / 1000) },
    firstReceipt: (h, ageMs) => {
      series.hops.observe(h)
      series.receipt.observe(Math.max(0, ageMs) / 1000)
    }
  }
}
