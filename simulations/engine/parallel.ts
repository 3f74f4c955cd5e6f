/**
 * A run on several worker threads, with the same outcome as on one.
 *
 * Each worker is a shard (engine/simulator.ts) owning every count-th node. They advance in lockstep
 * through windows of virtual time no longer than the network's smallest latency L (the lookahead):
 * a message sent during the window [T, T + L) arrives at T + L or later, so no shard can receive
 * anything inside a window it is processing, and within a window the shards need not talk. Between
 * windows, every worker sends every other one, over its own MessagePort, the messages bound for that
 * worker's nodes, the time of its own next event and the earliest time in its outboxes; each then
 * knows the same global next time T and runs the window [T, min(T + L, duration)). Events pop in
 * (time, key) order and every draw about a message comes from its key (engine/event-keys.ts), so the
 * nodes see exactly what they would on one thread, and the merged metrics are the same numbers.
 *
 * The rounds are synchronous: a worker reads its mail with receiveMessageOnPort and sleeps on a
 * shared counter (Atomics.wait) while mail is missing, so a round costs microseconds, not an event
 * loop turn. The workers also run their young-generation collections together, at a window boundary
 * (engine/worker.ts), so that one's pause is not the other's wait; for that this module exposes `gc`
 * (a process-wide V8 flag, read by each worker as it starts). The main thread only starts the
 * workers, relays progress, and merges their parts.
 */
import { setFlagsFromString } from 'node:v8'
import { Worker, type MessagePort } from 'node:worker_threads'
import { MessageChannel } from 'node:worker_threads'
import { RunMetrics, type MetricsData } from './metrics.ts'
import type { RunPlan } from './plan.ts'
import type { RunFacts, RunOptions, RunResult, ShardResult } from './simulator.ts'
import type { Scenario } from '../scenario/schema.ts'

// The sources run as TypeScript in the repository; the installed package runs the build in dist/.
const WORKER_URL = new URL(import.meta.url.endsWith('.ts') ? './worker.ts' : './worker.js', import.meta.url)

/** What a worker is started with (workerData). */
export interface WorkerSetup {
  readonly scenario: Scenario
  readonly shard: { readonly index: number, readonly count: number }
  /** ports[j]: the port to worker j (undefined at the worker's own index). */
  readonly ports: ReadonlyArray<MessagePort | undefined>
  /** One mail counter per worker, bumped (and notified) after every message posted to it. */
  readonly mail: Int32Array
  readonly sampleMemory: boolean
}

/** What a worker tells the main thread. */
export type WorkerReport =
  | { type: 'progress', simMs: number, events: number }
  | { type: 'done', part: ShardResult, collections: number, facts?: RunFacts }

/** Runs `plan` (built from `scenario`) on `threads` workers and merges their parts. */
export async function runParallel (scenario: Scenario, plan: RunPlan, threads: number, options: RunOptions = {}): Promise<RunResult> {
  setFlagsFromString('--expose-gc')
  const mail = new Int32Array(new SharedArrayBuffer(4 * threads))
  const ports: Array<Array<MessagePort | undefined>> = Array.from({ length: threads }, () => new Array<MessagePort | undefined>(threads))
  for (let i = 0; i < threads; i++) {
    for (let j = i + 1; j < threads; j++) {
      const { port1, port2 } = new MessageChannel()
      ports[i]![j] = port1
      ports[j]![i] = port2
    }
  }
  const workers: Worker[] = []
  const parts = new Array<ShardResult>(threads)
  let alignedCollections = 0
  let facts: RunFacts | undefined
  try {
    await new Promise<void>((resolve, reject) => {
      let remaining = threads
      let failed = false
      const fail = (err: Error): void => {
        if (failed) return
        failed = true
        reject(err)
      }
      for (let i = 0; i < threads; i++) {
        const own = ports[i]!
        const setup: WorkerSetup = { scenario, shard: { index: i, count: threads }, ports: own, mail, sampleMemory: options.sampleMemory ?? true }
        const worker = new Worker(WORKER_URL, {
          workerData: setup,
          transferList: own.filter((p): p is MessagePort => p !== undefined)
        })
        workers.push(worker)
        worker.on('message', (report: WorkerReport) => {
          if (report.type === 'progress') options.onProgress?.(report.simMs, plan.durationMs, report.events)
          else {
            parts[i] = report.part
            alignedCollections += report.collections
            if (report.facts !== undefined) facts = report.facts
            if (--remaining === 0) resolve()
          }
        })
        worker.on('error', fail)
        worker.on('exit', code => { if (parts[i] === undefined) fail(new Error(`simulation worker ${i} exited (code ${code}) before finishing`)) })
      }
    })
  } finally {
    await Promise.all(workers.map(async w => await w.terminate()))
  }
  let events = 0
  for (const p of parts) events += p.events
  options.onProgress?.(plan.durationMs, plan.durationMs, events)
  const metrics = RunMetrics.merge(parts.map(p => p.metrics as MetricsData))
  return { plan, metrics, events, endMs: plan.durationMs, alignedCollections, ...facts! }
}
