/**
 * The node domain: open connections by direction and the connectivity state (protocols/connectivity),
 * read at scrape time. Event-loop lag is the process's (process.ts); start/stop hold its monitor.
 */
import type { Registry } from 'prom-client'
import { CONNECTIVITY_STATES } from '../../protocols/connectivity/constants.ts'
import { collectedGauge, stateSamples } from './families.ts'

/** Connection directions (libp2p's Connection.direction). */
export const DIRECTIONS = ['inbound', 'outbound'] as const

/** What the node domain reads. */
export interface NodeStateSource {
  connections: () => ReadonlyArray<{ direction: string }>
  /** The connectivity service's state; undefined when the node has none. */
  connectivityState?: () => string | undefined
}

/** The node domain's metrics. */
export interface NodeStateMetrics {
  bind: (source: NodeStateSource) => void
  /** The node runs: the process's event-loop monitor runs at least as long. Idempotent. */
  start: () => void
  /** Idempotent. */
  stop: () => void
}

/** Creates the node domain's families in `registry`. */
export function createNodeStateMetrics (registry: Registry, lag: { acquire: () => void, release: () => void }): NodeStateMetrics {
  let source: NodeStateSource | undefined
  let running = false
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
  return {
    bind: s => { source = s },
    start: () => {
      if (running) return
      running = true
      lag.acquire()
    },
    stop: () => {
      if (!running) return
      running = false
      lag.release()
    }
  }
}
