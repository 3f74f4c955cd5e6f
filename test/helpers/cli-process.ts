/**
 * Runs `sorcha-peer` as a real process for start-up failure tests: resolves with its exit code and
 * output, and with `exited: false` if it had not exited by itself within `hangAfterMs` (then it is
 * killed, so a hang fails the test instead of stalling the suite). As root it can run the process
 * without the capabilities that override file permissions and allow privileged ports, so that those
 * failures happen as they would for an ordinary user.
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

/**
 * Root's privileges that the permission tests take away: reading and writing any file, and binding
 * ports below 1024. Dropped with util-linux's `setpriv` (essential in Debian) rather than by running as
 * `nobody`, who may not even reach the checkout (a clone under a 0700 temporary directory, or /root).
 */
const DROPPED = ['dac_override', 'dac_read_search', 'net_bind_service']

/** True when this process runs as root (file permissions do not stop it). */
export const isRoot = (): boolean => process.getuid?.() === 0

/** Runs the CLI with `args` and waits for it to exit (at most `hangAfterMs`, default 120 s). */
export async function runCli (args: string[], options: { env?: Record<string, string>, unprivileged?: boolean, hangAfterMs?: number } = {}): Promise<CliRun> {
  const command = [NODE, 'src/cli/bin.js', ...args]
  if (options.unprivileged === true && isRoot()) {
    const drop = DROPPED.map(c => `-${c}`).join(',')
    command.unshift('setpriv', '--inh-caps=-all', `--bounding-set=${drop}`, '--')
  }
  const child = spawn(command[0]!, command.slice(1), {
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe']
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
