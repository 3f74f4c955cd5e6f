/**
 * Seeded pseudo-random numbers for the pure cores (shared/CONVENTIONS.md §2): the same seed gives the
 * same sequence, so a simulation run or a unit test can be replayed exactly. sfc32 (Chris Doty-Humphrey's
 * Small Fast Counter, PractRand-clean) seeded through splitmix32; fast enough for the simulator's hot loop.
 */

/** A source of random numbers injected into a core. */
export interface Rng {
  /** A float in [0, 1). */
  next: () => number
  /** An integer in [0, maxExclusive). */
  int: (maxExclusive: number) => number
  /** A uniformly chosen element; undefined for an empty list. */
  pick: <T>(items: readonly T[]) => T | undefined
  /** Up to `count` distinct elements, uniformly chosen (partial Fisher-Yates on a copy). */
  sample: <T>(items: readonly T[], count: number) => T[]
  /** Shuffles the array in place and returns it. */
  shuffle: <T>(items: T[]) => T[]
  /** An independent generator derived from this one's seed and a label, for sub-components. */
  fork: (label: number) => Rng
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

/** Creates a generator from a 32-bit seed (larger numbers are folded). */
export function createRng (seed: number): Rng {
  const folded = (Math.floor(seed) ^ Math.floor(seed / 0x100000000)) >>> 0
  const init = splitmix32(folded)
  let a = init()
  let b = init()
  let c = init()
  let d = init()
  const u32 = (): number => {
    const t = (((a + b) >>> 0) + d) >>> 0
    d = (d + 1) >>> 0
    a = b ^ (b >>> 9)
    b = (c + (c << 3)) >>> 0
    c = ((c << 21) | (c >>> 11)) >>> 0
    c = (c + t) >>> 0
    return t
  }
  for (let i = 0; i < 12; i++) u32()

  const next = (): number => u32() / 0x100000000
  const int = (maxExclusive: number): number => Math.floor(next() * maxExclusive)
  const rng: Rng = {
    next,
    int,
    pick: items => items.length === 0 ? undefined : items[int(items.length)],
    shuffle: items => {
      for (let i = items.length - 1; i > 0; i--) {
        const j = int(i + 1)
        const tmp = items[i] as (typeof items)[number]
        items[i] = items[j] as (typeof items)[number]
        items[j] = tmp
      }
      return items
    },
    sample: (items, count) => {
      const copy = items.slice()
      const n = Math.min(count, copy.length)
      for (let i = 0; i < n; i++) {
        const j = i + int(copy.length - i)
        const tmp = copy[i] as (typeof copy)[number]
        copy[i] = copy[j] as (typeof copy)[number]
        copy[j] = tmp
      }
      copy.length = n
      return copy
    },
    fork: label => createRng((folded ^ Math.imul(label + 1, 0x9e3779b1)) >>> 0)
  }
  return rng
}
