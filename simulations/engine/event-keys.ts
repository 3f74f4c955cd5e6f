/**
 * Event keys and keyed random numbers: what makes a run independent of how it is scheduled.
 *
 * Every event gets a key, `origin × 2^32 + n`, where the origin is the one that caused it (0 for the
 * run's timeline of publications and churn, node i + 1 for node i) and n counts the events that
 * origin has caused so far. Events pop in (time, key) order, and every random draw about a message
 * (its latency, whether it is lost) is a pure function of the run's seed and the message's key. So
 * the outcome depends neither on the order in which nodes happen to be processed nor on how they are
 * spread over worker threads (engine/parallel.ts): one thread or four give byte-identical summaries.
 */

/** Events one origin may cause (n < 2^32); far beyond any run's bounded queue. */
const PER_ORIGIN = 0x100000000
/** Largest origin whose keys stay exact doubles (origin × 2^32 + n < 2^53). */
export const MAX_ORIGIN = 2 ** 21 - 1

/** The origin of events caused by the run's timeline (publications, joins, leaves, crashes). */
export const TIMELINE_ORIGIN = 0

/** The origin of events caused by node `index`. */
export function nodeOrigin (index: number): number {
  return index + 1
}

/** Counts the events each origin causes and hands out their keys. */
export class EventKeys {
  private readonly counts: Float64Array

  /** `nodes`: how many nodes the run may ever have. */
  constructor (nodes: number) {
    if (nodes > MAX_ORIGIN) throw new RangeError(`at most ${MAX_ORIGIN} nodes have exact event keys`)
    this.counts = new Float64Array(nodes + 1)
  }

  /** The next key of `origin`. */
  next (origin: number): number {
    const n = this.counts[origin]!
    this.counts[origin] = n + 1
    return origin * PER_ORIGIN + n
  }
}

/** Murmur3's 32-bit finalizer: a bijection that mixes every input bit into every output bit. */
function mix32 (h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b)
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35)
  return (h ^ (h >>> 16)) >>> 0
}

/**
 * Random numbers addressed by key: `at(key)` starts the stream of that key, `next()` reads it
 * (splitmix32 steps from a state hashed from the seed and the key). No state is kept between keys,
 * so draws for one message never depend on which messages were drawn before it.
 */
export class KeyedRandom {
  private readonly salt: number
  private state = 0

  constructor (seed: number) {
    this.salt = mix32((seed ^ 0x5bd1e995) >>> 0)
  }

  /** Positions the stream at the start of `key`'s numbers (a non-negative integer below 2^53). */
  at (key: number): this {
    const lo = key >>> 0
    const hi = Math.floor(key / PER_ORIGIN) >>> 0
    this.state = mix32(lo ^ mix32(hi ^ this.salt))
    return this
  }

  /** The next number of the current key's stream, in [0, 1). */
  next = (): number => {
    this.state = (this.state + 0x9e3779b9) >>> 0
    return mix32(this.state) / 0x100000000
  }
}
