/**
 * A one-line progress bar on stderr for long runs. Written here rather than taken from a package:
 * it is one redrawn line, and it must be driven by virtual time from inside the engine's loop.
 * Redraws at most every 200 ms of wall time; shown only on a TTY or when asked (--progress).
 */
import type { ProgressFn } from '../engine/simulator.ts'

/** Minimum wall time between redraws. */
export const PROGRESS_REDRAW_MS = 200

/** Output the bar writes to (stderr in the CLI; a buffer in tests). */
export interface ProgressOutput { write: (text: string) => unknown }

/** Creates a progress callback for the engine and a function that ends the line. */
export function createProgressBar (out: ProgressOutput, label: string, width = 30): { update: ProgressFn, done: () => void } {
  const started = performance.now()
  let last = -Infinity
  let drawn = false
  const update: ProgressFn = (simMs, durationMs, events) => {
    const now = performance.now()
    if (now - last < PROGRESS_REDRAW_MS && simMs < durationMs) return
    last = now
    const frac = durationMs > 0 ? Math.min(1, simMs / durationMs) : 1
    const filled = Math.round(frac * width)
    const wall = (now - started) / 1000
    const rate = wall > 0 ? Math.round(events / wall) : 0
    out.write(`\r${label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${(frac * 100).toFixed(1)} % ` +
      `sim ${(simMs / 1000).toFixed(2)} s, ${events} events, ${rate} ev/s, ${wall.toFixed(1)} s`)
    drawn = true
  }
  return { update, done: () => { if (drawn) out.write('\n') } }
}
