/**
 * The throughput benchmark's arithmetic, apart from its processes (throughput.ts): the verdict of one
 * rate step, the search over offered rates, CPU per delivery, and argument handling. Unit-tested in
 * test/unit/bench/throughput-search.test.ts.
 */
import { parseArgs } from 'node:util'

/** A usage error of the throughput benchmark (the runner prints its message and exits 2). */
export class ThroughputUsageError extends Error {
  override name = 'ThroughputUsageError'
}

/** The benchmark's options. */
export interface ThroughputOptions {
  nodes: number
  size: number
  strategies: Array<'sorcha' | 'gossipsub'>
  /** First offered rate (tx/s). */
  startRate: number
  /** Highest rate tried. */
  maxRate: number
  /** Lowest rate tried when the start fails. */
  minRate: number
  /** Measuring window of one step. */
  windowS: number
  /** Longest wait after a window for the last receipts. */
  drainS: number
  /** Bisection steps after the first failing rate. */
  refine: number
  /** The search stops taking new steps after this long (the step under way finishes). */
  budgetS: number
  /** p99 first-receipt latency a step must stay under. */
  p99LimitMs: number
  json: boolean
  /** Where node 1 of each mesh writes a CPU profile (node --cpu-prof) when it stops; undefined: none. */
  cpuProfDir: string | undefined
  /** Nodes run with metrics on, and each step reports Noise packets per transaction per node (the metrics cost CPU). */
  packets: boolean
}

const INTS = { nodes: [2, 50], size: [1, 1_048_576], 'start-rate': [1, 1_000_000], 'max-rate': [1, 1_000_000], 'min-rate': [1, 1_000_000], 'window-s': [1, 3600], 'drain-s': [1, 600], refine: [0, 10], 'budget-s': [10, 86_400], 'p99-limit-ms': [1, 600_000] } as const

/** Parses the command line (`--nodes 5 --size 512 --strategy both ...`); throws ThroughputUsageError. */
export function parseThroughputArgs (argv: string[]): ThroughputOptions {
  const defaults: Record<keyof typeof INTS, string> = { nodes: '5', size: '512', 'start-rate': '500', 'max-rate': '16000', 'min-rate': '25', 'window-s': '5', 'drain-s': '10', refine: '2', 'budget-s': '200', 'p99-limit-ms': '1000' }
  let values: Record<string, string | boolean | undefined>
  try {
    values = parseArgs({
      args: argv,
      options: { ...Object.fromEntries(Object.keys(INTS).map(k => [k, { type: 'string' as const }])), strategy: { type: 'string' }, 'cpu-prof-dir': { type: 'string' }, packets: { type: 'boolean' }, json: { type: 'boolean' } },
      strict: true,
      allowPositionals: false
    }).values
  } catch (err) {
    throw new ThroughputUsageError((err as Error).message)
  }
  const int = (name: keyof typeof INTS): number => {
    const raw = (values[name] as string | undefined) ?? defaults[name]
    const n = Number(raw)
    const [lo, hi] = INTS[name]
    if (!/^\d+$/.test(raw) || n < lo || n > hi) throw new ThroughputUsageError(`--${name} must be an integer from ${lo} to ${hi}, not ${JSON.stringify(raw)}`)
    return n
  }
  const strategy = (values.strategy as string | undefined) ?? 'both'
  if (!['both', 'sorcha', 'gossipsub'].includes(strategy)) throw new ThroughputUsageError(`--strategy must be sorcha, gossipsub or both, not ${JSON.stringify(strategy)}`)
  const options: ThroughputOptions = {
    nodes: int('nodes'),
    size: int('size'),
    strategies: strategy === 'both' ? ['sorcha', 'gossipsub'] : [strategy as 'sorcha' | 'gossipsub'],
    startRate: int('start-rate'),
    maxRate: int('max-rate'),
    minRate: int('min-rate'),
    windowS: int('window-s'),
    drainS: int('drain-s'),
    refine: int('refine'),
    budgetS: int('budget-s'),
    p99LimitMs: int('p99-limit-ms'),
    json: values.json === true,
    cpuProfDir: values['cpu-prof-dir'] as string | undefined,
    packets: values.packets === true
  }
  if (options.minRate > options.startRate || options.startRate > options.maxRate) throw new ThroughputUsageError('the rates must satisfy --min-rate <= --start-rate <= --max-rate')
  return options
}

/** What one step measured. */
export interface StepInput {
  offered: number
  /** Transactions the step meant to submit (offered rate x window). */
  planned: number
  /** Submissions acknowledged. */
  acked: number
  /** Seconds the driver took to submit them all (the window when it kept up). */
  submitS: number
  /** Receipts expected: acknowledged transactions x the nodes other than their publisher. */
  expectedReceipts: number
  /** First-receipt latencies (ms) of the receipts that arrived. */
  latenciesMs: number[]
  /** CPU time of every node process from the window's start until the last receipt or the drain's end (µs). */
  nodeCpuUs: number
  nodes: number
}

