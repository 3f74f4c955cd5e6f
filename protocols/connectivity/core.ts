/**
 * The connectivity state machine: where the node stands with the network (offline, connecting,
 * online, degraded) and the operator's override (suspended). A pure core (docs/conventions.md §2):
 * the adapter feeds it views of the node with `now`, and executes the effects it returns. Rules and
 * rationale: SPEC.md in this folder.
 */
import type { Core } from '../common/effects.ts'
import { DEFAULT_RECHECK_INTERVAL_MS, HISTORY_MAX, NOTE_MAX_CHARS } from './constants.ts'
import type {
  ConnectivityChange, ConnectivityEffect, ConnectivityInput, ConnectivityParams, ConnectivityReason, ConnectivitySnapshot,
  ConnectivityState, ConnectivityView, Suspension
} from './types.ts'

/**
 * The state a view means, when not suspended (SPEC.md §2): online at `minConnections` connected
 * peers (and at least one), degraded below that, and with no peer connected, connecting while there
 * is something to dial, offline otherwise.
 */
export function classify (view: ConnectivityView, minConnections: number): Exclude<ConnectivityState, 'suspended'> {
  const connected = count(view.connected)
  if (connected > 0) return connected >= Math.max(1, minConnections) ? 'online' : 'degraded'
  return count(view.dialable) > 0 ? 'connecting' : 'offline'
}

/** True in the states where the node can reach peers (the outbound queue flushes in these). */
export function isUsable (state: ConnectivityState): boolean {
  return state === 'online' || state === 'degraded'
}

/**
 * An operator's note as the core keeps it: control characters become spaces, surrounding space is
 * trimmed, and it is cut to NOTE_MAX_CHARS. (The API refuses longer notes before they get here.)
 */
export function cleanNote (note: string | undefined): string {
  // eslint-disable-next-line no-control-regex
  return (note ?? '').replace(/[\u0000-\u001f\u007f]/g, ' ').trim().slice(0, NOTE_MAX_CHARS)
}

/** A count as the core reads it: a non-negative integer (anything else counts as 0). */
function count (n: number): number {
  return Number.isFinite(n) && n > 0 ? Math.floor(n) : 0
}

/**
 * Why a view changed the state (SPEC.md §3): a change in connected peers explains it first; with the
 * same number connected, only `dialable` crossing zero can change the state.
 */
function reasonFor (previous: ConnectivityView, next: ConnectivityView): ConnectivityReason {
  if (count(next.connected) > count(previous.connected)) return 'peer_connected'
  if (count(next.connected) < count(previous.connected)) return 'peer_disconnected'
  return count(next.dialable) > 0 ? 'peers_available' : 'nothing_to_dial'
}

const NO_VIEW: ConnectivityView = Object.freeze({ connected: 0, dialable: 0 })

/** The connectivity core for one node. */
export class ConnectivityCore implements Core<ConnectivityInput, ConnectivityEffect> {
  private readonly minConnections: number
  private readonly recheckIntervalMs: number
  private running = false
  private state: ConnectivityState = 'offline'
  private reason: ConnectivityReason = 'node_started'
  private sinceMs = 0
  private note = ''
  private view: ConnectivityView = NO_VIEW
  private lastObservedAt = 0
  private readonly changes: ConnectivityChange[] = []

  constructor (params: ConnectivityParams) {
    this.minConnections = count(params.minConnections)
    this.recheckIntervalMs = Math.max(1, params.recheckIntervalMs ?? DEFAULT_RECHECK_INTERVAL_MS)
  }

  handle (input: ConnectivityInput): ConnectivityEffect[] {
    if (input.type === 'start') return this.onStart(input.now, input.view, input.suspension)
    if (!this.running) return []
    switch (input.type) {
      case 'observe': return this.onObserve(input.now, input.view)
      case 'suspend': return this.onSuspend(input.now, input.note)
      case 'resume': return this.onResume(input.now, input.view)
      case 'stop':
        this.running = false
        return []
    }
  }

  /** While running and not suspended: the next re-evaluation (`recheckIntervalMs` after the last view). */
  nextWakeup (): number | undefined {
    if (!this.running || this.state === 'suspended') return undefined
    return this.lastObservedAt + this.recheckIntervalMs
  }

  /** The current state and what it came from. */
  snapshot (): ConnectivitySnapshot {
    return {
      state: this.state, reason: this.reason, sinceMs: this.sinceMs, note: this.note,
      view: { ...this.view }, minConnections: this.minConnections, running: this.running
    }
  }

  /** The last HISTORY_MAX transitions, oldest first. */
  history (): ConnectivityChange[] {
    return this.changes.map(c => ({ ...c }))
  }

  private onStart (now: number, view: ConnectivityView, suspension: Suspension | undefined): ConnectivityEffect[] {
    if (this.running) return []
    this.running = true
    this.view = { ...view }
    this.lastObservedAt = now
    if (suspension !== undefined) {
      // The operator's word survives a restart (SPEC.md §4): the node starts suspended, and the
      // suspension is dated from when the operator gave it.
      const restored = { note: cleanNote(suspension.note), sinceMs: Math.min(now, suspension.sinceMs) }
      return [{ type: 'enter-suspension', suspension: restored }, ...this.move('suspended', 'operator_suspend', now, restored.note, restored.sinceMs)]
    }
    // The last run ended suspended, and this one has no suspension to restore: undo it (SPEC.md §4).
    const leave: ConnectivityEffect[] = this.state === 'suspended' ? [{ type: 'leave-suspension' }] : []
    return [...leave, ...this.move(classify(view, this.minConnections), 'node_started', now, '', now, true)]
  }

  private onObserve (now: number, view: ConnectivityView): ConnectivityEffect[] {
    const previous = this.view
    this.view = { ...view }
    this.lastObservedAt = now
    // Suspended overrides everything until resume (SPEC.md §4): connections still closing, or a
    // dial that raced the gater, never move the state.
    if (this.state === 'suspended') return [{ type: 'trace', event: 'observed-while-suspended' }]
    const next = classify(view, this.minConnections)
    if (next === this.state) return []
    return this.move(next, reasonFor(previous, view), now, '', now)
  }

  private onSuspend (now: number, note: string | undefined): ConnectivityEffect[] {
    if (this.state === 'suspended') return [{ type: 'trace', event: 'suspend-ignored' }]
    const suspension = { note: cleanNote(note), sinceMs: now }
    return [{ type: 'enter-suspension', suspension }, ...this.move('suspended', 'operator_suspend', now, suspension.note, now)]
  }

  private onResume (now: number, view: ConnectivityView): ConnectivityEffect[] {
    if (this.state !== 'suspended') return [{ type: 'trace', event: 'resume-ignored' }]
    this.view = { ...view }
    this.lastObservedAt = now
    return [{ type: 'leave-suspension' }, ...this.move(classify(view, this.minConnections), 'operator_resume', now, '', now)]
  }

  /**
   * Enters `to`. A transition effect only when the state really changes; at start the reason and
   * since are reset even when it does not (`restart`), since a new run begins.
   */
  private move (to: ConnectivityState, reason: ConnectivityReason, now: number, note: string, sinceMs: number, restart = false): ConnectivityEffect[] {
    const from = this.state
    if (from === to && !restart) return []
    this.state = to
    this.reason = reason
    this.sinceMs = sinceMs
    this.note = note
    if (from === to) return []
    const change: ConnectivityChange = { from, to, reason, atMs: now, note }
    this.changes.push(change)
    if (this.changes.length > HISTORY_MAX) this.changes.shift()
    return [{ type: 'transition', change: { ...change } }]
  }
}
