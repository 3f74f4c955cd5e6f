/**
 * The event log (docs/events.md): typed events, the persisted bounded ring, queries and live follow.
 * `eventLogContribution` adds it to a node as the `eventLog` service; producers reach it as an
 * optional component (`components.eventLog?.emit(...)`).
 */
import type { ServiceContribution } from '../node/sorcha-node.ts'
import { EVENT_LOG_SERVICE, EVENTS_SUBLEVEL } from './constants.ts'
import { EventLogService, type EventLogComponents, type EventLogInit } from './service.ts'
import type { EventSink } from './types.ts'

export * from './types.ts'
export { EVENT_LOG_SERVICE, EVENTS_SUBLEVEL } from './constants.ts'
export { EventLogService, type EventLogInit, type EventLogComponents, type EventLogStats } from './service.ts'
export { InvalidEventQueryError, validateQuery, matcher } from './query.ts'
export { noteDisconnectReason, takeDisconnectReason } from './disconnect-reasons.ts'

/** js-libp2p service factory: `services: { eventLog: eventLog(init) }`. */
export function eventLog (init: EventLogInit): (components: EventLogComponents) => EventLogService {
  return components => new EventLogService(components, init)
}

/** Adds the event log to a node, bounded by the `events` configuration section, persisted in the node's database. */
export const eventLogContribution: ServiceContribution = ({ config, storage }) => ({
  [EVENT_LOG_SERVICE]: eventLog({ db: storage.sublevel(EVENTS_SUBLEVEL), maxEntries: config.events.maxEntries, retentionMs: config.events.retentionMs })
})

/** The event log of a libp2p node's services, if it has one. */
export function eventLogOf (services: Record<string, unknown>): EventLogService | undefined {
  const service = services[EVENT_LOG_SERVICE]
  return service instanceof EventLogService ? service : undefined
}

/**
 * The event log among libp2p components, for a producer (`eventSinkOf(components)?.emit(...)`);
 * undefined when the node has none (libp2p's components throw for a missing service).
 */
export function eventSinkOf (components: object): EventSink | undefined {
  try {
    const sink = (components as Record<string, unknown>)[EVENT_LOG_SERVICE] as EventSink | undefined
    return typeof sink?.emit === 'function' ? sink : undefined
  } catch {
    return undefined
  }
}
