/**
 * The dashboard's live feed: one snapshot per interval, built once and sent as the same bytes to
 * every open dashboard (so N dashboards cost one snapshot, not N), and the node's events, followed
 * once and fanned out. The peer table travels as changes: a new page gets every row once, each tick
 * carries only the rows that changed and the ids that went away. Nothing runs while no page is open.
 */
import type { PeerNode } from '../../protocols/models/index.ts'
import type { GatewayBackend } from '../gateway/backend.ts'
import { logger } from '../logging/index.ts'
import { eventMessage } from '../gateway/event-operations.ts'
import { toRestJson } from '../gateway/rest/proto-json.ts'
import { peerRows, type PeerRow } from './rows.ts'
import { chartPoint, type ChartPoint, type CounterReading, type MetricsSource } from './series.ts'

/** Snapshot interval. */
export const FEED_INTERVAL_MS = 1000
/** Chart points kept (and sent to a new page). */
export const HISTORY_POINTS = 300
/** Known peers the table shows at most. */
export const TABLE_PEERS_MAX = 5000
/**
 * Ticks between two reads of the whole peer list when no peer event said it changed (reading it costs
 * a database scan; connected peers are read every tick anyway).
 */
export const KNOWN_REFRESH_TICKS = 60
/** Ticks at least between two database reads of the whole peer list however often peers change (a backend with knownPeers reads memory at every change). */
export const KNOWN_MIN_TICKS = 5
/** Event types after which the peer list is read again at the next tick. */
const PEER_CHANGES = new Set(['peer_discovered', 'peer_status_changed', 'peer_score_changed', 'peer_banned', 'peer_unbanned', 'peer_connected', 'peer_disconnected'])
/** Bytes a page may fall behind before it is dropped (it reconnects and starts afresh). */
const MAX_BACKLOG_BYTES = 4 * 1024 * 1024

/** One open page: writes SSE text; `backlog` is what its socket has not sent yet. */
export interface FeedClient {
  write: (text: string) => void
  backlog: () => number
  close: () => void
}

