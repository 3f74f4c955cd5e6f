/** Ids reconciliation found missing, awaiting their arrival (to count them as recovered). */

/**
 * A bounded set of ids. When full, the oldest tenth is forgotten in one walk: a Set's first entry
 * is found past the slots of every entry deleted since it was last rehashed, so forgetting one per
 * add cost a walk per add (1 % of a receiver's CPU in the queue benchmark, where 20,000 were found
 * missing at once).
 */
export class AwaitedIds {
  private readonly max: number
  private readonly ids = new Set<string>()

  constructor (max: number) {
    this.max = max
  }

  get size (): number {
    return this.ids.size
  }

  add (items: ReadonlyArray<{ id: string }>): void {
    for (const { id } of items) {
      if (this.ids.size >= this.max) {
        let forget = Math.max(1, Math.floor(this.max / 10))
        for (const old of this.ids) {
          this.ids.delete(old)
          if (--forget === 0) break
        }
      }
      this.ids.add(id)
    }
  }

  /** True if `id` was awaited (it is forgotten now). */
  arrived (id: string): boolean {
    return this.ids.delete(id)
  }
}
