/**
 * The seen-set of the core: two Bloom generations, current and previous (SPEC.md §6.3). Keys go into
 * the current generation; lookups check both. When the current one has taken `expectedItems` keys or
 * is `generationMs` old, the previous one is cleared and becomes the current one, so memory stays at
 * two fixed filters and every key is remembered for at least one full generation. The generations
 * are blocked filters (blocked-bloom.ts): the seen-set never leaves the node, and a blocked filter
 * answers with one memory access instead of k. Both generations live in one word array (the current
 * one at `base`, the previous one in the other half), so a lookup reaches this object, the array and
 * two blocks, and no further objects: in a simulator of 100,000 cores each of those is a cold load.
 */
import { addToBlock, BLOCK_WORDS, blockedBloomSize, blockHas } from './blocked-bloom.ts'
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
  /** Both generations' blocks: [0, half) and [half, 2 × half). */
  private readonly words: Int32Array
  private readonly half: number
  private readonly blocks: number
  private readonly k: number
  /** Where the current generation starts in `words` (0 or `half`). */
  private base = 0
  /** Keys added to the current generation (duplicates counted again). */
  private count = 0
  private rotatedAt: number | undefined
  // The options' limits, held here rather than behind another object.
  private readonly expectedItems: number
  private readonly generationMs: number
  // The hash pair of the last key looked up or added: a node usually asks about a transaction (an
  // inv for it) and then adds it (the fetch completed) with no other key in between.
  private lastKey: string | undefined
  private lastH1 = 0
  private lastH2 = 0
  /** How many times the filter has rotated. */
  rotations = 0

  constructor (options: RotatingBloomOptions) {
    this.expectedItems = options.expectedItems
    this.generationMs = options.generationMs
    // Each generation at p/2: a lookup is a false positive if either generation says yes, ~p in all.
    const { blocks, k } = blockedBloomSize(options.expectedItems, options.fpRate / 2)
    this.blocks = blocks
    this.k = k
    this.half = blocks * BLOCK_WORDS
    this.words = new Int32Array(2 * this.half)
  }

  /** Bytes of bit arrays held (both generations). */
  get bytes (): number {
    return this.words.byteLength
  }

  /** Adds a key to the current generation, rotating first if it is due. */
  add (key: string, now: number): void {
    this.rotateIfDue(now)
    this.hash(key)
    addToBlock(this.words, this.base, this.blocks, this.k, this.lastH1, this.lastH2)
    this.count++
  }

  /** True if the key may have been added within the last one or two generations. */
  has (key: string): boolean {
    // One hash pair serves both generations.
    this.hash(key)
    const { words, blocks, k, lastH1, lastH2 } = this
    return blockHas(words, this.base, blocks, k, lastH1, lastH2) || blockHas(words, this.half - this.base, blocks, k, lastH1, lastH2)
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
    if (this.count < this.expectedItems && now - this.rotatedAt < this.generationMs) return false
    // The previous generation is cleared and becomes the current one.
    const cleared = this.half - this.base
    this.words.fill(0, cleared, cleared + this.half)
    this.base = cleared
    this.count = 0
    this.rotatedAt = now
    this.rotations++
    return true
  }
}
