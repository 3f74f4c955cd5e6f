/**
 * The event log's types (docs/events.md): what a node records about its peers, its network and its
 * transactions, for operators to query and follow through the Events API.
 */

/** Every event type, snake_case with a domain prefix. */
export const NODE_EVENT_TYPES = [
  'peer_discovered', 'peer_connected', 'peer_disconnected', 'peer_status_changed', 'peer_score_changed',
  'peer_banned', 'peer_unbanned', 'peer_graylisted', 'peer_verdict', 'address_changed', 'nat_changed', 'connectivity_changed',
  'tx_published', 'tx_confirmed', 'tx_received', 'tx_fetch_failed', 'tx_recovered'
] as const

/** An event type. */
export type NodeEventType = typeof NODE_EVENT_TYPES[number]

/** Extra fields of an event: flat, JSON-safe values (docs/events.md lists them per type). */
export type EventData = Record<string, string | number | boolean>

/** One recorded event. */
export interface NodeEvent {
  /** Position in this node's log: increases by one per event, never reused (also the cursor). */
  seq: number
  /** When it happened (ms since the epoch). */
  atMs: number
  type: NodeEventType
  /** The peer it concerns, if any. */
  peerId?: string
  /** The transaction it concerns (64 hex characters), if any. */
  txId?: string
  /** A bounded reason code (disconnects, bans, verdicts, connectivity), if any. */
  reason?: string
  data: EventData
}

/** What a producer passes to emit(): everything but seq (and atMs, which defaults to now). */
export interface EmitFields {
  peerId?: string
  txId?: string
  reason?: string
  atMs?: number
  data?: EventData
}

/** One verdict on a peer's message (gossip), as the event log samples it. */
export interface VerdictInput { peer: string, verdict: 'accept' | 'ignore' | 'reject', code: string }

/** What a producer sees of the event log: an optional component named `eventLog`. */
export interface EventSink {
  emit: (type: NodeEventType, fields?: EmitFields) => void
  /**
   * Takes a verdict on a peer's message, one per message received: sampled into `peer_verdict`
   * events (verdicts.ts). A direct call rather than an event per message, which cost more than the rest.
   */
  verdict?: (verdict: VerdictInput) => void
}

/** Which events to read or follow; every given filter must match. */
export interface EventFilter {
  /** Any of these types. @default every type */
  types?: readonly NodeEventType[]
  peerId?: string
  txId?: string
  /** At or after this time (ms since the epoch). */
  sinceMs?: number
  /** Before this time (ms since the epoch). */
  untilMs?: number
}

/** A query of the stored log. */
export interface EventQuery extends EventFilter {
  /**
   * Resume after this sequence number (oldest first), or before it with `newestFirst`.
   * @default the start (the oldest held, or the newest with `newestFirst`)
   */
  cursor?: number
  /** @default false */
  newestFirst?: boolean
  /** @default EVENTS_PAGE_DEFAULT */
  limit?: number
}

/** One page of a query. */
export interface EventPage {
  events: NodeEvent[]
  /** Pass as `cursor` to continue in the same direction. */
  nextCursor: number
  /** True when more events may match beyond this page. */
  more: boolean
  /** The oldest sequence number the log holds now (0 when empty). */
  oldestSeq: number
  /** The newest sequence number issued so far (0 when none). */
  lastSeq: number
}

/** True for a known event type. */
export function isNodeEventType (text: string): text is NodeEventType {
  return (NODE_EVENT_TYPES as readonly string[]).includes(text)
}
