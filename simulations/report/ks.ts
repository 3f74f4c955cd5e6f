/**
 * The two-sample Kolmogorov-Smirnov distance: the largest vertical gap between two empirical
 * distribution functions, D = sup_x |F_a(x) - F_b(x)|, from 0 (the same distribution of values) to 1
 * (no overlap). Used to compare real and simulated first-receipt latencies (the fidelity check of
 * test/bench/testbed-wan.ts). Ties are handled exactly: both functions step past a shared value
 * before the gap is measured, so identical samples give 0.
 */

/** An empty sample or a value that is not a finite number. */
export class KsInputError extends Error {
  override name = 'KsInputError'
}

function sortedCopy (values: ArrayLike<number>, which: string): Float64Array {
  if (values.length === 0) throw new KsInputError(`the ${which} sample is empty: the distance is undefined`)
  const out = Float64Array.from(values as ArrayLike<number>)
  for (const v of out) if (!Number.isFinite(v)) throw new KsInputError(`the ${which} sample holds ${v}`)
  return out.sort()
}

/** The Kolmogorov-Smirnov distance between samples a and b (each non-empty, finite values). */
export function ksDistance (a: ArrayLike<number>, b: ArrayLike<number>): number {
  const x = sortedCopy(a, 'first')
  const y = sortedCopy(b, 'second')
  let i = 0
  let j = 0
  let d = 0
  while (i < x.length && j < y.length) {
    const v = Math.min(x[i]!, y[j]!)
    while (i < x.length && x[i] === v) i++
    while (j < y.length && y[j] === v) j++
    d = Math.max(d, Math.abs(i / x.length - j / y.length))
  }
  return d
}
