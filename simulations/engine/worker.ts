/**
 * One worker of a parallel run (engine/parallel.ts): builds its shard of the run from the scenario
 * and advances it window by window, trading mail with the other workers between windows.
 */
import { getHeapSpaceStatistics } from 'node:v8'
import { parentPort, receiveMessageOnPort, workerData, type MessagePort } from 'node:worker_threads'
import { planFor } from '../run.ts'
import type { Batch } from './outbox.ts'
import { Simulator } from './simulator.ts'
import type { WorkerReport, WorkerSetup } from './parallel.ts'

/** One round's letter from one worker to another. */
interface Letter {
  batch: Batch
  /** The sender's next event and the earliest event in any of its outboxes. */
  next: number
  out: number
  events: number
  /** The sender's young generation is nearly full: both collect before the next window. */
  collect: boolean
}

/** Reports are at most this often, ms of wall time. */
const PROGRESS_EVERY_MS = 200

/**
 * Collector pauses, aligned. A young-generation collection stops a worker for tens of milliseconds,
 * and the other worker, done with the window, waits that long for its letter. So a worker whose
 * young generation is past this share full says so in its letter, and every worker collects at the
 * same window boundary: the pauses overlap instead of adding up. (A window allocates a few per cent
 * of the young generation, so the collector's own trigger rarely comes first; it remains the
 * backstop.) Needs `gc`, which engine/parallel.ts exposes before starting the workers.
 */
const COLLECT_AT_YOUNG_FILL = 0.85
const collectGarbage = globalThis.gc

function youngGenerationNearlyFull (): boolean {
  if (collectGarbage === undefined) return false
  const young = getHeapSpaceStatistics().find(space => space.space_name === 'new_space')
  return young !== undefined && young.space_used_size > COLLECT_AT_YOUNG_FILL * (young.space_used_size + young.space_available_size)
}

const setup = workerData as WorkerSetup
const { scenario, shard, ports, mail } = setup
const { binding, plan } = planFor(scenario)
const sim = new Simulator(plan, binding, shard, { sampleMemory: setup.sampleMemory })
const lookahead = sim.lookaheadMs
if (!(lookahead > 0)) throw new Error('a parallel run needs a latency model with a positive floor')
const me = shard.index

/** The next letter on `port`, sleeping on this worker's mail counter while there is none. */
function receive (port: MessagePort): Letter {
  for (;;) {
    const got = receiveMessageOnPort(port)
    if (got !== undefined) return got.message as Letter
    const seen = Atomics.load(mail, me)
    const again = receiveMessageOnPort(port)
    if (again !== undefined) return again.message as Letter
    // A letter posted after `seen` was read has bumped the counter, so this cannot sleep through it.
    Atomics.wait(mail, me, seen)
  }
}

let lastReport = performance.now()
let collections = 0
for (;;) {
  const next = sim.nextTime()
  const out = sim.outboxMinTime()
  const mine = sim.events
  let collect = youngGenerationNearlyFull()
  for (let j = 0; j < shard.count; j++) {
    const port = ports[j]
    if (port === undefined) continue
    const batch = sim.takeOutbox(j)
    const letter: Letter = { batch, next, out, events: mine, collect }
    port.postMessage(letter, [batch.records.buffer])
    Atomics.add(mail, j, 1)
    Atomics.notify(mail, j)
  }
  let start = Math.min(next, out)
  let events = mine
  for (let j = 0; j < shard.count; j++) {
    const port = ports[j]
    if (port === undefined) continue
    const letter = receive(port)
    sim.receive(letter.batch)
    start = Math.min(start, letter.next, letter.out)
    events += letter.events
    collect ||= letter.collect
  }
  // Every worker saw the same letters, so every worker computes the same window.
  if (start >= plan.durationMs) break
  if (collect) {
    collectGarbage!({ type: 'minor' })
    collections++
  }
  const end = Math.min(start + lookahead, plan.durationMs)
  sim.advance(end)
  if (me === 0 && performance.now() - lastReport >= PROGRESS_EVERY_MS) {
    lastReport = performance.now()
    parentPort!.postMessage({ type: 'progress', simMs: end, events } satisfies WorkerReport)
  }
}

const part = sim.finish()
const transfer = new Set<ArrayBuffer>()
for (const value of Object.values(part.metrics)) {
  if (ArrayBuffer.isView(value) && value.buffer instanceof ArrayBuffer) transfer.add(value.buffer)
}
parentPort!.postMessage({ type: 'done', part, collections, facts: me === 0 ? sim.facts() : undefined } satisfies WorkerReport, [...transfer])
