/**
 * The node domain: open connections by direction, the connectivity state (protocols/connectivity)
 * and event-loop lag. All read at scrape time; the lag from a perf_hooks histogram sampled while the
 * metrics run (start/stop).
 */
import { monitorEventLoopDelay } from 'node:perf_hooks'
import type { Registry } from 'prom-client'
import { CONNECTIVITY_STATES } from '../../protocols/connectivity/constants.ts'
import { collectedGauge, seconds, stateSamples } from './families.ts'

/** Connection directions (libp2p's Connection.direction). */
export const DIRECTIONS = ['inbound', 'outbound'] as const

/** What the node domain reads. */
export interface NodeStateSource {
  connections: () => ReadonlyArray<{ direction: string }>
  /** The connectivity service's state; undefined when the node has none. */
  connectivityState?: () => string | undefined
}

/** Event-loop delay sampling resolution. */
const LAG_RESOLUTION_MS = 10

/** The node domain's metrics. */
export interface NodeStateMetrics {
  bind: (source: NodeStateSource) => void
  /** Starts sampling event-loop delay. Idempotent. */
  start: () => void
  /** Stops sampling. Idempotent. */
  stop: () => void
}

/** Creates the node domain's families in `registry`. */
export function createNodeStateMetrics (registry: Registry): NodeStateMetrics {
  let source: NodeStateSource | undefined
  let lag: ReturnType<typeof monitorEventLoopDelay> | undefined
  collectedGauge({
    registry,
    name: 'sorcha_node_connections',
    help: 'Open libp2p connections by direction',
    labelNames: ['direction'],
    read: () => {
      if (source === undefined) return undefined
      const counts = { inbound: 0, outbound: 0 }
      for (const c of source.connections()) if (c.direction === 'inbound' || c.direction === 'outbound') counts[c.direction]++
      return DIRECTIONS.map(direction => ({ labels: { direction }, value: counts[direction] }))
    }
  })
  collectedGauge({
    registry,
    name: 'sorcha_node_connectivity_state',
    help: 'The connectivity state: 1 for the current state, 0 for the others',
    labelNames: ['state'],
    read: () => stateSamples('state', CONNECTIVITY_STATES, source?.connectivityState?.())
  })
  collectedGauge({
    registry,
    name: 'sorcha_node_event_loop_lag_seconds',
    help: 'Largest event-loop delay seen since the previous scrape (the node\'s whole process)',
    read: () => {
      if (lag === undefined || lag.count === 0) return undefined
      const value = seconds(lag.max / 1e6)
      lag.reset()
      return [{ value }]
    }
  })
  return {
    bind: s => { source = s },
    start: () => {
      if (lag !== undefined) return
      lag = monitorEventLoopDelay({ resolution: LAG_RESOLUTION_MS })
      lag.enable()
    },
    stop: () => {
      lag?.disable()
      lag = undefined
    }
  }
}
