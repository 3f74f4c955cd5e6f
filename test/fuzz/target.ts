/**
 * What a fuzz target is: a fast-check property over one decoder's input (arbitrary bytes and
 * structure-aware mutations of valid encodings), the source files whose coverage the harness
 * reports, and how many runs `npm test` gives it. A property fails by throwing; it passes when the
 * decoder returned a value or its typed error/verdict, within the allocation bound it asserts.
 */
import type fc from 'fast-check'

/** One fuzz target. */
export interface FuzzTarget {
  /** Kebab-case name, as given to `npm run fuzz -- <name>`. */
  name: string
  /** What the target feeds and asserts, one line (printed by `npm run fuzz -- list`). */
  description: string
  /** Repository-relative source files of the decoder: the harness reports their V8 coverage. */
  files: string[]
  /** True for a parser of bytes from the network (the docs record a long run of each). */
  wire: boolean
  /** Runs in `npm test` (keep the whole fuzz test file under a few seconds per target). */
  testRuns: number
  /** Builds the property (sync or async); called after setup(). */
  property: () => fc.IRawProperty<unknown[]>
  /** Starts what the property needs (a gateway...), once per run of the target. */
  setup?: () => Promise<void>
  /** Undoes setup(). */
  teardown?: () => Promise<void>
  /** The byte-level entry the harness's fast mode drives (wire targets; see fast.ts). */
  fast?: FastEntry
}

/**
 * A wire target as a byte-level fuzz entry (like libFuzzer's one-input function), for the harness's
 * fast mode: `inputs` are the target's seed inputs (valid, mutated and arbitrary encodings), which
 * the fast mode mutates further; `check` runs the decoder on one input and throws unless the result
 * is the decoder's value or typed error within its size bounds (and what the node does next with it).
 * With `full`, it also checks what the property checks beyond that (round trips, re-encodings).
 */
export interface FastEntry {
  inputs: fc.Arbitrary<Uint8Array>
  check: (bytes: Uint8Array, full: boolean) => void | Promise<void>
}

/** An assertion of a fuzz property failed: the input broke the decoder's contract. */
export class FuzzPropertyError extends Error {
  override name = 'FuzzPropertyError'
}

/** Throws FuzzPropertyError with `message` unless `condition` holds. */
export function expect (condition: boolean, message: string): asserts condition {
  if (!condition) throw new FuzzPropertyError(message)
}

/** Throws FuzzPropertyError unless `err` is an Error whose name is one of `names`. */
export function expectTypedError (err: unknown, names: readonly string[], what: string): void {
  const name = err instanceof Error ? err.name : typeof err
  expect(names.includes(name), `${what} threw ${name} (${err instanceof Error ? err.message : String(err)}); allowed: ${names.join(', ')}`)
}
