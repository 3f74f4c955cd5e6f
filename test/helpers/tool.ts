/** Runs one of the repository's tools (src/tools/*.ts) as a real process, as the lint script does. */
import { spawn } from 'node:child_process'
import { NODE, type CliResult } from './cli.ts'

/** Runs `node <script> <args>` from the repository root; resolves with exit code and output, never rejects on a non-zero exit. */
export async function runTool (script: string, args: string[]): Promise<CliResult> {
  return await new Promise((resolve, reject) => {
    const child = spawn(NODE, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString() })
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString() })
    child.once('error', reject)
    child.on('close', (code, signal) => { resolve({ code: code ?? (signal === null ? 1 : 128), stdout, stderr }) })
  })
}
