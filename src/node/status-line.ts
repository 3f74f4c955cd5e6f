/**
 * The periodic status line (issue 17 item 5): every `log.statusIntervalMs`, one info line with what an
 * operator looks at first: peers known and connected, connections in and out, the network health
 * score, the connectivity state, transactions per second in and out over the interval, and the
 * outbound queue's depth. One timer, cleared on stop (docs/conventions.md §3). Sibling services
 * (peer list, health, connectivity, gossip) are optional: a figure whose service is missing is null.
 *
 * Under `--log-format json` the figures are fields of the line (msg `status`); in pretty format they
 * are the message itself, so the line stays one line (pino-pretty prints fields on lines of their own).
 */
import type { Connection, Startable } from '@libp2p/interface'
import { logger, type Logger } from '../logging/index.ts'
import { optionalComponent } from './optional-component.ts'

/** The status line's period when none is given (the default of `log.statusIntervalMs`). */
export const STATUS_INTERVAL_MS = 60_000

/** The message of the status line under --log-format json. */
export const STATUS_MSG = 'status'

/** The figures of one status line. */
export interface StatusFigures {
  peersKnown: number | null
  peersConnected: number
  connectionsIn: number
  connectionsOut: number
  /** Network health score 0..100, one decimal. */
  healthScore: number | null
  /** Connectivity state (offline, connecting, online, degraded, suspended). */
  state: string | null
  /** New transactions received from peers per second over the interval, two decimals. */
  txInPerSec: number | null
  /** Transactions published by this node per second over the interval, two decimals. */
  txOutPerSec: number | null
  /** Transactions in the outbound queue not yet confirmed. */
  queueDepth: number | null
  /** The interval the rates cover, ms. */
  intervalMs: number
}

/** Options of the status line. */
export interface StatusLineInit {
  /** How often to log; 0 = never. @default 60000 (log.statusIntervalMs) */
  intervalMs?: number
  /** true: figures as fields (JSON logs); false: figures in the message (pretty logs). @default true */
  fields?: boolean
  /** Where the line goes. @default logger('sorcha:status') */
  log?: Logger
  /** @default Date.now */
  clock?: () => number
}

/** What the status line reads; every sibling service is optional. */
export interface StatusLineComponents {
  connectionManager: { getConnections: () => Connection[] }
  peerList?: { size: () => number }
  health?: { snapshot: () => { score: number } }
  connectivity?: { status: () => { state: string } }
  gossip?: { stats: () => { published: number, delivered: number }, queueStats: () => { depth: number } }
}

const round = (n: number, digits: number): number => Math.round(n * 10 ** digits) / 10 ** digits

/** The pretty form: `status: peers 3 connected / 12 known, connections 2 in / 1 out, ...`. */
export function statusText (s: StatusFigures): string {
  const or = (v: number | string | null, unit = ''): string => v === null ? 'n/a' : `${v}${unit}`
  return `status: peers ${s.peersConnected} connected / ${or(s.peersKnown)} known, connections ${s.connectionsIn} in / ${s.connectionsOut} out, ` +
    `health ${or(s.healthScore)}, state ${or(s.state)}, tx/s ${or(s.txInPerSec)} in / ${or(s.txOutPerSec)} out, queue ${or(s.queueDepth)}`
}

/** The status line service. */
export class StatusLine implements Startable {
  readonly [Symbol.toStringTag] = '@sorcha/status-line'
  private readonly components: StatusLineComponents
  private readonly intervalMs: number
  private readonly fields: boolean
  private readonly log: Logger
  private readonly clock: () => number
  private timer: ReturnType<typeof setInterval> | undefined
  private last: { at: number, published: number, delivered: number } | undefined

  constructor (components: StatusLineComponents, init: StatusLineInit = {}) {
    this.components = components
    this.intervalMs = init.intervalMs ?? STATUS_INTERVAL_MS
    this.fields = init.fields ?? true
    this.log = init.log ?? logger('sorcha:status')
    this.clock = init.clock ?? Date.now
  }

  start (): void {
    if (this.timer !== undefined || this.intervalMs <= 0) return
    this.last = this.sample()
    this.timer = setInterval(() => { this.emit() }, this.intervalMs)
    // The status line must never keep a stopping process alive.
    this.timer.unref()
  }

  stop (): void {
    clearInterval(this.timer)
    this.timer = undefined
    this.last = undefined
  }

  /** Logs one status line now (the timer calls this). */
  emit (): StatusFigures {
    const figures = this.figures()
    try {
      if (this.fields) this.log.info(figures, STATUS_MSG)
      else this.log.info(statusText(figures))
    } catch {
      // A log destination that fails must not take the node down.
    }
    return figures
  }

  /** The figures now; the rates cover the time since the previous call (or start). */
  figures (): StatusFigures {
    const connections = this.components.connectionManager.getConnections()
    const gossip = optionalComponent<StatusLineComponents['gossip']>(this.components, 'gossip')
    const now = this.sample()
    const before = this.last ?? now
    this.last = now
    const seconds = (now.at - before.at) / 1000
    const rate = (a: number, b: number): number => seconds > 0 ? round((a - b) / seconds, 2) : 0
    return {
      peersKnown: optionalComponent<StatusLineComponents['peerList']>(this.components, 'peerList')?.size() ?? null,
      peersConnected: new Set(connections.map(c => c.remotePeer.toString())).size,
      connectionsIn: connections.filter(c => c.direction === 'inbound').length,
      connectionsOut: connections.filter(c => c.direction === 'outbound').length,
      healthScore: this.safe(() => optionalComponent<StatusLineComponents['health']>(this.components, 'health')?.snapshot().score, s => round(s, 1)),
      state: this.safe(() => optionalComponent<StatusLineComponents['connectivity']>(this.components, 'connectivity')?.status().state, s => s),
      txInPerSec: gossip === undefined ? null : rate(now.delivered, before.delivered),
      txOutPerSec: gossip === undefined ? null : rate(now.published, before.published),
      queueDepth: this.safe(() => gossip?.queueStats().depth, d => d),
      intervalMs: now.at - before.at
    }
  }

  private sample (): { at: number, published: number, delivered: number } {
    const stats = this.safe(() => optionalComponent<StatusLineComponents['gossip']>(this.components, 'gossip')?.stats(), s => s)
    return { at: this.clock(), published: stats?.published ?? 0, delivered: stats?.delivered ?? 0 }
  }

  /** A figure from a service that may be missing or not started (which throws): null then. */
  private safe<T, R> (read: () => T | undefined, map: (value: T) => R): R | null {
    try {
      const value = read()
      return value === undefined ? null : map(value)
    } catch {
      return null
    }
  }
}

/** js-libp2p service factory: `services: { statusLine: statusLine({ intervalMs }) }`. */
export function statusLine (init: StatusLineInit = {}): (components: StatusLineComponents) => StatusLine {
  return components => new StatusLine(components, init)
}
