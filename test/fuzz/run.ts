/**
 * The fuzz harness: `npm run fuzz -- <target|wire|all|list> [--seconds N] [--seed S] [--json]` runs
 * each target's property (test/fuzz/targets; `wire`: the peer-to-peer and STUN parsers) for N
 * seconds each, in one-second slices of fast-check runs with fresh seeds, and reports executions, executions per second, failures (with the shrunk
 * counterexample), peak memory, and V8 precise coverage of the target's files (see coverage.ts).
 * Exits 1 when any target failed, 2 on bad usage.
 *
 * It lives under test/ rather than src/tools because it runs test code with a devDependency
 * (fast-check) that a built node does not ship.
 */
import { parseArgs } from 'node:util'
import fc from 'fast-check'
import { Coverage, type FileCoverage } from './coverage.ts'
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
  process.stderr.write(`${message}\nusage: npm run fuzz -- <target|wire|all|list> [--seconds N] [--seed S] [--json]\n`)
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

async function main (): Promise<void> {
  let parsed
  try {
    parsed = parseArgs({ args: process.argv.slice(2), allowPositionals: true, strict: true, options: { seconds: { type: 'string', default: '10' }, seed: { type: 'string' }, json: { type: 'boolean', default: false } } })
  } catch (err) {
    usage((err as Error).message)
  }
  const { positionals, values } = parsed!
  const seconds = Number(values.seconds)
  if (!Number.isFinite(seconds) || seconds <= 0) usage('--seconds must be a positive number')
  const seed = values.seed === undefined ? Date.now() % 2 ** 31 : Number(values.seed)
  if (!Number.isSafeInteger(seed)) usage('--seed must be an integer')
  const coverage = new Coverage()
  // Coverage starts before the decoders load, so V8 counts their blocks from the first call.
  await coverage.start()
  const { TARGETS } = await import('./targets/index.ts')
  await coverage.baseline()
  const name = positionals[0] ?? usage('name a target, wire, all, or list')
  if (name === 'list') {
    for (const t of TARGETS) process.stdout.write(`${t.name}${t.wire ? ' (wire)' : ''}: ${t.description}\n`)
    return
  }
  const chosen = name === 'all' ? TARGETS : name === 'wire' ? TARGETS.filter(t => t.wire) : TARGETS.filter(t => t.name === name)
  if (chosen.length === 0) usage(`no fuzz target named ${name} (npm run fuzz -- list)`)
  const reports: TargetReport[] = []
  for (const target of chosen) {
    const report = await runTarget(target, seconds, seed, coverage)
    reports.push(report)
    if (!values.json) print(report)
  }
  await coverage.stop()
  if (values.json) process.stdout.write(`${JSON.stringify({ date: new Date().toISOString(), node: process.version, seed, seconds, targets: reports })}\n`)
  if (reports.some(r => r.failures > 0)) process.exitCode = 1
}

if (import.meta.main) await main()
