/**
 * Seeded pseudo-random numbers for the pure cores (docs/conventions.md §2): the same seed gives the
 * same sequence, so a simulation run or a unit test can be replayed exactly. sfc32 (Chris Doty-Humphrey's
 * Small Fast Counter, PractRand-clean) seeded through splitmix32; fast enough for the simulator's hot loop.
 */

/** A source of random numbers injected into a core. */
export interface Rng {
  /** A float in [0, 1). */
  next (): number
  /** An integer in [0, maxExclusive). */
  int (maxExclusive: number): number
  /** A uniformly chosen element; undefined for an empty list. */
  pick<T> (items: readonly T[]): T | undefined
  /** Up to `count` distinct elements, uniformly chosen (partial Fisher-Yates on a copy). */
  sample<T> (items: readonly T[], count: number): T[]
  /** Shuffles the array in place and returns it. */
  shuffle<T> (items: T[]): T[]
  /** An independent generator derived from this one's seed and a label, for sub-components. */
  fork (label: number): Rng
}

function splitmix32 (seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x9e3779b9) >>> 0
    let z = state
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b)
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35)
    return (z ^ (z >>> 16)) >>> 0
  }
}

/**
 * sfc32 as a class: the state in four fields and the methods on the prototype, so that a simulator
 * holding one generator per node (100,000 of them) holds one small object each, not a closure per
 * method.
 */
class Sfc32 implements Rng {
  private a: number
  private b: number
  private c: number
  private d: number
  private readonly folded: number

  constructor (folded: number) {
    this.folded = folded
    const init = splitmix32(folded)
    this.a = init()
    this.b = init()
    this.c = init()
    this.d = init()
    for (let i = 0; i < 12; i++) this.u32()
  }

  private u32 (): number {
    const { a, b, c, d } = this
    const t = (((a + b) >>> 0) + d) >>> 0
    this.d = (d + 1) >>> 0
    this.a = b ^ (b >>> 9)
    this.b = (c + (c << 3)) >>> 0
    const rotated = ((c << 21) | (c >>> 11)) >>> 0
    this.c = (rotated + t) >>> 0
    return t
  }

  next (): number {
    return this.u32() / 0x100000000
  }

  int (maxExclusive: number): number {
    return Math.floor(this.next() * maxExclusive)
  }

  pick<T> (items: readonly T[]): T | undefined {
    return items.length === 0 ? undefined : items[this.int(items.length)]
  }

  shuffle<T> (items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1)
      const tmp = items[i] as T
      items[i] = items[j] as T
      items[j] = tmp
    }
    return items
  }

  sample<T> (items: readonly T[], count: number): T[] {
    const copy = items.slice()
    const n = Math.min(count, copy.length)
    for (let i = 0; i < n; i++) {
      const j = i + this.int(copy.length - i)
      const tmp = copy[i] as T
      copy[i] = copy[j] as T
      copy[j] = tmp
    }
    copy.length = n
    return copy
  }

  fork (label: number): Rng {
    return createRng((this.folded ^ Math.imul(label + 1, 0x9e3779b1)) >>> 0)
  }
}

/** Creates a generator from a 32-bit seed (larger numbers are folded). */
export function createRng (seed: number): Rng {
  return new Sfc32((Math.floor(seed) ^ Math.floor(seed / 0x100000000)) >>> 0)
}
