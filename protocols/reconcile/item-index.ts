/**
 * The items a node holds, in reconciliation order (SPEC.md §9.3): per served scope, sorted by
 * (timestamp, id) in parallel arrays, so that a range is a pair of indices found by binary search,
 * a split is index arithmetic, and an insert near the end (the common case: new transactions) is
 * cheap. Bounded by `maxItems`: beyond it the earliest added item is dropped from the index.
 */
import { ALL_REGISTERS, type Bound, type IndexedItem, type TxKey } from './types.ts'

/** Out-of-order inserts buffered at least, before a merge (see SortedItems.insert). */
const MIN_BUFFER = 1024

/**
 * The items of one scope, sorted by (ts, id). An item that sorts after the last one is appended at
 * once (new transactions); others wait in a buffer merged in one pass when the sorted view is next
 * read (`settle`) or once it holds an eighth of the items, so a catch-up that inserts 10,000 old
 * items costs a few merges, not 10,000 shifts.
 */
export class SortedItems {
  readonly ts: number[] = []
  readonly ids: TxKey[] = []
  readonly sizes: number[] = []
  private buffer: IndexedItem[] = []

  /** Items, the buffered ones included. */
  get size (): number { return this.ids.length + this.buffer.length }

  /** Index of the first item not below (ts, id): where it is, or would be inserted. Call settle() first. */
  position (ts: number, id: TxKey): number {
    let lo = 0
    let hi = this.ids.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      const t = this.ts[mid]!
      if (t < ts || (t === ts && this.ids[mid]! < id)) lo = mid + 1
      else hi = mid
    }
    return lo
  }

  /**
   * Number of items below `bound` (the index of the first one at or above it). An id is below the
   * bound's padded prefix exactly when it compares below the prefix as a string (SPEC.md §9.3).
   */
  lowerIndex (bound: Bound): number {
    return this.position(bound.ts, bound.prefix)
  }

  insert (item: IndexedItem): void {
    const n = this.ids.length
    if (this.buffer.length === 0 && (n === 0 || this.ts[n - 1]! < item.ts || (this.ts[n - 1] === item.ts && this.ids[n - 1]! < item.id))) {
      this.ts.push(item.ts)
      this.ids.push(item.id)
      this.sizes.push(item.size)
      return
    }
    this.buffer.push(item)
    // Bounded: merged once it holds an eighth of the items (amortised: 8 moves per insert).
    if (this.buffer.length > Math.max(MIN_BUFFER, n >> 3)) this.settle()
  }

  remove (ts: number, id: TxKey): void {
    this.settle()
    const at = this.position(ts, id)
    if (this.ids[at] !== id) return
    this.ts.splice(at, 1)
    this.ids.splice(at, 1)
    this.sizes.splice(at, 1)
  }

  /** Merges `items` in (one sort of them, one pass over the rest). */
  merge (items: readonly IndexedItem[]): void {
    this.buffer.push(...items)
    this.settle()
  }

  /**
   * Merges the buffered items into the sorted arrays, in place from the back: an existing item moves
   * only if a buffered one sorts before it, so merging recent items (near the end) costs about the
   * number merged, not the size of the index.
   */
  settle (): void {
    if (this.buffer.length === 0) return
    const extra = this.buffer.sort((a, b) => a.ts - b.ts || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    this.buffer = []
    const { ts, ids, sizes } = this
    let i = ids.length - 1
    // Room for the merged items at the end (pushes keep the arrays packed).
    for (let k = 0; k < extra.length; k++) { ts.push(0); ids.push(''); sizes.push(0) }
    let w = ids.length - 1
    for (let j = extra.length - 1; j >= 0; w--) {
      const item = extra[j]!
      if (i >= 0 && (ts[i]! > item.ts || (ts[i] === item.ts && ids[i]! > item.id))) {
        ts[w] = ts[i]!; ids[w] = ids[i]!; sizes[w] = sizes[i]!; i--
      } else {
        ts[w] = item.ts; ids[w] = item.id; sizes[w] = item.size; j--
      }
    }
  }
}

interface Entry { ts: number, register: string }

/** Register scopes derived from `*` kept at once (see ItemIndex.derive). */
const MAX_DERIVED = 16

