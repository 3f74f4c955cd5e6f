/** Runs the sorcha-peer CLI as a real process, the way a user does. */
import { spawn } from 'node:child_process'

/** The project's Node.js 24. */
export const NODE = 'node_modules/.bin/node'

/** What a CLI run produced. */
export interface CliResult {
  code: number
  stdout: string
  stderr: string
}

/**
 * Runs `sorcha-peer <args>` and resolves with its exit code and output (never rejects on a non-zero
 * exit). `input` is written to its stdin; `env` is added to the environment.
 */
export async function cli (args: string[], options: { input?: string, env?: Record<string, string> } = {}): Promise<CliResult> {
  return await new Promise((resolve, reject) => {
    const child = spawn(NODE, ['src/cli/bin.js', ...args], { env: { ...process.env, ...options.env } })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString() })
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString() })
    child.once('error', reject)
    child.on('close', (code, signal) => { resolve({ code: code ?? (signal === null ? 1 : 128), stdout, stderr }) })
    child.stdin.end(options.input ?? '')
  })
}
