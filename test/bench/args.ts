/** Tiny flag parsing for benchmarks: --name value, --flag (true). Unknown flags are an error. */
import { parseArgs } from 'node:util'

/** Parses `args` against `options` (node:util parseArgs), exiting with code 2 on bad usage. */
export function benchArgs<T extends Record<string, { type: 'string' | 'boolean', default?: string | boolean }>> (args: string[], options: T): { [K in keyof T]: T[K]['type'] extends 'boolean' ? boolean : string } {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: false }).values as never
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`)
    process.exit(2)
  }
}

/** A positive integer flag value, or exit 2. */
export function intArg (name: string, value: string): number {
  const n = Number(value)
  if (!Number.isSafeInteger(n) || n < 0) {
    process.stderr.write(`--${name} must be a non-negative integer\n`)
    process.exit(2)
  }
  return n
}

/** Percentile (nearest rank) of sorted numbers. */
export function percentile (sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p / 100 * sorted.length) - 1))] as number
}
