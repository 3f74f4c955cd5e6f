/**
 * The connection watch: every period it sends one Yamux ping frame over each open connection and
 * aborts a connection whose ping goes unanswered, so a peer that vanished without closing (frozen,
 * powered off, cut off by the network) loses its connection within a bounded time:
 * at most one period plus `timeoutMs` (docs/peers-and-health.md "Dead connections").
 *
 * It replaces libp2p's connection monitor, which every period opened a new stream on every
 * connection for the ping protocol (a multistream-select negotiation, a peer-store merge and a stream
 * close each way): measured with 64 connections, those pings, from both ends, were nearly all of an
 * idle node's CPU (docs/benchmarks.md, "Footprint with 1,000 known peers"). A Yamux ping is one
 * 12-byte frame each way, answered inside the remote's muxer; it proves the same thing, that the
 * remote process still reads and answers on this connection.
 *
 * A ping counts as answered if the answer has arrived when the deadline is judged, not only when
 * the deadline timer fires: after an event-loop stall of our own the timer runs before the loop has
 * read the sockets, so the verdict waits for one pass of the loop's I/O phase (setImmediate). A stall
 * of ours is not counted against the peer.
 */
import { serviceCapabilities, type Connection, type PeerId } from '@libp2p/interface'
import { setImmediate as nextLoopPass } from 'node:timers/promises'
import { noteDisconnectReason } from '../events/disconnect-reasons.ts'
import { logger, type Logger } from '../logging/index.ts'
import { DEFAULT_INTERVAL_MS, DEFAULT_TIMEOUT_MS } from './constants.ts'

/** The disconnect reason noted when the watch aborts a connection (docs/events.md). */
export const UNRESPONSIVE_REASON = 'unresponsive'

/** A connection's ping went unanswered: the connection is aborted with this error. */
export class ConnectionUnresponsiveError extends Error {
  override name = 'ConnectionUnresponsiveError'
  /** The connection's remote peer. */
  readonly peerId: string
  constructor (peerId: string, timeoutMs: number) {
    super(`peer ${peerId} did not answer a ping on this connection within ${timeoutMs} ms`)
    this.peerId = peerId
  }
}

/**
 * The part of a stream muxer the watch uses: Yamux's ping (@libp2p/yamux), resolving to the RTT in ms.
 * Called without a signal, always (see pingWithin).
 */
export interface PingableMuxer {
  ping: () => Promise<number>
}

/** What the watch uses of a connection (libp2p's Connection, whose `muxer` is its Yamux muxer). */
export type WatchedConnection = Pick<Connection, 'id' | 'remotePeer' | 'status' | 'abort'> & { rtt?: number, muxer?: unknown }

/** Options of the connection watch. */
export interface ConnectionWatchInit {
  /** Period between rounds. @default 30000 (health.intervalMs, jittered per node: libp2p-options.ts) */
  intervalMs?: number
  /** How long a ping may go unanswered before the connection is aborted. @default 5000 (health.timeoutMs) */
  timeoutMs?: number
}

/** What the watch uses from libp2p. */
export interface ConnectionWatchComponents {
  connectionManager: { getConnections: (peerId?: PeerId) => WatchedConnection[] }
}

/** The muxer's ping, or undefined when the connection's muxer has none. */
export function muxerPing (connection: WatchedConnection): PingableMuxer | undefined {
  const muxer = connection.muxer as Partial<PingableMuxer> | undefined
  return typeof muxer?.ping === 'function' ? muxer as PingableMuxer : undefined
}

/**
 * A muxer ping that gives up when `signal` aborts. The signal is never handed to Yamux: an aborted
 * Yamux ping forgets that it is pending, and the answer that still comes is then unrequested (or
 * matches no ping), which Yamux takes as a protocol error and aborts the connection for. Without a
 * signal the ping stays pending until answered, and later pings share it.
 */
export async function pingWithin (muxer: PingableMuxer, signal: AbortSignal): Promise<number> {
  const pong = muxer.ping()
  return await new Promise<number>((resolve, reject) => {
    const onAbort = (): void => { reject(signal.reason) }
    if (signal.aborted) onAbort()
    else signal.addEventListener('abort', onAbort, { once: true })
    pong.then(resolve, reject).finally(() => { signal.removeEventListener('abort', onAbort) })
  })
}

