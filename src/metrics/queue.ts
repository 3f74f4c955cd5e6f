/**
 * The queue domain: the durable outbound queue's depth by state, bytes, the age of its oldest
 * unconfirmed transaction and confirmations, all read from QueueStats at scrape time.
 */
import type { Registry } from 'prom-client'
import { collectedCounter, collectedGauge, seconds } from './families.ts'

/** Unconfirmed states of a transaction in the outbound queue (src/queue/types.ts). */
export const QUEUE_STATES = ['queued', 'announced'] as const

/** The queue figures read (a subset of QueueStats). */
export interface QueueStatsView {
  queued: number
  announced: number
  oldestAgeMs: number
  bytes: number
  maxDepth: number
  confirmed: number
}

/** The queue domain's metrics. */
export interface QueueMetrics {
  bind: (stats: () => QueueStatsView | undefined) => void
}

/** Creates the queue families in `registry`. */
export function createQueueMetrics (registry: Registry): QueueMetrics {
  let stats: () => QueueStatsView | undefined = () => undefined
  const one = (pick: (s: QueueStatsView) => number) => () => { const s = stats(); return s === undefined ? undefined : [{ value: pick(s) }] }
  collectedGauge({
    registry,
    name: 'sorcha_queue_transactions',
    help: 'Unconfirmed transactions in the outbound queue by state (their sum is the queue depth)',
    labelNames: ['state'],
    read: () => { const s = stats(); return s === undefined ? undefined : QUEUE_STATES.map(state => ({ labels: { state }, value: s[state] })) }
  })
  collectedGauge({ registry, name: 'sorcha_queue_max_transactions', help: 'The queue\'s depth limit (queue.maxDepth)', read: one(s => s.maxDepth) })
  collectedGauge({ registry, name: 'sorcha_queue_bytes', help: 'Payload bytes of the unconfirmed transactions', read: one(s => s.bytes) })
  collectedGauge({ registry, name: 'sorcha_queue_oldest_age_seconds', help: 'Age of the oldest unconfirmed transaction; 0 when the queue is empty', read: one(s => seconds(s.oldestAgeMs)) })
  collectedCounter({ registry, name: 'sorcha_queue_confirmed_total', help: 'Transactions confirmed (held by queue.confirmations peers) since start', read: one(s => s.confirmed) })
  return { bind: s => { stats = s } }
}
