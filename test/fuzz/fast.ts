/**
 * The harness's fast mode (`npm run fuzz -- <target|wire> --fast --executions N`): runs a wire
 * target's byte-level entry (FastEntry) without V8 coverage and without fast-check's per-run
 * machinery, so that a long run reaches millions of executions per parser on a small machine.
 *
 * Inputs: fast-check draws a pool of the target's seed inputs (valid, mutated and arbitrary
 * encodings; a fresh pool each round, seeded from --seed), and each is run as drawn and then in
 * HAVOC_PER_INPUT havoc variants: 1 to 4 of mutate.ts's mutations (bit flips, byte overwrites,
 * truncation, extension, insertion, deletion, duplication, varint and big-endian length rewrites)
 * chosen by a xorshift generator, stacked on the previous variant or restarted from the drawn input.
 * Every execution runs the decoder and its contract (typed result, sizes bounded by the input, what
 * the node does next); one in FULL_EVERY also runs the round-trip checks (`full`). Inputs are capped
 * at MAX_INPUT_BYTES.
 *
 * Allocation: every HEAP_EVERY executions the harness runs a full GC (twice, a turn of the event loop
 * apart, so that native memory freed by finalizers, zlib's, is gone) and samples the heap and array
 * buffers still held. A target whose floor of held memory (the smallest of the last three samples)
 * is more than MAX_HEAP_GROWTH_MIB above the first sample (taken after a warm-up round) has an
 * unbounded allocation and fails: a leak raises the floor, while a sample caught with an async
 * target's buffers in flight is a spike that the next sample does not keep.
 * A failing input is saved under test/fuzz/crashes/ (hex), which fuzz.test.ts replays in `npm test`.
 */
import { createHash } from 'node:crypto'
import { mkdirSync, writeFileSync } from 'node:fs'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import fc from 'fast-check'
import { applyMutation, hex, LENGTHS, MUTATION_KINDS, type MutationParams } from './mutate.ts'
import type { FuzzTarget } from './target.ts'

/** Where failing inputs are kept (replayed by fuzz.test.ts). */
export const CRASH_DIR = new URL('./crashes/', import.meta.url)

const POOL_SIZE = 256
const HAVOC_PER_INPUT = 31
const FULL_EVERY = 16
const MAX_INPUT_BYTES = 64 * 1024
const HEAP_EVERY = 1 << 20
const MAX_HEAP_GROWTH_MIB = 16
const MAX_SAVED = 5

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

/** The report of one target's fast run. */
export interface FastReport {
  name: string
  mode: 'fast'
  seconds: number
  cpuSeconds: number
  executions: number
  fullChecks: number
  executionsPerSecond: number
  failures: number
  counterexamples: string[]
  saved: string[]
  /** Heap + array buffers held after a full GC, sampled every HEAP_EVERY executions (MiB, one decimal). */
  heldAfterGcMiB: number[]
  /** The floor of the last three samples above the first. */
  heldGrowthMiB: number
  unboundedAllocation: boolean
  peakRssMiB: number
}

/** A xorshift32 generator: 32-bit unsigned integers. */
function xorshift (seed: number): () => number {
  let x = (seed >>> 0) || 0x9e3779b9
  return () => {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    return x >>> 0
  }
}

/** `bytes` with 1 to 4 random mutations. */
function havoc (bytes: Uint8Array, next: () => number): Uint8Array {
  let out = bytes
  for (let i = 0, n = 1 + next() % 4; i < n; i++) {
    const kind = MUTATION_KINDS[next() % MUTATION_KINDS.length]!
    const extra = kind === 'extend' || kind === 'insert' ? Uint8Array.from({ length: next() % 49 }, () => next() & 0xff) : EMPTY
    const m: MutationParams = { kind, p: next() / 2 ** 32, n: next() % 2 === 0 ? LENGTHS[next() % LENGTHS.length]! : next(), bytes: extra }
    out = applyMutation(out, m)
  }
  return out
}
const EMPTY = new Uint8Array(0)

const held = async (): Promise<number> => {
  gc()
  await new Promise(resolve => setImmediate(resolve))
  gc()
  const m = process.memoryUsage()
  return m.heapUsed + m.arrayBuffers
}
const mib = (n: number): number => Math.round(n / 1024 / 1024 * 10) / 10

