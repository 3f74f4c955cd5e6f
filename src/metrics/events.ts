/**
 * The events domain: events the node's event log (src/events) recorded, by type, and how many it
 * holds, read from its stats() at scrape time.
 */
import type { Registry } from 'prom-client'
import { NODE_EVENT_TYPES, type NodeEventType } from '../events/types.ts'
import { collectedCounter, collectedGauge } from './families.ts'

/** The event-log figures read (a subset of EventLogStats). */
export interface EventLogStatsView {
  stored: number
  emitted: Partial<Record<NodeEventType, number>>
  droppedUnwritten: number
}

/** The events domain's metrics. */
export interface EventsMetrics {
  bind: (stats: () => EventLogStatsView | undefined) => void
}

/** Creates the events families in `registry`. */
export function createEventsMetrics (registry: Registry): EventsMetrics {
  let stats: () => EventLogStatsView | undefined = () => undefined
  collectedCounter({
    registry,
    name: 'sorcha_events_total',
    help: 'Events recorded by the event log since start, by type (docs/events.md)',
    labelNames: ['type'],
    read: () => { const s = stats(); return s === undefined ? undefined : NODE_EVENT_TYPES.map(type => ({ labels: { type }, value: s.emitted[type] ?? 0 })) }
  })
  collectedGauge({ registry, name: 'sorcha_events_stored', help: 'Events the event log holds (bounded by events.maxEntries and events.retentionMs)', read: () => { const s = stats(); return s === undefined ? undefined : [{ value: s.stored }] } })
  collectedCounter({ registry, name: 'sorcha_events_dropped_total', help: 'Events lost before they were written because the database fell far behind', read: () => { const s = stats(); return s === undefined ? undefined : [{ value: s.droppedUnwritten }] } })
  return { bind: s => { stats = s } }
}
