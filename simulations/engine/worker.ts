/**
 * One worker of a parallel run (engine/parallel.ts): builds its shard of the run from the scenario
 * and advances it window by window, trading mail with the other workers between windows.
 */
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
}

/** Reports are at most this often, ms of wall time. */
const PROGRESS_EVERY_MS = 200

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
for (;;) {
  const next = sim.nextTime()
  const out = sim.outboxMinTime()
  const mine = sim.events
  for (let j = 0; j < shard.count; j++) {
    const port = ports[j]
    if (port === undefined) continue
    const batch = sim.takeOutbox(j)
    const letter: Letter = { batch, next, out, events: mine }
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
  }
  // Every worker saw the same letters, so every worker computes the same window.
  if (start >= plan.durationMs) break
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
parentPort!.postMessage({ type: 'done', part, facts: me === 0 ? sim.facts() : undefined } satisfies WorkerReport, [...transfer])
