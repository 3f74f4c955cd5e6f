/**
 * A small LRU cache bounded by total size (bytes) with a time-to-live per entry. A Map iterates in
 * insertion order, so re-inserting on access keeps the least recently used entry first, and eviction
 * takes from the front. Time comes from an injected clock so tests need no fake timers.
 */

/** Options of an LruCache. */
export interface LruCacheOptions<V> {
  /** Sum of sizeOf(value) kept at most; 0 disables the cache. */
  maxBytes: number
  /** An entry older than this is treated as absent and dropped. */
  ttlMs: number
  /** The size of a value, bytes. */
  sizeOf: (value: V) => number
  /** The clock, milliseconds. @default Date.now */
  now?: () => number
}

interface Entry<V> { value: V, size: number, expiresAt: number }

/** LRU + TTL cache. */
export class LruCache<K, V> {
  private readonly map = new Map<K, Entry<V>>()
  private readonly options: LruCacheOptions<V>
  private readonly now: () => number
  private total = 0

  constructor (options: LruCacheOptions<V>) {
    this.options = options
    this.now = options.now ?? Date.now
  }

  /** Bytes held. */
  get bytes (): number {
    return this.total
  }

  /** Entries held (some may have expired but not yet been dropped). */
  get size (): number {
    return this.map.size
  }

  /** The value for `key` if present and fresh; marks it most recently used. */
  get (key: K): V | undefined {
    const entry = this.map.get(key)
    if (entry === undefined) return undefined
    this.map.delete(key)
    if (entry.expiresAt <= this.now()) {
      this.total -= entry.size
      return undefined
    }
    this.map.set(key, entry)
    return entry.value
  }

  /** True if `key` is present and fresh; unlike get(), leaves its place in the LRU order alone. */
  has (key: K): boolean {
    const entry = this.map.get(key)
    return entry !== undefined && entry.expiresAt > this.now()
  }

  /** Stores a value (a value larger than the whole cache is not kept). */
  set (key: K, value: V): void {
    this.delete(key)
    const size = this.options.sizeOf(value)
    if (size > this.options.maxBytes) return
    this.map.set(key, { value, size, expiresAt: this.now() + this.options.ttlMs })
    this.total += size
    while (this.total > this.options.maxBytes) {
      const oldest = this.map.keys().next()
      if (oldest.done === true) break
      this.delete(oldest.value)
    }
  }

  /** Removes `key`. */
  delete (key: K): void {
    const entry = this.map.get(key)
    if (entry === undefined) return
    this.total -= entry.size
    this.map.delete(key)
  }

  /** Drops every expired entry. */
  prune (): void {
    const now = this.now()
    for (const [key, entry] of this.map) if (entry.expiresAt <= now) this.delete(key)
  }

  /** Empties the cache. */
  clear (): void {
    this.map.clear()
    this.total = 0
  }
}
