/**
 * V8 precise coverage of the decoders' files, through node:inspector (Profiler.startPreciseCoverage
 * with call counts and block granularity). For each file the harness reports:
 * - functions: functions called by the target / every function of the file (the module's top
 *   level excluded), as V8 listed them once the code was loaded (baseline());
 * - blocks: block ranges with a count above zero / all block ranges of the functions the target
 *   called (V8 reports blocks only for those, and merges a nested block into its parent when their
 *   counts agree: these are ranges at the boundaries where counts differ, as c8 sees them);
 * - bytes: the share of the non-blank source characters of all the file's functions whose innermost
 *   range ran (what c8 turns into line coverage); a function not called counts as not covered.
 * Counters reset at each take(), so a report covers only the target that ran since the last one.
 */
import { readFileSync } from 'node:fs'
import { Session } from 'node:inspector/promises'
import { relative } from 'node:path'
import { fileURLToPath } from 'node:url'

interface Range { startOffset: number, endOffset: number, count: number }
interface FunctionCoverage { functionName: string, ranges: Range[], isBlockCoverage: boolean }
interface ScriptCoverage { url: string, functions: FunctionCoverage[] }

/** Coverage of one source file. */
export interface FileCoverage {
  file: string
  functions: { covered: number, total: number }
  blocks: { covered: number, total: number }
  bytesPercent: number
}

const ROOT = fileURLToPath(new URL('../../', import.meta.url))

/** A function's extent in its file. */
interface Extent { start: number, end: number }

const fileOf = (url: string): string | undefined => url.startsWith('file://') ? relative(ROOT, fileURLToPath(url)) : undefined
const isTopLevel = (fn: FunctionCoverage): boolean => fn.functionName === '' && fn.ranges[0]?.startOffset === 0

/** A precise-coverage session of this process. */
export class Coverage {
  private readonly session = new Session()
  /** Every function V8 knew of each file at baseline(), called or not. */
  private readonly universe = new Map<string, Extent[]>()

  async start (): Promise<void> {
    this.session.connect()
    await this.session.post('Profiler.enable')
    await this.session.post('Profiler.startPreciseCoverage', { callCount: true, detailed: true })
  }

  /**
   * Records every function of the loaded files (V8 lists uncalled ones too on the first take), so
   * that later takes, which list only the functions called since the previous take, can be compared
   * with the whole of each file. Call once, after the code under test is loaded.
   */
  async baseline (): Promise<void> {
    for (const script of await this.collect()) {
      const file = fileOf(script.url)
      if (file === undefined) continue
      this.universe.set(file, script.functions.filter(fn => !isTopLevel(fn) && fn.ranges[0] !== undefined)
        .map(fn => ({ start: fn.ranges[0]!.startOffset, end: fn.ranges[0]!.endOffset })))
    }
  }

  /** Coverage since the last take() of `files` (repository-relative), resetting the counters. */
  async take (files: readonly string[] = []): Promise<FileCoverage[]> {
    const byFile = new Map<string, ScriptCoverage>()
    for (const script of await this.collect()) {
      const file = fileOf(script.url)
      if (file !== undefined) byFile.set(file, script)
    }
    return files.map(file => summarise(file, this.universe.get(file) ?? [], byFile.get(file)))
  }

  async stop (): Promise<void> {
    await this.session.post('Profiler.stopPreciseCoverage')
    this.session.disconnect()
  }

  private async collect (): Promise<ScriptCoverage[]> {
    return (await this.session.post('Profiler.takePreciseCoverage') as { result: ScriptCoverage[] }).result
  }
}

function summarise (file: string, universe: readonly Extent[], script: ScriptCoverage | undefined): FileCoverage {
  const source = readFileSync(new URL(file, `file://${ROOT}`), 'utf8')
  const counts = new Int32Array(source.length).fill(-1)
  // Every function of the file starts uncovered; what ran since the last take overwrites it.
  for (const fn of universe) counts.fill(0, fn.start, Math.min(fn.end, source.length))
  const reported = (script?.functions ?? []).filter(fn => !isTopLevel(fn) && fn.ranges[0] !== undefined)
  const called = new Set(reported.filter(fn => fn.ranges[0]!.count > 0).map(fn => fn.ranges[0]!.startOffset))
  const ranges = reported.flatMap(fn => fn.ranges)
  // Outer ranges first, so an inner (more precise) range overwrites its parent's count.
  ranges.sort((a, b) => a.startOffset - b.startOffset || b.endOffset - a.endOffset)
  for (const r of ranges) counts.fill(r.count, r.startOffset, Math.min(r.endOffset, source.length))
  let code = 0
  let covered = 0
  for (let i = 0; i < source.length; i++) {
    if (/\s/.test(source[i] as string) || counts[i] === -1) continue
    code++
    if ((counts[i] as number) > 0) covered++
  }
  const total = new Set([...universe.map(fn => fn.start), ...reported.map(fn => fn.ranges[0]!.startOffset)]).size
  return {
    file,
    functions: { covered: called.size, total },
    blocks: { covered: ranges.filter(r => r.count > 0).length, total: ranges.length },
    bytesPercent: code === 0 ? 0 : Math.round(1000 * covered / code) / 10
  }
}
