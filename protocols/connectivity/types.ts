/**
 * Inputs, effects and parameters of the connectivity core (SPEC.md).
 */
import type { TraceEffect } from '../common/effects.ts'
import type { CONNECTIVITY_REASONS, CONNECTIVITY_STATES } from './constants.ts'

/** Where the node stands with the network (SPEC.md §2). */
export type ConnectivityState = typeof CONNECTIVITY_STATES[number]

/** Why the state last changed (SPEC.md §3). */
export type ConnectivityReason = typeof CONNECTIVITY_REASONS[number]

/** Tuning of the core; src/ fills it from the configuration. */
export interface ConnectivityParams {
  /** `connections.min`: at or above this many connected peers (and at least one) the node is online. */
  minConnections: number
  /** While running and not suspended, re-evaluate at least this often (ms). @default 1000 */
  recheckIntervalMs?: number
}

/** What the adapter sees of the node at one moment. */
export interface ConnectivityView {
  /** Distinct peers with at least one open connection. */
  connected: number
  /**
   * What the node could dial now: configured bootstrap peers that are not banned, and known peers
   * the topology maintainer would dial. Only read while `connected` is 0; an adapter may report 0
   * otherwise, and only its comparison with 0 matters.
   */
  dialable: number
}

/** An operator's suspension as it is persisted (so that it survives a restart). */
export interface Suspension {
  /** The operator's words; '' when none were given. At most NOTE_MAX_CHARS. */
  note: string
  /** When the operator suspended the node (ms, the adapter's clock). */
  sinceMs: number
}

/** One transition, as the adapter publishes it (`connectivity:change`). */
export interface ConnectivityChange {
  from: ConnectivityState
  to: ConnectivityState
  reason: ConnectivityReason
  /** When it happened (ms, the adapter's clock). */
  atMs: number
  /** The operator's note when `to` is suspended; '' otherwise. */
  note: string
}

/** The current state and where it came from. */
export interface ConnectivitySnapshot {
  state: ConnectivityState
  reason: ConnectivityReason
  /** When the node entered `state` (for a suspension restored at start: when the operator suspended it). */
  sinceMs: number
  note: string
  /** The last view the core was given. */
  view: ConnectivityView
  minConnections: number
  running: boolean
}

/** What the core is told. Every input carries `now` (ms, the adapter's clock). */
export type ConnectivityInput =
  /** Begin; `suspension` is a suspension restored from storage, if any. */
  | { type: 'start', now: number, view: ConnectivityView, suspension?: Suspension }
  /** The adapter's current view (after a connection event, a dial, a peer-list change, or a wakeup). */
  | { type: 'observe', now: number, view: ConnectivityView }
  /** The operator takes the node off the network. */
  | { type: 'suspend', now: number, note?: string }
  /** The operator puts it back; `view` is the node's view at that moment. */
  | { type: 'resume', now: number, view: ConnectivityView }
  /** The node stops: no more effects or wakeups; the state is kept. */
  | { type: 'stop', now: number }

/** What the core asks the adapter to do. */
export type ConnectivityEffect =
  /** The state changed: publish it. */
  | { type: 'transition', change: ConnectivityChange }
  /**
   * Enter suspension: persist it, refuse every new connection both ways, close the open ones,
   * suspend the health monitor and discovery.
   */
  | { type: 'enter-suspension', suspension: Suspension }
  /** Leave suspension: forget the persisted one, undo all of the above, dial at once. */
  | { type: 'leave-suspension' }
  | TraceEffect<ConnectivityTraceEvent>

/** Trace events, a bounded set. */
export type ConnectivityTraceEvent = 'suspend-ignored' | 'resume-ignored' | 'observed-while-suspended'
