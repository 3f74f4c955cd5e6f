/**
 * The fuzz harness: `npm run fuzz -- <target[,target...]|wire|all|list> [--seconds N] [--seed S] [--json]` runs
 * each target's property (test/fuzz/targets; `wire`: the peer-to-peer and STUN parsers) for N
 * seconds each, in one-second slices of fast-check runs with fresh seeds, and reports executions, executions per second, failures (with the shrunk
 * counterexample), peak memory, and V8 precise coverage of the target's files (see coverage.ts).
 * With `--fast` (wire targets only) it runs the targets' byte-level entries without coverage until
 * `--executions N` each (or --seconds, whichever comes first; see fast.ts), for the long runs.
 * Exits 1 when any target failed (or held memory that grew without bound), 2 on bad usage.
 *
 * It lives under test/ rather than src/tools because it runs test code with a devDependency
 * (fast-check) that a built node does not ship.
 */
import { parseArgs } from 'node:util'
import fc from 'fast-check'
import { Coverage, type FileCoverage } from './coverage.ts'
import { runFast, type FastReport } from './fast.ts'
import type { FuzzTarget } from './target.ts'

/** The report of one target. */
export interface TargetReport {
  name: string
  seconds: number
  executions: number
  executionsPerSecond: number
  failures: number
  counterexamples: string[]
  peakRssMiB: number
  peakArrayBuffersMiB: number
  coverage: FileCoverage[]
}

const SLICE_MS = 1000
const MAX_COUNTEREXAMPLES = 5

const usage = (message: string): never => {
  process.stderr.write(`${message}\nusage: npm run fuzz -- <target[,target...]|wire|all|list> [--seconds N] [--seed S] [--json] [--fast [--executions N]]\n`)
  process.exit(2)
}

/** Runs `target` for `seconds`; coverage is taken from `coverage` if given. */
export async function runTarget (target: FuzzTarget, seconds: number, seed: number, coverage?: Coverage): Promise<TargetReport> {
  await target.setup?.()
  await coverage?.take()
  let executions = 0
  let failures = 0
  const counterexamples: string[] = []
  let peakRss = 0
  let peakArrayBuffers = 0
  const started = performance.now()
  const deadline = started + seconds * 1000
  try {
    for (let slice = 0; performance.now() < deadline; slice++) {
      const property = target.property()
      const details = await fc.check(property, {
        seed: seed + slice,
        numRuns: Number.MAX_SAFE_INTEGER,
        interruptAfterTimeLimit: Math.max(1, Math.min(SLICE_MS, deadline - performance.now())),
        markInterruptAsFailure: false,
        endOnFailure: true
      })
      // fast-check reports a slice interrupted before its first run as failed, with no counterexample.
      const failed = details.failed && details.counterexample !== null
      executions += details.numRuns + details.numShrinks + (failed ? 1 : 0)
      if (failed) {
        failures++
        if (counterexamples.length < MAX_COUNTEREXAMPLES) counterexamples.push(`seed ${details.seed}: ${fc.stringify(details.counterexample)}: ${String(details.errorInstance)}`.slice(0, 2000))
      }
      const memory = process.memoryUsage()
      peakRss = Math.max(peakRss, memory.rss)
      peakArrayBuffers = Math.max(peakArrayBuffers, memory.arrayBuffers)
    }
  } finally {
    await target.teardown?.()
  }
  const elapsed = (performance.now() - started) / 1000
  const mib = (n: number): number => Math.round(n / 1024 / 1024)
  return {
    name: target.name,
    seconds: Math.round(elapsed * 10) / 10,
    executions,
    executionsPerSecond: Math.round(executions / elapsed),
    failures,
    counterexamples,
    peakRssMiB: mib(peakRss),
    peakArrayBuffersMiB: mib(peakArrayBuffers),
    coverage: await coverage?.take(target.files) ?? []
  }
}

function print (report: TargetReport): void {
  const lines = [`${report.name}: ${report.executions} executions in ${report.seconds} s (${report.executionsPerSecond}/s), ${report.failures} failures, peak rss ${report.peakRssMiB} MiB, array buffers ${report.peakArrayBuffersMiB} MiB`]
  for (const c of report.coverage) lines.push(`  ${c.file}: functions ${c.functions.covered}/${c.functions.total}, blocks ${c.blocks.covered}/${c.blocks.total}, bytes ${c.bytesPercent} %`)
  for (const c of report.counterexamples) lines.push(`  FAILED ${c}`)
  process.stdout.write(`${lines.join('\n')}\n`)
}