const sse = (event: string, data: unknown): string => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`
const API = 'sorcha.api.v1.'

/** The shared feed of one REST listener. */
export class DashboardFeed {
  private readonly backend: GatewayBackend
  private readonly metrics: MetricsSource | undefined
  private readonly intervalMs: number
  private readonly clients = new Set<FeedClient>()
  private readonly rows = new Map<string, { row: PeerRow, json: string }>()
  private readonly history: ChartPoint[] = []
  private last: { node: unknown, stats: unknown } | undefined
  private previous: CounterReading | undefined
  private known = new Map<string, PeerNode>()
  private knownTotal = 0
  private knownReadAt = -Infinity
  private knownDirty = true
  private upBefore = new Set<string>()
  private timer: NodeJS.Timeout | undefined
  private following: AbortController | undefined
  private ticking = false
  /** Snapshots built since start (tests and the benchmark read it). */
  ticks = 0
  /** Reads of the whole peer list since start. */
  fullReads = 0
  /** Events sent to the pages since start. */
  eventsSent = 0

  constructor (backend: GatewayBackend, options: { metrics?: MetricsSource, intervalMs?: number } = {}) {
    this.backend = backend
    this.metrics = options.metrics
    this.intervalMs = options.intervalMs ?? FEED_INTERVAL_MS
  }

  /** Pages open now. */
  get size (): number {
    return this.clients.size
  }

  /** Adds a page: it gets the whole state at once, then every tick and event. Returns its removal. */
  async add (client: FeedClient): Promise<() => void> {
    if (this.last === undefined) await this.tick()
    client.write(sse('hello', { ...this.last, peers: [...this.rows.values()].map(r => r.row), history: this.history, intervalMs: this.intervalMs }))
    this.clients.add(client)
    if (this.timer === undefined) {
      this.timer = setInterval(() => { void this.tick() }, this.intervalMs)
      this.follow()
    }
    return () => { this.remove(client) }
  }

  /** Stops the timer and the event follower and ends every page's stream. */
  close (): void {
    for (const client of [...this.clients]) { this.remove(client); client.close() }
  }

  private remove (client: FeedClient): void {
    this.clients.delete(client)
    if (this.clients.size > 0) return
    clearInterval(this.timer)
    this.timer = undefined
    this.following?.abort()
    this.following = undefined
    // A page opened later starts from a fresh table and a fresh snapshot.
    this.last = undefined
    this.rows.clear()
    this.known = new Map()
    this.knownReadAt = -Infinity
    this.upBefore = new Set()
  }

  private broadcast (text: string): void {
    for (const client of this.clients) {
      if (client.backlog() > MAX_BACKLOG_BYTES) { this.remove(client); client.close(); continue }
      client.write(text)
    }
  }

  /** Builds one snapshot and sends it (skipped while the previous one is still being built). */
  async tick (): Promise<void> {
    if (this.ticking) return
    this.ticking = true
    try {
      const admin = this.backend.admin
      const since = this.ticks - this.knownReadAt
      const inMemory = this.backend.knownPeers !== undefined
      const full = (this.knownDirty && (inMemory || since >= KNOWN_MIN_TICKS)) || since >= KNOWN_REFRESH_TICKS
      if (full) this.knownDirty = false
      const [stats, connected, known] = await Promise.all([
        admin.stats(), admin.listConnectedPeers(), full ? this.knownPeers() : undefined
      ])
      // Peer-list records are replaced, never changed, on update: after a read only the ids whose
      // record is another object need a row (all of them at the periodic refresh).
      const periodic = since >= KNOWN_REFRESH_TICKS
      let touched: string[] = []
      let gone: string[] = []
      if (known !== undefined) {
        const before = this.known
        this.known = new Map(known.peers.map(p => [p.peerId, p]))
        touched = periodic ? [...this.known.keys()] : known.peers.filter(p => before.get(p.peerId) !== p).map(p => p.peerId)
        gone = [...before.keys()].filter(id => !this.known.has(id))
        this.knownTotal = known.totalKnown
        this.knownReadAt = this.ticks
        this.fullReads++
      }
      const node = admin.nodeInfo()
      const reading = await this.readCounters(stats)
      const point = chartPoint(reading, this.previous, stats)
      this.previous = reading
      this.history.push(point)
      if (this.history.length > HISTORY_POINTS) this.history.shift()
      // Without a new read of the list only the connected peers, and those that were, can have changed.
      const up = new Set(connected.peers.map(p => p.peerId))
      const candidates = [...touched, ...gone, ...up, ...this.upBefore]
      this.upBefore = up
      const { changed, removed } = this.diff(peerRows(candidates, this.known, connected.peers), periodic && known !== undefined)
      this.last = { node: toRestJson(`${API}AdminNodeInfo`, node), stats: toRestJson(`${API}NodeStats`, stats) }
      this.ticks++
      if (this.clients.size > 0) this.broadcast(sse('tick', { ...this.last, point, peers: changed, removed, totalKnown: this.knownTotal }))
    } catch (err) {
      logger('sorcha:dashboard').debug({ err }, 'dashboard snapshot failed')
    } finally {
      this.ticking = false
    }
  }

  /** Every known peer: from memory when the backend can, else from the database. */
  private async knownPeers (): Promise<{ peers: PeerNode[], totalKnown: number }> {
    return this.backend.knownPeers?.(TABLE_PEERS_MAX) ?? await this.backend.listPeers({ limit: TABLE_PEERS_MAX })
  }

  /** Rows that differ from the ones sent; with `full`, ids no longer present are removed. */
  private diff (rows: PeerRow[], full: boolean): { changed: PeerRow[], removed: string[] } {
    const changed: PeerRow[] = []
    const seen = new Set<string>()
    for (const row of rows) {
      seen.add(row.id)
      const json = JSON.stringify(row)
      if (this.rows.get(row.id)?.json !== json) { this.rows.set(row.id, { row, json }); changed.push(row) }
    }
    const removed = full ? [...this.rows.keys()].filter(id => !seen.has(id)) : rows.filter(r => !r.up && !this.known.has(r.id)).map(r => r.id)
    for (const id of removed) this.rows.delete(id)
    return { changed: changed.filter(r => !removed.includes(r.id)), removed }
  }

  private async readCounters (stats: Awaited<ReturnType<GatewayBackend['admin']['stats']>>): Promise<CounterReading> {
    return {
      atMs: Date.now(),
      txIn: stats.gossip?.delivered ?? 0,
      txOut: stats.gossip?.published ?? 0,
      ...(this.metrics === undefined ? { bytesOut: (stats.gossip?.bytesSent ?? 0) + (stats.reconcile?.bytesSent ?? 0) } : await this.metrics.read())
    }
  }

  /** Follows the event log once for every page (none when the node has no event log). */
  private follow (): void {
    const controller = new AbortController()
    this.following = controller
    void (async () => {
      try {
        for await (const event of this.backend.followEvents({}, { signal: controller.signal })) {
          if (PEER_CHANGES.has(event.type)) this.knownDirty = true
          this.eventsSent++
          this.broadcast(sse('event', toRestJson(`${API}Event`, eventMessage(event))))
        }
      } catch (err) {
        if (!controller.signal.aborted) logger('sorcha:dashboard').debug({ err }, 'dashboard event feed ended')
      }
    })()
  }
}
