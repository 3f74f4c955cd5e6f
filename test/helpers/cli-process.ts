/**
 * Runs `sorcha-peer` as a real process for start-up failure tests: resolves with its exit code and
 * output, and with `exited: false` if it had not exited by itself within `hangAfterMs` (then it is
 * killed, so a hang fails the test instead of stalling the suite). As root it can run the process as
 * `nobody`, so that file permissions apply.
 */
import { spawn } from 'node:child_process'
import { NODE } from './cli.ts'

/** What the run produced. */
export interface CliRun {
  code: number | null
  stdout: string
  stderr: string
  /** False when the process had to be killed: it hung. */
  exited: boolean
}

/** The uid/gid of `nobody`, used to drop root for permission tests. */
export const NOBODY = { uid: 65534, gid: 65534 }

/** True when this process runs as root (file permissions do not stop it). */
export const isRoot = (): boolean => process.getuid?.() === 0

/** Runs the CLI with `args` and waits for it to exit (at most `hangAfterMs`, default 120 s). */
export async function runCli (args: string[], options: { env?: Record<string, string>, as?: { uid: number, gid: number }, hangAfterMs?: number } = {}): Promise<CliRun> {
  const env: Record<string, string | undefined> = { ...process.env, ...options.env }
  // Under c8, NODE_V8_COVERAGE names root's coverage folder; a process run as another user cannot
  // write there and would print the failure on stderr, so it runs without coverage. (Empty, not
  // deleted: child_process copies the parent's value into an env that lacks the variable.)
  if (options.as !== undefined && env.NODE_V8_COVERAGE !== undefined) env.NODE_V8_COVERAGE = ''
  const child = spawn(NODE, ['src/cli/bin.js', ...args], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(options.as ?? {})
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (d: Buffer) => { stdout += d.toString() })
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString() })
  let exited = true
  const guard = setTimeout(() => { exited = false; child.kill('SIGKILL') }, options.hangAfterMs ?? 120_000)
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject)
    child.once('close', c => { resolve(c) })
  })
  clearTimeout(guard)
  return { code, stdout, stderr, exited }
}