/** Saves a failing input as test/fuzz/crashes/<target>-<hash>.hex; returns the file name. */
export function saveCrash (target: string, bytes: Uint8Array, dir: URL = CRASH_DIR): string {
  mkdirSync(dir, { recursive: true })
  const name = `${target}-${createHash('sha256').update(bytes).digest('hex').slice(0, 12)}.hex`
  writeFileSync(new URL(name, dir), `${hex(bytes)}\n`)
  return name
}

/** Runs `target`'s fast entry until `executions` (or `seconds`, whichever comes first). */
export async function runFast (target: FuzzTarget, options: { executions: number, seconds: number, seed: number, crashDir?: URL, progress?: (line: string) => void, heapEvery?: number }): Promise<FastReport> {
  const entry = target.fast
  if (entry === undefined) throw new Error(`${target.name} has no fast entry`)
  const next = xorshift(options.seed)
  const started = performance.now()
  const cpuStart = process.cpuUsage()
  const deadline = started + options.seconds * 1000
  let executions = 0
  let fullChecks = 0
  let failures = 0
  const counterexamples: string[] = []
  const saved: string[] = []
  const samples: number[] = []
  let nextSample = 0
  let peakRss = 0
  const failed = (input: Uint8Array, err: unknown): void => {
    failures++
    if (saved.length < MAX_SAVED) {
      saved.push(saveCrash(target.name, input, options.crashDir))
      counterexamples.push(`${hex(input).slice(0, 400)}: ${String(err)}`.slice(0, 2000))
    }
  }
  // Returns a promise only for an asynchronous check, so that a synchronous one costs no microtask.
  const run = (input: Uint8Array): Promise<void> | undefined => {
    const full = executions % FULL_EVERY === 0
    if (full) fullChecks++
    executions++
    try {
      const pending = entry.check(input, full)
      if (pending !== undefined) return pending.catch(err => { failed(input, err) })
    } catch (err) {
      failed(input, err)
    }
    return undefined
  }
  for (let round = 0; executions < options.executions && performance.now() < deadline; round++) {
    const pool = fc.sample(entry.inputs, { numRuns: POOL_SIZE, seed: options.seed + round })
    for (const drawn of pool) {
      const first = run(drawn)
      if (first !== undefined) await first
      let variant = drawn
      for (let j = 0; j < HAVOC_PER_INPUT; j++) {
        variant = havoc(next() % 4 === 0 || variant.length > MAX_INPUT_BYTES ? drawn : variant, next)
        if (variant.length > MAX_INPUT_BYTES) variant = variant.subarray(0, MAX_INPUT_BYTES)
        const pending = run(variant)
        if (pending !== undefined) await pending
      }
    }
    // The first sample after a warm-up round (code compiled, pools allocated), then one per HEAP_EVERY executions.
    if (round >= 1 && executions >= nextSample) {
      samples.push(await held())
      nextSample = executions + (options.heapEvery ?? HEAP_EVERY)
      options.progress?.(`${target.name}: ${executions} executions, ${failures} failures, held after GC ${mib(samples.at(-1)!)} MiB`)
    }
    peakRss = Math.max(peakRss, process.memoryUsage().rss)
  }
  samples.push(await held())
  const elapsed = (performance.now() - started) / 1000
  const cpu = process.cpuUsage(cpuStart)
  const growth = Math.min(...samples.slice(-3)) - (samples[0] ?? 0)
  return {
    name: target.name,
    mode: 'fast',
    seconds: Math.round(elapsed * 10) / 10,
    cpuSeconds: Math.round((cpu.user + cpu.system) / 1e5) / 10,
    executions,
    fullChecks,
    executionsPerSecond: Math.round(executions / elapsed),
    failures,
    counterexamples,
    saved,
    heldAfterGcMiB: samples.map(mib),
    heldGrowthMiB: mib(growth),
    unboundedAllocation: mib(growth) > MAX_HEAP_GROWTH_MIB,
    peakRssMiB: Math.round(peakRss / 1024 / 1024)
  }
}
