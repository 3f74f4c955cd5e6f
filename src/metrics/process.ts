/**
 * Metrics of the whole process, kept once per process and served by every node in it: prom-client's
 * Node.js metrics (process_*, nodejs_*: CPU, memory, GC, event-loop delay) and the event-loop lag as
 * a sorcha_ gauge. A process may hold several nodes (tests, benchmarks, the simulator's real mode):
 * one GC observer and one event-loop monitor serve them all, instead of one per node.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { collectDefaultMetrics, Registry } from 'prom-client'
import { collectedGauge } from './families.ts'

/** The event-loop lag gauge's window: it reports the 99th percentile of the last complete window. */
export const LAG_WINDOW_MS = 10_000
const LAG_RESOLUTION_MS = 20

/**
 * How long a rendering of the process's metrics is reused. Collecting them walks the process's
 * handles and resources, so it grows with everything the process holds; a process of 50 nodes
 * scraped together rendered it 50 times (about 1 ms more per scrape than in a 2-node process). A
 * node alone in its process, scraped every few seconds, renders afresh each time.
 */
export const PROCESS_RENDER_MAX_AGE_MS = 1_000

/**
 * `render` shared: a call within `maxAgeMs` of the last rendering's start (or while one is under way)
 * gets that rendering.
 */
export function cachedRender (render: () => Promise<string>, maxAgeMs: number, now: () => number = Date.now): () => Promise<string> {
  let last: { at: number, text: Promise<string> } | undefined
  return async () => {
    const at = now()
    if (last === undefined || at - last.at >= maxAgeMs || at < last.at) {
      const text = render()
      last = { at, text }
      // A failed rendering is not reused.
      text.catch(() => { if (last?.text === text) last = undefined })
    }
    return last.text
  }
}

/** The process-wide registry and the lag monitor, started while any node's metrics run. */
export interface ProcessMetrics {
  readonly registry: Registry
  /** The registry's Prometheus text, reused for PROCESS_RENDER_MAX_AGE_MS. */
  render: () => Promise<string>
  /** A node's metrics started: the lag monitor runs while at least one has. */
  acquire: () => void
  release: () => void
}

let shared: ProcessMetrics | undefined

/** Creates the families of the process domain in `registry`; `lag` is read at scrape time. */
export function createProcessFamilies (registry: Registry, lag: () => number | undefined): void {
  collectedGauge({
    registry,
    name: 'sorcha_node_event_loop_lag_seconds',
    help: 'Event-loop delay, 99th percentile over the last 10-second window (the whole process)',
    read: () => { const value = lag(); return value === undefined ? undefined : [{ value }] }
  })
}

/** The process's metrics (created on first use). */
export function processMetrics (): ProcessMetrics {
  if (shared !== undefined) return shared
  const registry = new Registry()
  collectDefaultMetrics({ register: registry })
  let users = 0
  let monitor: ReturnType<typeof monitorEventLoopDelay> | undefined
  let timer: ReturnType<typeof setInterval> | undefined
  let last: number | undefined
  createProcessFamilies(registry, () => last)
  shared = {
    registry,
    render: cachedRender(async () => registry.metrics(), PROCESS_RENDER_MAX_AGE_MS),
    acquire: () => {
      if (users++ > 0) return
      monitor = monitorEventLoopDelay({ resolution: LAG_RESOLUTION_MS })
      monitor.enable()
      timer = setInterval(() => {
        if (monitor === undefined || monitor.count === 0) return
        last = monitor.percentile(99) / 1e9
        monitor.reset()
      }, LAG_WINDOW_MS)
      timer.unref()
    },
    release: () => {
      if (users === 0 || --users > 0) return
      clearInterval(timer)
      monitor?.disable()
      monitor = undefined
      timer = undefined
    }
  }
  return shared
}
