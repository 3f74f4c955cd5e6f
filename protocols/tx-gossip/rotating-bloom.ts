/**
 * The seen-set of the core: two Bloom generations, current and previous (SPEC.md §6.3). Keys go into
 * the current generation; lookups check both. When the current one has taken `expectedItems` keys or
 * is `generationMs` old, the previous one is cleared and becomes the current one, so memory stays at
 * two fixed filters and every key is remembered for at least one full generation. The generations
 * are blocked filters (blocked-bloom.ts): the seen-set never leaves the node, and a blocked filter
 * answers with one memory access instead of k.
 */
import { BlockedBloom } from './blocked-bloom.ts'
import { MURMUR_SEED2_XOR, murmur3Pair } from './murmur3.ts'

/** Sizing of a rotating filter. */
export interface RotatingBloomOptions {
  /** Keys per generation; the filter rotates when the current generation holds this many. */
  expectedItems: number
  /** False-positive rate of the pair (each generation gets half). */
  fpRate: number
  /** A generation rotates at this age even when not full. */
  generationMs: number
}

/** Two Bloom generations with periodic reset. */
export class RotatingBloom {
  private current: BlockedBloom
  private previous: BlockedBloom
  private rotatedAt: number | undefined
  private readonly options: RotatingBloomOptions
  // The hash pair of the last key looked up or added: a node usually asks about a transaction (an
  // inv for it) and then adds it (the fetch completed) with no other key in between.
  private lastKey: string | undefined
  private lastH1 = 0
  private lastH2 = 0
  /** How many times the filter has rotated. */
  rotations = 0

  constructor (options: RotatingBloomOptions) {
    this.options = options
    // Each generation at p/2: a lookup is a false positive if either generation says yes, ~p in all.
    this.current = BlockedBloom.create(options.expectedItems, options.fpRate / 2)
    this.previous = BlockedBloom.create(options.expectedItems, options.fpRate / 2)
  }

  /** Bytes of bit arrays held (both generations). */
  get bytes (): number {
    return this.current.bytes + this.previous.bytes
  }

  /** Adds a key to the current generation, rotating first if it is due. */
  add (key: string, now: number): void {
    this.rotateIfDue(now)
    this.hash(key)
    this.current.addHashed(this.lastH1, this.lastH2)
  }

  /** True if the key may have been added within the last one or two generations. */
  has (key: string): boolean {
    // One hash pair serves both generations.
    this.hash(key)
    return this.current.hasHashed(this.lastH1, this.lastH2) || this.previous.hasHashed(this.lastH1, this.lastH2)
  }

  private hash (key: string): void {
    if (key === this.lastKey) return
    const pair = murmur3Pair(key, 0, MURMUR_SEED2_XOR)
    this.lastKey = key
    this.lastH1 = pair[0]
    this.lastH2 = pair[1]
  }

  /** Rotates when the current generation is full or old; returns true if it rotated. */
  rotateIfDue (now: number): boolean {
    if (this.rotatedAt === undefined) this.rotatedAt = now
    if (this.current.count < this.options.expectedItems && now - this.rotatedAt < this.options.generationMs) return false
    const cleared = this.previous
    cleared.clear()
    this.previous = this.current
    this.current = cleared
    this.rotatedAt = now
    this.rotations++
    return true
  }
}
