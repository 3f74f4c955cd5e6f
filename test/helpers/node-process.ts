/**
 * Follows a `sorcha-peer start` child process (JSON logs on stderr) until the node says it runs:
 * the "node running" line carries its peer id, its p2p addresses and its API and ops addresses.
 */
import type { ChildProcess } from 'node:child_process'

/** One JSON log line. */
export type LogLine = Record<string, unknown>

/** The message of the line a node logs once everything has started. */
export const RUNNING_MSG = 'node running; Ctrl-C to stop'

/** A node process that has started. */
export interface RunningProcess {
  /** Resolves with the exit code once the process has exited. */
  exit: Promise<number | null>
  /** Every JSON log line so far (it keeps growing while the process runs). */
  lines: LogLine[]
  /** The "node running" line: peerId, addresses, grpc, rest, ops, metrics (its /metrics URL, when on). */
  running: LogLine & { peerId: string, addresses: string[], grpc?: string, rest?: string, ops?: string, metrics?: string }
}

/**
 * Resolves once `child` logs that the node runs (its stderr must be a pipe, with JSON logs); rejects
 * with what it printed if it exits first.
 */
export async function untilRunning (child: ChildProcess): Promise<RunningProcess> {
  const exit = new Promise<number | null>(resolve => child.once('exit', code => { resolve(code) }))
  const lines: LogLine[] = []
  let buffer = ''
  const running = await new Promise<RunningProcess['running']>((resolve, reject) => {
    child.stderr!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString()
      for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
        const text = buffer.slice(0, nl)
        buffer = buffer.slice(nl + 1)
        let line: LogLine
        try { line = JSON.parse(text) as LogLine } catch { continue } // not a log line
        lines.push(line)
        if (line.msg === RUNNING_MSG) resolve(line as RunningProcess['running'])
      }
    })
    void exit.then(code => { reject(new Error(`the node exited (${code}) before it ran: ${JSON.stringify(lines)} ${buffer}`)) })
  })
  return { exit, lines, running }
}
