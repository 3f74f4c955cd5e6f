/**
 * A temporary directory for one test file, removed when the test process exits (each test file runs in
 * a process of its own), however the test ended: tests leave nothing behind in the OS temp directory.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const made: string[] = []
process.once('exit', () => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true })
})

/** Creates a directory `<os temp>/<prefix>XXXXXX` that is removed at the process's exit. */
export function tempDir (prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  made.push(dir)
  return dir
}
