/**
 * Flood-optimal latency: the earliest time each node could have had a transaction if every node
 * forwarded it to every neighbour the moment it had it, over a given overlay with given one-way link
 * delays, and nothing else took time (no CPU, no queueing, no request round trips). It is the
 * shortest path from the publisher (Dijkstra, non-negative delays), a lower bound for any
 * dissemination over that overlay. The WAN benchmark (test/bench/testbed-wan.ts) compares real
 * first-receipt latencies with it.
 */

/** The overlay: undirected links between nodes 0..nodes-1 (each link listed once or twice, in any order). */
export interface Overlay {
  nodes: number
  /** neighbours[i]: the nodes i is linked to. */
  neighbours: number[][]
}

/** One-way delay of what `from` sends to `to`, ms (>= 0). */
export type LinkDelay = (from: number, to: number) => number

/** A link with a negative or non-finite delay, or a node outside the overlay. */
export class FloodOptimalInputError extends Error {
  override name = 'FloodOptimalInputError'
}

/**
 * Builds the overlay from snapshots of every node's connected peers (snapshot[i] = the nodes i saw
 * connected): the union over snapshots, symmetric (a connection either end reported counts both ways).
 */
export function overlayFromSnapshots (nodes: number, snapshots: ReadonlyArray<ReadonlyArray<readonly number[] | undefined>>): Overlay {
  const sets = Array.from({ length: nodes }, () => new Set<number>())
  for (const snapshot of snapshots) {
    snapshot.forEach((peers, i) => {
      for (const j of peers ?? []) {
        if (!Number.isInteger(j) || j < 0 || j >= nodes || i >= nodes) throw new FloodOptimalInputError(`link ${i}-${j} outside the ${nodes} nodes`)
        if (j === i) continue
        sets[i]!.add(j)
        sets[j]!.add(i)
      }
    })
  }
  return { nodes, neighbours: sets.map(s => [...s].sort((a, b) => a - b)) }
}

/** A binary min-heap of (time, node). */
class Heap {
  private readonly t: number[] = []
  private readonly n: number[] = []
  get size (): number { return this.t.length }
  push (time: number, node: number): void {
    let k = this.t.length
    this.t.push(time)
    this.n.push(node)
    while (k > 0) {
      const p = (k - 1) >> 1
      if (this.t[p]! <= time) break
      this.t[k] = this.t[p]!; this.n[k] = this.n[p]!
      k = p
    }
    this.t[k] = time; this.n[k] = node
  }

  pop (): [number, number] {
    const top: [number, number] = [this.t[0]!, this.n[0]!]
    const lastT = this.t.pop()!
    const lastN = this.n.pop()!
    const size = this.t.length
    if (size > 0) {
      let k = 0
      for (;;) {
        const l = 2 * k + 1
        if (l >= size) break
        const c = l + 1 < size && this.t[l + 1]! < this.t[l]! ? l + 1 : l
        if (this.t[c]! >= lastT) break
        this.t[k] = this.t[c]!; this.n[k] = this.n[c]!
        k = c
      }
      this.t[k] = lastT; this.n[k] = lastN
    }
    return top
  }
}

/**
 * Earliest arrival at every node of what `source` floods at time 0, ms: 0 at the source, Infinity
 * where the overlay does not reach.
 */
export function floodArrivalMs (overlay: Overlay, delay: LinkDelay, source: number): Float64Array {
  if (!Number.isInteger(source) || source < 0 || source >= overlay.nodes) throw new FloodOptimalInputError(`source ${source} outside the ${overlay.nodes} nodes`)
  const at = new Float64Array(overlay.nodes).fill(Infinity)
  const done = new Uint8Array(overlay.nodes)
  const heap = new Heap()
  at[source] = 0
  heap.push(0, source)
  while (heap.size > 0) {
    const [t, i] = heap.pop()
    if (done[i] === 1) continue
    done[i] = 1
    for (const j of overlay.neighbours[i] ?? []) {
      const d = delay(i, j)
      if (!(d >= 0) || !Number.isFinite(d)) throw new FloodOptimalInputError(`link ${i}->${j} has delay ${d}`)
      if (t + d < at[j]!) { at[j] = t + d; heap.push(t + d, j) }
    }
  }
  return at
}

/**
 * Flood-optimal latencies of a set of transactions: for transaction t (published by publishers[t]),
 * one value per receiver in `receivers` other than its publisher, in that order; transactions in order.
 * One shortest-path computation per distinct publisher.
 */
export function floodOptimalLatencies (overlay: Overlay, delay: LinkDelay, publishers: readonly number[], receivers: readonly number[]): Float64Array {
  const bySource = new Map<number, Float64Array>()
  const out: number[] = []
  for (const p of publishers) {
    let at = bySource.get(p)
    if (at === undefined) { at = floodArrivalMs(overlay, delay, p); bySource.set(p, at) }
    for (const r of receivers) if (r !== p) out.push(at[r]!)
  }
  return Float64Array.from(out)
}