/** Every item the node holds, by id, and the sorted items of each served scope. */
export class ItemIndex {
  private readonly maxItems: number
  private readonly all: SortedItems | undefined
  private readonly registers = new Map<string, SortedItems>()
  private readonly entries = new Map<TxKey, Entry>()
  /** Register scopes answered from `*` (tx-gossip SPEC.md §3.7), each valid while `version` is unchanged. */
  private readonly derived = new Map<string, { version: number, items: SortedItems }>()
  /** Bumped by every change of the items. */
  private version = 0

  constructor (scopes: readonly string[], maxItems: number) {
    this.maxItems = maxItems
    for (const scope of scopes) {
      if (scope !== ALL_REGISTERS) this.registers.set(scope, new SortedItems())
    }
    this.all = scopes.includes(ALL_REGISTERS) ? new SortedItems() : undefined
  }

  get size (): number { return this.entries.size }

  /**
   * The sorted items of a scope this node serves (buffered inserts merged); undefined for another.
   * A node serving `*` serves every register's scope too, from its `*` items (derive).
   */
  scope (scope: string): SortedItems | undefined {
    if (scope !== ALL_REGISTERS && this.all !== undefined && !this.registers.has(scope)) return this.derive(scope)
    const items = scope === ALL_REGISTERS ? this.all : this.registers.get(scope)
    items?.settle()
    return items
  }

  /** True if this node serves the scope (a node serving `*` serves every register). */
  serves (scope: string): boolean {
    return scope === ALL_REGISTERS ? this.all !== undefined : this.registers.has(scope) || this.all !== undefined
  }

  /**
   * A register's items taken from the `*` items, rebuilt after any change (one pass, as a session's
   * fingerprints cost anyway), at most MAX_DERIVED kept: a node that stores every register answers
   * the register-scoped sessions of nodes that serve a few.
   */
  private derive (scope: string): SortedItems {
    const cached = this.derived.get(scope)
    if (cached?.version === this.version) return cached.items
    const all = this.all as SortedItems
    all.settle()
    const items = new SortedItems()
    for (let i = 0; i < all.ids.length; i++) {
      const id = all.ids[i]!
      if (this.entries.get(id)?.register !== scope) continue
      items.ts.push(all.ts[i]!)
      items.ids.push(id)
      items.sizes.push(all.sizes[i]!)
    }
    if (this.derived.size >= MAX_DERIVED) this.derived.clear()
    this.derived.set(scope, { version: this.version, items })
    return items
  }

  /** True if the node holds `id` (in any scope it serves). */
  has (id: TxKey): boolean {
    return this.entries.has(id)
  }

  /** False if the item is already indexed or belongs to no served scope. */
  add (item: IndexedItem): boolean {
    if (this.entries.has(item.id)) return false
    const register = this.registers.get(item.register)
    if (register === undefined && this.all === undefined) return false
    this.version++
    this.entries.set(item.id, { ts: item.ts, register: item.register })
    this.all?.insert(item)
    register?.insert(item)
    this.bound()
    return true
  }

  /** Adds many items (one merge per scope when they are many, else buffered inserts); returns the ids added. */
  load (items: readonly IndexedItem[]): TxKey[] {
    const fresh: IndexedItem[] = []
    this.version++
    for (const item of items) {
      if (this.entries.has(item.id) || (this.all === undefined && !this.registers.has(item.register))) continue
      this.entries.set(item.id, { ts: item.ts, register: item.register })
      fresh.push(item)
    }
    // A few items next to many (a stored batch): inserted one by one (appended, or buffered for one
    // later merge); many (the store read at start): one merge.
    const few = fresh.length <= Math.max(64, this.entries.size >> 3)
    const put = (sorted: SortedItems, list: readonly IndexedItem[]): void => {
      if (!few) sorted.merge(list)
      else for (const item of list) sorted.insert(item)
    }
    if (this.all !== undefined) put(this.all, fresh)
    for (const [name, sorted] of this.registers) put(sorted, fresh.filter(item => item.register === name))
    this.bound()
    return fresh.map(item => item.id)
  }

  remove (id: TxKey): boolean {
    const entry = this.entries.get(id)
    if (entry === undefined) return false
    this.version++
    this.entries.delete(id)
    this.all?.remove(entry.ts, id)
    this.registers.get(entry.register)?.remove(entry.ts, id)
    return true
  }

  private bound (): void {
    while (this.entries.size > this.maxItems) this.remove(this.entries.keys().next().value as TxKey)
  }
}
