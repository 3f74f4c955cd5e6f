/**
 * The set of live nodes, with O(1) add, remove and uniform random pick (swap-remove over a dense
 * array). Capacity is fixed at the run's maximum node count.
 */
import type { Rng } from '../../protocols/common/rng.ts'

/** Live node indices. */
export class LiveSet {
  private readonly items: Int32Array
  private readonly pos: Int32Array
  private count = 0

  constructor (capacity: number) {
    this.items = new Int32Array(capacity)
    this.pos = new Int32Array(capacity).fill(-1)
  }

  /** Number of live nodes. */
  get size (): number { return this.count }

  /** True if node is live. */
  has (node: number): boolean { return this.pos[node]! >= 0 }

  /** Marks a node live. */
  add (node: number): void {
    if (this.pos[node]! >= 0) return
    this.pos[node] = this.count
    this.items[this.count++] = node
  }

  /** Marks a node gone. */
  remove (node: number): void {
    const p = this.pos[node]!
    if (p < 0) return
    const last = this.items[--this.count]!
    this.items[p] = last
    this.pos[last] = p
    this.pos[node] = -1
  }

  /** A uniformly random live node (the set must not be empty). */
  pick (rng: Rng): number { return this.items[rng.int(this.count)]! }

  /** The live nodes, ascending. */
  snapshot (): Int32Array { return this.items.slice(0, this.count).sort() }
}