/** The verdict and figures of one step. */
export interface StepResult {
  offered: number
  achieved: number
  acked: number
  delivered: number
  p50Ms: number | null
  p99Ms: number | null
  maxMs: number | null
  cpuUsPerDeliveryPerNode: number | null
  pass: boolean
  /** Why it failed; empty when it passed. */
  why: string[]
}

/** Nearest-rank quantile (0..1) of unsorted values; null when empty. */
export function quantile (values: readonly number[], q: number): number | null {
  if (values.length === 0) return null
  const sorted = values.slice().sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? null
}

/**
 * CPU per delivery per node: all nodes' CPU divided by the transactions every node ended up holding
 * (each transaction counts once per node, its publisher included, whose delivery is the submission).
 */
export function cpuPerDeliveryPerNode (nodeCpuUs: number, transactions: number, nodes: number): number | null {
  if (transactions <= 0 || nodes <= 0) return null
  return Math.round(nodeCpuUs / (transactions * nodes) * 10) / 10
}

/**
 * Judges a step: it passes when the driver offered the rate (>= 95 % of it), every submission was
 * acknowledged, every node received every transaction, and the p99 first-receipt latency (a missing
 * receipt counts as infinitely late) is under the limit.
 */
export function judgeStep (s: StepInput, p99LimitMs: number): StepResult {
  const why: string[] = []
  const achieved = s.submitS > 0 ? s.acked / s.submitS : 0
  if (s.acked < s.planned) why.push(`${s.planned - s.acked} of ${s.planned} submissions not acknowledged`)
  if (achieved < 0.95 * s.offered) why.push(`the driver offered only ${Math.round(achieved)} tx/s`)
  const missing = s.expectedReceipts - s.latenciesMs.length
  if (missing > 0) why.push(`${missing} of ${s.expectedReceipts} receipts missing`)
  const all = missing > 0 ? [...s.latenciesMs, ...new Array<number>(missing).fill(Infinity)] : s.latenciesMs
  const p99 = quantile(all, 0.99)
  if (p99 === null || p99 >= p99LimitMs) why.push(`p99 ${p99 === null ? 'unknown' : p99 === Infinity ? 'infinite' : `${Math.round(p99)} ms`} >= ${p99LimitMs} ms`)
  const round = (x: number | null): number | null => x === null || !Number.isFinite(x) ? x : Math.round(x * 10) / 10
  return {
    offered: s.offered,
    achieved: Math.round(achieved),
    acked: s.acked,
    delivered: s.latenciesMs.length,
    p50Ms: round(quantile(s.latenciesMs, 0.5)),
    p99Ms: round(p99 === Infinity ? null : p99),
    maxMs: round(quantile(s.latenciesMs, 1)),
    cpuUsPerDeliveryPerNode: cpuPerDeliveryPerNode(s.nodeCpuUs, s.acked, s.nodes),
    pass: why.length === 0,
    why
  }
}

/**
 * The search over offered rates for one strategy: doubles from the start rate while steps pass (up to
 * the maximum), halves while they fail (down to the minimum), then bisects between the highest pass
 * and the lowest fail `refine` times (rates rounded to 25 tx/s).
 */
export class RateSearch {
  private highestPass: number | undefined
  private lowestFail: number | undefined
  private refinements = 0
  private next: number | undefined
  private readonly options: Pick<ThroughputOptions, 'startRate' | 'maxRate' | 'minRate' | 'refine'>

  constructor (options: Pick<ThroughputOptions, 'startRate' | 'maxRate' | 'minRate' | 'refine'>) {
    this.options = options
    this.next = options.startRate
  }

  /** The rate to try next, or undefined when the search is over. */
  get rate (): number | undefined { return this.next }

  /** The highest rate that passed (0 if none). */
  get sustained (): number { return this.highestPass ?? 0 }

  /** Records the verdict of the step at `rate` and picks the next rate. */
  record (rate: number, pass: boolean): void {
    if (pass) this.highestPass = Math.max(this.highestPass ?? 0, rate)
    else this.lowestFail = Math.min(this.lowestFail ?? Infinity, rate)
    const { maxRate, minRate, refine } = this.options
    if (this.lowestFail === undefined) { // all passed so far: double
      this.next = rate >= maxRate ? undefined : Math.min(maxRate, rate * 2)
      return
    }
    if (this.highestPass === undefined) { // all failed so far: halve
      const down = Math.floor(rate / 2)
      this.next = down < minRate ? (rate > minRate ? minRate : undefined) : down
      return
    }
    if (this.refinements >= refine) { this.next = undefined; return }
    const mid = Math.round((this.highestPass + this.lowestFail) / 2 / 25) * 25
    if (mid <= this.highestPass || mid >= this.lowestFail) { this.next = undefined; return }
    this.refinements++
    this.next = mid
  }
}
