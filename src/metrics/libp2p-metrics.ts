/**
 * libp2p's own metrics (@libp2p/prometheus-metrics) in a node's registry. That package keeps the
 * metrics it made in one map for the whole process and hands an existing one back when a name is
 * registered again; with several nodes in one process (tests, benchmarks, the simulator's real mode)
 * a node built second would then count into the first node's registry. This wrapper keeps one map
 * per node and, when the package hands back a metric that is not in this node's registry, empties the
 * package's map (by making a throwaway instance, which is what clears it) and registers afresh.
 *
 * Byte counting per protocol (libp2p_data_transfer_bytes_total) is done here rather than by the
 * package, which builds a key string and updates a map on every message: each stream adds to two
 * numbers of its own, which are handed to the package's counts before each scrape (flush()) and
 * when the stream closes. A TCP connection's bytes (`global`) are not counted per message at all:
 * its socket counts them already (bytesRead, bytesWritten), read at scrape time and at close. Same
 * figures, a fraction of the cost on the gossip hot path.
 *
 * libp2p's plain counters (no labels, not calculated) likewise add to a number of their own and
 * hand it to prom-client when the registry collects them: noise counts every packet it encrypts
 * and decrypts (libp2p_noise_*_packets_total), which was a prom-client `inc` per gossip frame on
 * each side.
 */
import type { ComponentLogger, Metrics } from '@libp2p/interface'
import { prometheusMetrics } from '@libp2p/prometheus-metrics'
import { Registry } from 'prom-client'

/** Replaces non-name characters as the package does, so the registry can be asked for the name. */
const normalize = (name: string): string => name.replace(/[^a-zA-Z0-9_]/g, '_').replace(/_+/g, '_')

/** Empties @libp2p/prometheus-metrics' process-wide map of metrics (a fresh instance clears it). */
function clearSharedMap (logger: ComponentLogger): void {
  prometheusMetrics({ registry: new Registry(), collectDefaultMetrics: false })({ logger })
}

/** A stream or connection as the byte counting sees it (libp2p's AbstractMessageStream). */
interface Tracked {
  status?: string
  send: (data: Uint8Array) => boolean
  dispatchEvent: (event: Event) => boolean
  addEventListener: (type: 'close', listener: () => void, options: { once: boolean }) => void
}

/** A Node.js socket's own byte counts (a TCP connection's `socket`). */
interface SocketCounts { bytesRead: number, bytesWritten: number }

/** Bytes a stream moved since the last flush; `poll` first adds what its socket counted since. */
interface Counts { name: string, sent: number, received: number, stream: Tracked, poll?: () => void }

/** The socket of a TCP connection (@libp2p/tcp's connection has a public `socket`), if it has one. */
function socketOf (conn: Tracked): SocketCounts | undefined {
  const socket = (conn as { socket?: Partial<SocketCounts> }).socket
  return typeof socket?.bytesRead === 'number' && typeof socket.bytesWritten === 'number' ? socket as SocketCounts : undefined
}

/** A libp2p counter as @libp2p/prometheus-metrics makes it: its prom-client counter is `counter`. */
interface PackageCounter {
  increment: (value?: number) => void
  reset: () => void
  counter?: { inc?: (value: number) => void, collect?: () => void }
}

/**
 * `metric` (a plain counter from the package) counting into a number that its prom-client counter
 * takes when collected; any other metric, or a counter of a shape this does not know, unchanged.
 */
function deferred (metric: unknown, options: unknown): unknown {
  const opts = options as { calculate?: unknown, label?: unknown } | undefined
  const counter = metric as PackageCounter | undefined
  const prom = counter?.counter
  if (opts?.calculate != null || opts?.label != null || typeof prom?.inc !== 'function' || prom.collect !== undefined) return metric
  let pending = 0
  prom.collect = () => {
    if (pending > 0) prom.inc!(pending)
    pending = 0
  }
  return {
    // A value prom-client would refuse (negative, not finite) is not counted.
    increment: (value = 1) => { if (value > 0 && value < Infinity) pending += value },
    reset: () => { pending = 0; counter!.reset() }
  }
}

