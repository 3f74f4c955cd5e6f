/**
 * The heap tidy: gives an idle node's V8 heap back to the system. V8 collects the old generation only
 * when it reaches a limit that grows with the heap, so the garbage of the start-up (module loading,
 * opening the database, the first connections) and of later bursts stays resident in an idle node
 * (what the tidy gives back: docs/benchmarks.md, "Footprint"). Every `checkMs` the tidy looks at the heap: when the event loop was mostly idle since
 * the last look and the heap's resident size, with the external memory its objects hold (Buffers), has
 * grown by more than `slackBytes` since the last full collection (or none has run yet), it runs one
 * full collection: native memory held by dead objects is freed only by that collection. A busy node is left to V8 (a forced
 * full collection of an idle node's ~50-MiB heap took 80-90 ms of CPU on a loaded 2-core machine); an idle one pays one collection per
 * `slackBytes` of heap growth, not one per period.
 */
import { getHeapStatistics, setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import type { Logger } from '../logging/index.ts'

/** How often the tidy looks at the heap. */
export const HEAP_TIDY_CHECK_MS = 30_000
/** The heap may grow by this much resident memory since the last full collection before the next. */
export const HEAP_TIDY_SLACK_BYTES = 8 * 1024 * 1024
/** Above this share of the time the event loop was busy since the last look, the node counts as busy. */
export const HEAP_TIDY_IDLE_BELOW = 0.05

/** What the tidy reads and does; tests pass fakes. */
export interface HeapTidyHooks {
  /** The heap's resident size plus the external memory its objects hold (Buffers' backing stores), bytes. */
  heapResident: () => number
  /** The event loop's busy share (0-1) since the previous call. */
  busyShare: () => number
  /** Runs one full, synchronous garbage collection. */
  collect: () => void
  /** Monotonic milliseconds. */
  now: () => number
}

/** Options of startHeapTidy. */
export interface HeapTidyOptions {
  checkMs?: number
  slackBytes?: number
  idleBelow?: number
  hooks?: HeapTidyHooks
}

/** V8's full collection, without exposing `gc` to the node's own code (only a new, throw-away context sees it). */
function fullCollection (): () => void {
  setFlagsFromString('--expose-gc')
  const gc = runInNewContext('gc') as () => void
  setFlagsFromString('--no-expose-gc')
  return gc
}

/** The process's own heap and event loop. */
function processHooks (): HeapTidyHooks {
  let last = performance.eventLoopUtilization()
  return {
    heapResident: () => {
      const heap = getHeapStatistics()
      return heap.total_physical_size + heap.external_memory
    },
    busyShare: () => {
      const now = performance.eventLoopUtilization()
      const share = performance.eventLoopUtilization(now, last).utilization
      last = now
      return share
    },
    collect: fullCollection(),
    now: () => performance.now()
  }
}

/**
 * One look: collects when the loop was idle and the heap grew by more than the slack since the last
 * collection. Returns the heap's resident size after the collection, or `baseline` unchanged.
 */
export function tidyOnce (hooks: HeapTidyHooks, baseline: number | undefined, slackBytes: number, idleBelow: number, log: Logger): number | undefined {
  if (hooks.busyShare() >= idleBelow) return baseline
  const before = hooks.heapResident()
  if (baseline !== undefined && before <= baseline + slackBytes) return baseline
  const started = hooks.now()
  hooks.collect()
  const after = hooks.heapResident()
  log.debug({ ms: Math.round(hooks.now() - started), heapMiBBefore: mib(before), heapMiBAfter: mib(after) }, 'heap tidied')
  return after
}

function mib (bytes: number): number {
  return Math.round(bytes / 1048576 * 10) / 10
}

/** Starts the tidy (an unref'd timer); returns its stop. */
export function startHeapTidy (log: Logger, options: HeapTidyOptions = {}): () => void {
  const hooks = options.hooks ?? processHooks()
  const slack = options.slackBytes ?? HEAP_TIDY_SLACK_BYTES
  const idleBelow = options.idleBelow ?? HEAP_TIDY_IDLE_BELOW
  let baseline: number | undefined
  const timer = setInterval(() => { baseline = tidyOnce(hooks, baseline, slack, idleBelow, log) }, options.checkMs ?? HEAP_TIDY_CHECK_MS)
  timer.unref()
  return () => { clearInterval(timer) }
}
