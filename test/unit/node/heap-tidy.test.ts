import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { constants, PerformanceObserver } from 'node:perf_hooks'
import { createRootLogger } from '../../../src/logging/index.ts'
import { startHeapTidy, tidyOnce, type HeapTidyHooks } from '../../../src/node/heap-tidy.ts'

const MiB = 1024 * 1024
const log = createRootLogger({ level: 'silent', format: 'json' })

/** Hooks over a fake heap: `resident` as set, `busy` as the loop's share, collections counted (each leaves `live`). */
function fakeHeap (): HeapTidyHooks & { resident: number, live: number, busy: number, collections: number } {
  const heap = {
    resident: 60 * MiB,
    live: 40 * MiB,
    busy: 0.01,
    collections: 0,
    heapResident: () => heap.resident,
    busyShare: () => heap.busy,
    collect: () => { heap.collections++; heap.resident = heap.live },
    now: () => 0
  }
  return heap
}

describe('heap tidy', () => {
  it('collects at its first look when the node is idle, then only after the heap grew by more than the slack', () => {
    const heap = fakeHeap()
    let baseline = tidyOnce(heap, undefined, 8 * MiB, 0.05, log)
    assert.equal(heap.collections, 1)
    assert.equal(baseline, 40 * MiB)
    heap.resident = 47 * MiB
    baseline = tidyOnce(heap, baseline, 8 * MiB, 0.05, log)
    assert.equal(heap.collections, 1, 'grew by 7 MiB: within the slack')
    heap.resident = 49 * MiB
    heap.live = 42 * MiB
    baseline = tidyOnce(heap, baseline, 8 * MiB, 0.05, log)
    assert.equal(heap.collections, 2)
    assert.equal(baseline, 42 * MiB)
  })

  it('leaves a busy node to V8, and takes a heap that stays large after a collection as the new baseline', () => {
    const heap = fakeHeap()
    heap.busy = 0.5
    assert.equal(tidyOnce(heap, undefined, 8 * MiB, 0.05, log), undefined)
    assert.equal(heap.collections, 0)
    heap.busy = 0.01
    heap.live = 60 * MiB
    let baseline = tidyOnce(heap, undefined, 8 * MiB, 0.05, log)
    assert.equal(baseline, 60 * MiB)
    // Nothing to gain: no collection at every look.
    for (let i = 0; i < 5; i++) baseline = tidyOnce(heap, baseline, 8 * MiB, 0.05, log)
    assert.equal(heap.collections, 1)
  })

  it('runs V8\'s full collection on its timer without exposing gc to the node\'s code, and stops', async () => {
    const forced: number[] = []
    const observer = new PerformanceObserver(list => {
      for (const e of list.getEntries()) {
        const detail = (e as unknown as { detail: { kind: number, flags: number } }).detail
        if (detail.kind === constants.NODE_PERFORMANCE_GC_MAJOR && (detail.flags & constants.NODE_PERFORMANCE_GC_FLAGS_FORCED) !== 0) forced.push(e.startTime)
      }
    })
    observer.observe({ entryTypes: ['gc'] })
    const stop = startHeapTidy(log, { checkMs: 20, slackBytes: 0, idleBelow: 1.01 })
    await new Promise(resolve => setTimeout(resolve, 200))
    stop()
    await new Promise(resolve => setTimeout(resolve, 50))
    const seen = forced.length
    assert.ok(seen >= 1, 'no forced full collection')
    await new Promise(resolve => setTimeout(resolve, 100))
    observer.disconnect()
    assert.equal(forced.length, seen, 'collections after the stop')
    assert.equal((globalThis as { gc?: unknown }).gc, undefined)
  })
})