/** Pings every open connection once per period over its muxer; aborts the ones that do not answer. */
export class ConnectionWatch {
  readonly [Symbol.toStringTag] = '@sorcha/connection-watch'
  readonly [serviceCapabilities] = ['@sorcha/connection-watch']
  private readonly components: ConnectionWatchComponents
  private readonly intervalMs: number
  private readonly timeoutMs: number
  private readonly log: Logger
  private timer: ReturnType<typeof setInterval> | undefined
  private stopped = false
  private readonly inFlight = new Set<string>()
  private unpingable = false

  constructor (components: ConnectionWatchComponents, init: ConnectionWatchInit = {}) {
    this.components = components
    this.intervalMs = init.intervalMs ?? DEFAULT_INTERVAL_MS
    this.timeoutMs = init.timeoutMs ?? DEFAULT_TIMEOUT_MS
    this.log = logger('sorcha:health')
  }

  /** Starts the periodic rounds. Idempotent. */
  start (): void {
    if (this.timer !== undefined) return
    this.stopped = false
    this.timer = setInterval(() => { void this.round() }, this.intervalMs)
    this.timer.unref()
  }

  /** Stops the rounds; pings in flight finish without effect. Idempotent. */
  stop (): void {
    this.stopped = true
    clearInterval(this.timer)
    this.timer = undefined
  }

  /**
   * Pings every open connection once (the timer calls this; tests may too) and resolves when every
   * verdict is in: the ids of the connections it aborted. A connection still awaiting an earlier
   * round's ping is left to that round.
   */
  async round (): Promise<string[]> {
    const checks = this.components.connectionManager.getConnections()
      .filter(c => c.status === 'open' && !this.inFlight.has(c.id))
      .map(async c => this.check(c))
    return (await Promise.all(checks)).filter((id): id is string => id !== undefined)
  }

  /** Pings one connection; aborts it if unanswered. Resolves to its id if it was aborted. */
  private async check (connection: WatchedConnection): Promise<string | undefined> {
    const muxer = muxerPing(connection)
    if (muxer === undefined) {
      // Only Yamux is configured (libp2p-options.ts), and it has ping; say so once if that changes.
      if (!this.unpingable) this.log.warn({ peer: connection.remotePeer.toString() }, 'a connection\'s stream muxer has no ping: the connection watch cannot check it')
      this.unpingable = true
      return undefined
    }
    this.inFlight.add(connection.id)
    try {
      const answered = await this.answeredWithin(muxer)
      if (typeof answered === 'number') connection.rtt = answered
      // 'closed': the muxer is closing, and the connection with it.
      if (answered !== 'unanswered' || connection.status !== 'open' || this.stopped) return undefined
      const peer = connection.remotePeer.toString()
      this.log.info({ peer, timeoutMs: this.timeoutMs }, 'closing a connection whose peer did not answer a ping')
      noteDisconnectReason(peer, UNRESPONSIVE_REASON)
      connection.abort(new ConnectionUnresponsiveError(peer, this.timeoutMs))
      return connection.id
    } finally {
      this.inFlight.delete(connection.id)
    }
  }

  /** The RTT if the muxer's ping is answered by the time the deadline is judged; 'closed' if the muxer refused to ping. */
  private async answeredWithin (muxer: PingableMuxer): Promise<number | 'closed' | 'unanswered'> {
    let rtt: number | undefined
    let failed = false
    // No signal (pingWithin says why): the ping stays pending until answered, so an answer arriving
    // after our deadline still resolves it, and a later round's ping shares it.
    const pong = muxer.ping().then(ms => { rtt = ms }, () => { failed = true })
    let deadline: ReturnType<typeof setTimeout> | undefined
    await Promise.race([pong, new Promise<void>(resolve => { deadline = setTimeout(resolve, this.timeoutMs) })])
    clearTimeout(deadline)
    if (rtt === undefined && !failed) {
      // Let the loop read what arrived while it was stalled (the I/O phase runs before immediates).
      await nextLoopPass()
      await nextLoopPass()
    }
    return rtt ?? (failed ? 'closed' : 'unanswered')
  }
}

/** Factory in the js-libp2p shape: `services: { connectionWatch: connectionWatch(init) }`. */
export function connectionWatch (init: ConnectionWatchInit = {}): (components: ConnectionWatchComponents) => ConnectionWatch {
  return components => new ConnectionWatch(components, init)
}
