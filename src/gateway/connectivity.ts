/**
 * The connectivity part of the backend, shared by the node backend (over the node's connectivity
 * service, src/queue/connectivity-service.ts) and the in-memory backend (over the pure core alone: a
 * backend with no peers is offline, and can be suspended and resumed).
 */
import { TypedEventEmitter } from 'main-event'
import { ConnectivityCore, type ConnectivityChange } from '../../protocols/connectivity/index.ts'
import type {
  ConnectivityChange as ChangeMessage, ConnectivityReport, ConnectivityStatus as StatusMessage, ConnectivityUpdate
} from '../../protos/gen/sorcha/api/v1/connectivity.ts'
import { ConnectivityState as StateEnum } from '../../protos/gen/sorcha/api/v1/connectivity.ts'
import type { ConnectivityChangeView, CallOptions, ConnectivityReportView, ConnectivityStatusView, ConnectivityUpdateView } from './backend.ts'
import { CONNECTIVITY_STATE } from './enum-names.ts'
import { Channel, ChannelOverflowError } from './channel.ts'
import { ResourceExhaustedError, UnavailableError } from './errors.ts'

/** Most transitions a watcher may fall behind before its stream ends (it watches again). */
export const WATCH_QUEUE_MAX_ITEMS = 64

/** What the gateway uses of a connectivity service (ConnectivityService satisfies it). */
export interface ConnectivityPart {
  status: () => ConnectivityStatusView
  history: () => ConnectivityChange[]
  suspend: (note?: string, options?: CallOptions) => Promise<unknown>
  resume: (options?: CallOptions) => Promise<unknown>
  addEventListener: (type: 'connectivity:change', listener: (event: CustomEvent<ConnectivityChange>) => void) => void
  removeEventListener: (type: 'connectivity:change', listener: (event: CustomEvent<ConnectivityChange>) => void) => void
}

/** The status and the last transitions of a part. */
export function reportOf (part: ConnectivityPart): ConnectivityReportView {
  return { status: part.status(), recent: part.history() }
}

/** Suspends through the part; a failure of a stopped service is UNAVAILABLE. */
export async function suspendPart (part: ConnectivityPart, note: string, options?: CallOptions): Promise<ConnectivityReportView> {
  await notStartedAsUnavailable(part.suspend(note, options))
  return reportOf(part)
}

/** Resumes through the part; a failure of a stopped service is UNAVAILABLE. */
export async function resumePart (part: ConnectivityPart, options?: CallOptions): Promise<ConnectivityReportView> {
  await notStartedAsUnavailable(part.resume(options))
  return reportOf(part)
}

async function notStartedAsUnavailable (work: Promise<unknown>): Promise<void> {
  try {
    await work
  } catch (err) {
    if ((err as Error | null)?.name === 'ConnectivityNotStartedError') throw new UnavailableError('connectivity_stopped', 'the node is not running')
    throw err
  }
}

/** The status, then each transition as it happens, until the signal fires. */
export async function * watchPart (part: ConnectivityPart, options: { signal: AbortSignal }): AsyncGenerator<ConnectivityUpdateView> {
  const channel = new Channel<ConnectivityChange>(WATCH_QUEUE_MAX_ITEMS)
  const listener = (event: CustomEvent<ConnectivityChange>): void => { channel.push(event.detail) }
  const onAbort = (): void => { channel.end() }
  part.addEventListener('connectivity:change', listener)
  options.signal.addEventListener('abort', onAbort, { once: true })
  try {
    yield { kind: 'status', status: part.status() }
    for await (const change of channel) yield { kind: 'change', change }
  } catch (err) {
    if (err instanceof ChannelOverflowError) throw new ResourceExhaustedError('watcher_too_slow', `the watcher fell more than ${WATCH_QUEUE_MAX_ITEMS} changes behind; watch again`)
    throw err
  } finally {
    part.removeEventListener('connectivity:change', listener)
    options.signal.removeEventListener('abort', onAbort)
  }
}

/**
 * Connectivity for a backend without peers: the pure core with an empty view, so the state is
 * `offline` (or `suspended` by the operator). For the in-memory backend.
 */
export class MemoryConnectivity extends TypedEventEmitter<{ 'connectivity:change': CustomEvent<ConnectivityChange> }> implements ConnectivityPart {
  private readonly core = new ConnectivityCore({ minConnections: 1 })

  constructor (now = Date.now()) {
    super()
    this.core.handle({ type: 'start', now, view: { connected: 0, dialable: 0 } })
  }

  status (): ConnectivityStatusView {
    const s = this.core.snapshot()
    return { state: s.state, reason: s.reason, sinceMs: s.sinceMs, note: s.note, connectedPeers: 0, minConnections: s.minConnections }
  }

  history (): ConnectivityChange[] {
    return this.core.history()
  }

  async suspend (note?: string): Promise<void> {
    this.run(this.core.handle({ type: 'suspend', now: Date.now(), ...(note === undefined ? {} : { note }) }))
  }

  async resume (): Promise<void> {
    this.run(this.core.handle({ type: 'resume', now: Date.now(), view: { connected: 0, dialable: 0 } }))
  }

  private run (effects: ReturnType<ConnectivityCore['handle']>): void {
    for (const effect of effects) if (effect.type === 'transition') this.safeDispatchEvent('connectivity:change', { detail: effect.change })
  }
}

/** A core state as the API's enum value. */
export function stateMessage (state: string): StateEnum {
  return CONNECTIVITY_STATE.parse(state) ?? StateEnum.CONNECTIVITY_STATE_UNSPECIFIED
}

/** The status as the proto message. */
export function statusMessage (status: ConnectivityStatusView): StatusMessage {
  return { ...status, state: stateMessage(status.state) }
}

/** A transition as the proto message. */
export function changeMessage (change: ConnectivityChangeView): ChangeMessage {
  return { ...change, from: stateMessage(change.from), to: stateMessage(change.to) }
}

/** A report as the proto message. */
export function reportMessage (report: ConnectivityReportView): ConnectivityReport {
  return { status: statusMessage(report.status), recent: report.recent.map(changeMessage) }
}

/** A watch item as the proto message. */
export function updateMessage (update: ConnectivityUpdateView): ConnectivityUpdate {
  return update.kind === 'status' ? { status: statusMessage(update.status) } : { change: changeMessage(update.change) }
}