function printFast (r: FastReport): void {
  const lines = [`${r.name} (fast): ${r.executions} executions (${r.fullChecks} with round trips) in ${r.seconds} s (${r.executionsPerSecond}/s, ${r.cpuSeconds} s CPU), ${r.failures} failures, held after GC ${r.heldAfterGcMiB.join(' ')} MiB (growth ${r.heldGrowthMiB} MiB${r.unboundedAllocation ? ': UNBOUNDED' : ''}), peak rss ${r.peakRssMiB} MiB`]
  for (const [i, c] of r.counterexamples.entries()) lines.push(`  FAILED (saved as test/fuzz/crashes/${r.saved[i]}) ${c}`)
  process.stdout.write(`${lines.join('\n')}\n`)
}

async function main (): Promise<void> {
  let parsed
  try {
    parsed = parseArgs({ args: process.argv.slice(2), allowPositionals: true, strict: true, options: { seconds: { type: 'string' }, seed: { type: 'string' }, json: { type: 'boolean', default: false }, fast: { type: 'boolean', default: false }, executions: { type: 'string' } } })
  } catch (err) {
    usage((err as Error).message)
  }
  const { positionals, values } = parsed!
  if (values.executions !== undefined && !values.fast) usage('--executions needs --fast')
  const executions = values.executions === undefined ? Number.POSITIVE_INFINITY : Number(values.executions)
  if (!Number.isSafeInteger(executions) && executions !== Number.POSITIVE_INFINITY) usage('--executions must be a positive integer')
  if (executions <= 0) usage('--executions must be a positive integer')
  // A fast run with an execution count runs until it; otherwise 10 s per target unless told.
  const seconds = Number(values.seconds ?? (values.executions === undefined ? '10' : 'Infinity'))
  if (Number.isNaN(seconds) || seconds <= 0) usage('--seconds must be a positive number')
  const seed = values.seed === undefined ? Date.now() % 2 ** 31 : Number(values.seed)
  if (!Number.isSafeInteger(seed)) usage('--seed must be an integer')
  const coverage = values.fast ? undefined : new Coverage()
  // Coverage starts before the decoders load, so V8 counts their blocks from the first call.
  await coverage?.start()
  const { TARGETS } = await import('./targets/index.ts')
  await coverage?.baseline()
  const name = positionals[0] ?? usage('name a target, wire, all, or list')
  if (name === 'list') {
    for (const t of TARGETS) process.stdout.write(`${t.name}${t.wire ? ' (wire)' : ''}: ${t.description}\n`)
    return
  }
  const names = name.split(',')
  // Named targets run in the order given.
  const chosen = name === 'all' ? TARGETS : name === 'wire' ? TARGETS.filter(t => t.wire) : names.flatMap(n => TARGETS.filter(t => t.name === n))
  const missing = names.filter(n => n !== 'all' && n !== 'wire' && !TARGETS.some(t => t.name === n))
  if (chosen.length === 0 || missing.length > 0) usage(`no fuzz target named ${missing.join(', ') || name} (npm run fuzz -- list)`)
  if (values.fast) {
    const slow = chosen.filter(t => t.fast === undefined).map(t => t.name)
    if (slow.length > 0) usage(`no fast mode for ${slow.join(', ')} (the wire targets have one)`)
    const reports: FastReport[] = []
    for (const target of chosen) {
      const report = await runFast(target, { executions, seconds, seed, progress: line => { process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`) } })
      reports.push(report)
      if (!values.json) printFast(report)
    }
    if (values.json) process.stdout.write(`${JSON.stringify({ date: new Date().toISOString(), node: process.version, mode: 'fast', seed, executions: values.executions === undefined ? null : executions, targets: reports })}\n`)
    if (reports.some(r => r.failures > 0 || r.unboundedAllocation)) process.exitCode = 1
    return
  }
  const reports: TargetReport[] = []
  for (const target of chosen) {
    const report = await runTarget(target, seconds, seed, coverage)
    reports.push(report)
    if (!values.json) print(report)
  }
  await coverage?.stop()
  if (values.json) process.stdout.write(`${JSON.stringify({ date: new Date().toISOString(), node: process.version, seed, seconds, targets: reports })}\n`)
  if (reports.some(r => r.failures > 0)) process.exitCode = 1
}

if (import.meta.main) await main()
