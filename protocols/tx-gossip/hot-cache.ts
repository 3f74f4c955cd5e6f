/**
 * A four-entry cache, kept in the core's own fields, of what the recent list and the fetch table
 * say about the transactions this node dealt with last.
 *
 * Why: nearly every input names a transaction the node is fetching or has just fetched (most
 * inventories a node receives announce something it already holds). Answering from the Maps costs
 * a chain of dependent memory loads (core, table object, Map, hash table, entry), and when a
 * simulator runs 100,000 cores none of that is in the CPU cache: each load is a trip to DRAM
 * (about 300 ns on the project's machine). The cache answers those inputs from the core object
 * itself. It changes no decision: it only ever holds what the Maps would return.
 *
 * Invariant: for a cached key `k` with value `v`, `v === (fetch of k) ?? (recent entry of k)` and
 * `v !== undefined`. The table code keeps it by calling hotPut/hotDrop on every change.
 */
import type { Fetch } from './fetches.ts'
import type { TxKey } from './types.ts'

/** What the cache holds for a key: its fetch, or its recent entry (size × 256 + hops). */
export type HotValue = number | Fetch

/** The cache's fields (part of the core's state). */
export interface HotCache {
  hk0: TxKey | undefined
  hv0: HotValue
  hk1: TxKey | undefined
  hv1: HotValue
  hk2: TxKey | undefined
  hv2: HotValue
  hk3: TxKey | undefined
  hv3: HotValue
  /** The entry the next new key replaces (round robin). */
  hotNext: number
}

/** An empty cache, to spread into a new state. */
export function emptyHotCache (): HotCache {
  return { hk0: undefined, hv0: 0, hk1: undefined, hv1: 0, hk2: undefined, hv2: 0, hk3: undefined, hv3: 0, hotNext: 0 }
}

/** The cached value for `id`, or undefined when it is not cached (which says nothing about the Maps). */
export function hotFind (c: HotCache, id: TxKey): HotValue | undefined {
  if (c.hk0 === id) return c.hv0
  if (c.hk1 === id) return c.hv1
  if (c.hk2 === id) return c.hv2
  if (c.hk3 === id) return c.hv3
  return undefined
}

/** Caches `value` for `id`, replacing its entry if cached, else the oldest inserted one. */
export function hotPut (c: HotCache, id: TxKey, value: HotValue): void {
  if (c.hk0 === id) { c.hv0 = value; return }
  if (c.hk1 === id) { c.hv1 = value; return }
  if (c.hk2 === id) { c.hv2 = value; return }
  if (c.hk3 === id) { c.hv3 = value; return }
  switch (c.hotNext) {
    case 0: c.hk0 = id; c.hv0 = value; break
    case 1: c.hk1 = id; c.hv1 = value; break
    case 2: c.hk2 = id; c.hv2 = value; break
    default: c.hk3 = id; c.hv3 = value; break
  }
  c.hotNext = (c.hotNext + 1) & 3
}

/** Forgets `id` (its fetch ended, or its recent entry was evicted). */
export function hotDrop (c: HotCache, id: TxKey): void {
  if (c.hk0 === id) { c.hk0 = undefined; c.hv0 = 0 } else if (c.hk1 === id) { c.hk1 = undefined; c.hv1 = 0 } else if (c.hk2 === id) { c.hk2 = undefined; c.hv2 = 0 } else if (c.hk3 === id) { c.hk3 = undefined; c.hv3 = 0 }
}