/** What libp2pMetrics returns: the option, and flush() to call before rendering. */
export interface Libp2pMetricsOption {
  metrics: (components: { logger: ComponentLogger }) => Metrics
  /** Hands every open stream's byte counts to libp2p_data_transfer_bytes_total. */
  flush: () => void
}

/** libp2p's `metrics` option for a node whose metrics live in `registry`. */
export function libp2pMetrics (registry: Registry): Libp2pMetricsOption {
  let flush: () => void = () => {}
  const metrics = (components: { logger: ComponentLogger }): Metrics => {
    // The Node.js metrics (CPU, memory, GC, event loop) are the process's, kept once (process.ts).
    const inner = prometheusMetrics({ registry, collectDefaultMetrics: false, preserveExistingMetrics: false })(components)
    const mine = new Map<string, unknown>()
    const add = (inner as unknown as { _incrementValue: (key: string, value: number) => void })._incrementValue.bind(inner)
    const open = new Set<Counts>()
    const hand = (c: Counts): void => {
      c.poll?.()
      if (c.sent > 0) add(`${c.name} sent`, c.sent)
      if (c.received > 0) add(`${c.name} received`, c.received)
      c.sent = 0
      c.received = 0
    }
    flush = () => {
      for (const c of open) {
        hand(c)
        // A stream whose close event never came (aborted before it was dispatched) is let go here.
        if (c.stream.status === 'closed' || c.stream.status === 'aborted' || c.stream.status === 'reset') open.delete(c)
      }
    }
    const tracked = (c: Counts): void => {
      open.add(c)
      c.stream.addEventListener('close', () => { hand(c); open.delete(c) }, { once: true })
    }
    const trackSocket = (conn: Tracked, socket: SocketCounts): void => {
      let read = socket.bytesRead
      let written = socket.bytesWritten
      const c: Counts = { name: 'global', sent: 0, received: 0, stream: conn }
      c.poll = () => {
        c.received += socket.bytesRead - read
        c.sent += socket.bytesWritten - written
        read = socket.bytesRead
        written = socket.bytesWritten
      }
      tracked(c)
    }
    const track = (stream: Tracked, name: string): void => {
      const c: Counts = { name, sent: 0, received: 0, stream }
      tracked(c)
      // Like the package: observe dispatched messages without adding a 'message' listener (one
      // would start the stream's reading before its protocol handler attaches).
      const dispatch = stream.dispatchEvent.bind(stream)
      stream.dispatchEvent = (event: Event) => {
        if (event.type === 'message') c.received += (event as unknown as { data: { byteLength: number } }).data.byteLength
        return dispatch(event)
      }
      const send = stream.send.bind(stream)
      stream.send = (data: Uint8Array) => {
        c.sent += data.byteLength
        return send(data)
      }
    }
    const overrides: Partial<Record<string | symbol, unknown>> = {
      trackMultiaddrConnection: (conn: Tracked) => {
        const socket = socketOf(conn)
        if (socket !== undefined) trackSocket(conn, socket)
        else track(conn, 'global')
      },
      trackProtocolStream: (stream: Tracked & { protocol?: string }) => { if (stream.protocol != null) track(stream, stream.protocol) }
    }
    return new Proxy(inner, {
      get (target, prop, receiver) {
        if (prop in overrides) return overrides[prop]
        const value = Reflect.get(target, prop, receiver) as unknown
        if (typeof prop !== 'string' || !prop.startsWith('register') || typeof value !== 'function') return value
        return (name: string, options?: unknown) => {
          if (mine.has(name)) return mine.get(name)
          const register = (): unknown => (value as (n: string, o?: unknown) => unknown).call(target, name, options)
          let metric = register()
          if (registry.getSingleMetric(normalize(name)) === undefined) {
            clearSharedMap(components.logger)
            metric = register()
          }
          if (prop === 'registerCounter') metric = deferred(metric, options)
          mine.set(name, metric)
          return metric
        }
      }
    })
  }
  return { metrics, flush: () => { flush() } }
}
