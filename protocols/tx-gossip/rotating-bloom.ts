/**
 * The seen-set of the core: two Bloom generations, current and previous (SPEC.md §6.3). Keys go into
 * the current generation; lookups check both. When the current one has taken `expectedItems` keys or
 * is `generationMs` old, the previous one is cleared and becomes the current one, so memory stays at
 * two fixed filters and every key is remembered for at least one full generation. The generations
 * are blocked filters (blocked-bloom.ts): the seen-set never leaves the node, and a blocked filter
 * answers with one memory access instead of k. Both generations live in one word array (the current
 * one at `base`, the previous one in the other half), so a lookup reaches this object, the array and
 * two blocks, and no further objects: in a simulator of 100,000 cores each of those is a cold load.
 * A runtime with many cores (the simulator) can give them one WordArena, so that their filters are
 * slices of a few large arrays rather than an array each: a lookup then reaches one array that every
 * core uses (warm), and the garbage collector tracks a few buffers instead of 100,000.
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
  /** Where the bit arrays come from; by default an array of the filter's own. */
  arena?: WordArena
}

/**
 * Hands out zeroed slices of large shared word arrays, for many small filters. A slice is never
 * handed out twice; an array is freed (by the garbage collector) once no filter uses it any more.
 */
export class WordArena {
  private chunk = new Int32Array(0)
  private used = 0
  private readonly chunkWords: number

  /** `chunkWords`: size of each shared array; a request above a quarter of it gets its own array. */
  constructor (chunkWords = 1 << 20) {
    this.chunkWords = chunkWords
  }

  /** A slice of `words` zeroed words: the array and where the slice starts in it. */
  slice (words: number): { array: Int32Array, start: number } {
    if (words * 4 > this.chunkWords) return { array: new Int32Array(words), start: 0 }
    if (this.used + words > this.chunk.length) {
      this.chunk = new Int32Array(this.chunkWords)
      this.used = 0
    }
    const start = this.used
    this.used += words
    return { array: this.chunk, start }
  }
}

/** Two Bloom generations with periodic reset. */
export class RotatingBloom {
  /** Both generations' blocks: [lo, lo + half) and [lo + half, lo + 2 × half). */
  private readonly words: Int32Array
  private readonly lo: number
  private readonly half: number
  private readonly blocks: number
  private readonly k: number
  /** Where the current generation starts in `words` (lo or lo + half). */
  private base: number
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
    const { array, start } = options.arena?.slice(2 * this.half) ?? { array: new Int32Array(2 * this.half), start: 0 }
    this.words = array
    this.lo = start
    this.base = start
  }

  /** Bytes of bit arrays held (both generations). */
  get bytes (): number {
    return 2 * this.half * 4
  }

  /** Where the previous generation starts in `words`. */
  private get previous (): number {
    return this.base === this.lo ? this.lo + this.half : this.lo
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
    return blockHas(words, this.base, blocks, k, lastH1, lastH2) || blockHas(words, this.previous, blocks, k, lastH1, lastH2)
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
    const cleared = this.previous
    this.words.fill(0, cleared, cleared + this.half)
    this.base = cleared
    this.count = 0
    this.rotatedAt = now
    this.rotations++
    return true
  }
}
