/**
 * Which tx ids the database may hold, answered from memory: a chain of Bloom filters holding every id
 * found when the store opened and every id written since. A miss is certain (a Bloom filter has no
 * false negatives), so the common question on receipt, "is this new transaction already stored?",
 * needs no database read; a hit (a stored id, an evicted one, or a false positive) is checked in the
 * database as before. Measured in the gossip benchmark: one LevelDB read per transaction per node,
 * about 6 % of the CPU, and a thread-pool round trip before the application heard of it.
 *
 * Bounded: the first filter holds PERSISTED_IDS_MIN_ITEMS ids, each next one twice as many as the one
 * before, up to PERSISTED_IDS_MAX_ITEMS ids in all (≈ 7 MiB at the rate below); beyond that the
 * answer is always "maybe" until the store is opened again. Evicted ids are not removed (a Bloom
 * filter cannot forget); they only cost a database read, as a false positive does.
 */
import { BloomFilter } from '../../../protocols/tx-gossip/index.ts'

/** Ids the first filter is sized for. */
export const PERSISTED_IDS_MIN_ITEMS = 16_384
/** Most ids tracked in all filters together; beyond it every lookup goes to the database. */
export const PERSISTED_IDS_MAX_ITEMS = 4_194_304
/** False-positive rate of each filter: 1 in 1,000 new transactions is looked up in the database. */
export const PERSISTED_IDS_FP_RATE = 0.001

/** The set of ids the database may hold. */
export class PersistedIds {
  private readonly maxItems: number
  private filters: Array<{ filter: BloomFilter, capacity: number }> = []
  private total = 0
  private overflowed = false

  /** @param maxItems most ids tracked (tests lower it). @default PERSISTED_IDS_MAX_ITEMS */
  constructor (maxItems = PERSISTED_IDS_MAX_ITEMS) {
    this.maxItems = maxItems
    this.clear()
  }

  /** True once more ids were added than the filters may hold: every answer is then "maybe". */
  get exhausted (): boolean {
    return this.overflowed
  }

  /** False if the database certainly does not hold `id`. */
  mayHold (id: string): boolean {
    if (this.overflowed) return true
    for (const { filter } of this.filters) if (filter.has(id)) return true
    return false
  }

  /** Records that `id` is (being) written. */
  add (id: string): void {
    if (this.overflowed) return
    let last = this.filters.at(-1) as { filter: BloomFilter, capacity: number }
    if (last.filter.count >= last.capacity) {
      const capacity = last.capacity * 2
      if (this.total + capacity > this.maxItems) {
        this.overflowed = true
        this.filters = []
        return
      }
      last = { filter: BloomFilter.create(capacity, PERSISTED_IDS_FP_RATE), capacity }
      this.filters.push(last)
      this.total += capacity
    }
    last.filter.add(id)
  }

  /** Forgets everything (the store is about to be read again). */
  clear (): void {
    this.filters = [{ filter: BloomFilter.create(PERSISTED_IDS_MIN_ITEMS, PERSISTED_IDS_FP_RATE), capacity: PERSISTED_IDS_MIN_ITEMS }]
    this.total = PERSISTED_IDS_MIN_ITEMS
    this.overflowed = false
  }
}
