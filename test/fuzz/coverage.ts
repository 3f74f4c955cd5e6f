/**
 * V8 precise coverage of the decoders' files, through node:inspector (Profiler.startPreciseCoverage
 * with call counts and block granularity). For each file the harness reports:
 * - functions: V8 function entries (the module's top level excluded) called at least once / all;
 * - blocks: V8 block ranges (functions included) with a count above zero / all ranges V8 reports
 *   (V8 merges a nested block into its parent when their counts agree, so this counts ranges at the
 *   boundaries where counts differ, as c8 sees them);
 * - bytes: the share of the non-blank source characters of those functions whose innermost range
 *   has a count above zero (what c8 turns into line coverage).
 * V8 reports the functions it compiled, so a function the process never called may be missing from
 * the totals: the figures describe the code the target reached, not the whole file.
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

/** A precise-coverage session of this process. */
export class Coverage {
  private readonly session = new Session()

  async start (): Promise<void> {
    this.session.connect()
    await this.session.post('Profiler.enable')
    await this.session.post('Profiler.startPreciseCoverage', { callCount: true, detailed: true })
  }

  /** Coverage since the last take() of `files` (repository-relative), resetting the counters. */
  async take (files: readonly string[] = []): Promise<FileCoverage[]> {
    const { result } = await this.session.post('Profiler.takePreciseCoverage') as { result: ScriptCoverage[] }
    const byFile = new Map<string, ScriptCoverage>()
    for (const script of result) {
      if (!script.url.startsWith('file://')) continue
      byFile.set(relative(ROOT, fileURLToPath(script.url)), script)
    }
    return files.map(file => summarise(file, byFile.get(file)))
  }

  async stop (): Promise<void> {
    await this.session.post('Profiler.stopPreciseCoverage')
    this.session.disconnect()
  }
}

function summarise (file: string, script: ScriptCoverage | undefined): FileCoverage {
  const source = readFileSync(new URL(file, `file://${ROOT}`), 'utf8')
  if (script === undefined) return { file, functions: { covered: 0, total: 0 }, blocks: { covered: 0, total: 0 }, bytesPercent: 0 }
  const counts = new Int32Array(source.length).fill(-1)
  const ranges: Range[] = []
  let functions = 0
  let called = 0
  for (const fn of script.functions) {
    const top = fn.ranges[0]
    if (top === undefined) continue
    // The module's top level (run once at load) is left out of every figure.
    if (fn.functionName === '' && top.startOffset === 0) continue
    functions++
    if (top.count > 0) called++
    ranges.push(...fn.ranges)
  }
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
  const blocks = ranges
  return {
    file,
    functions: { covered: called, total: functions },
    blocks: { covered: blocks.filter(r => r.count > 0).length, total: blocks.length },
    bytesPercent: code === 0 ? 0 : Math.round(1000 * covered / code) / 10
  }
}
