/**
 * The local testbed's processes: each node is `sorcha-peer start --config <file>` run by
 * `ip netns exec` in its namespace (so the child's pid is the node's), its JSON log in the run
 * directory; in relay mode each namespace also runs a link relay (relay.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { createWriteStream } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { RelayConfig } from './links.ts'

const ROOT = new URL('../../..', import.meta.url).pathname
const NODE_BIN = join(ROOT, 'src/cli/bin.js')
const RELAY = join(ROOT, 'simulations/testbed/local/relay.ts')
/** The message of the line a node logs once it runs (src/node/run.ts). */
export const RUNNING_MSG = 'node running; Ctrl-C to stop'
/** How long a node process may take to start. */
export const START_TIMEOUT_MS = 120_000

/** A node or relay process failed to start. */
export class ProcessStartError extends Error {
  override name = 'ProcessStartError'
}

/** Merges `over` into `base` (plain objects recursively; anything else replaces). */
export function deepMerge (base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base }
  for (const [k, v] of Object.entries(over)) {
    const b = out[k]
    const plain = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x)
    out[k] = plain(b) && plain(v) ? deepMerge(b, v) : v
  }
  return out
}

/** Starts `file args` in `ns`; resolves once `ready(line)` holds for a line of its stdout or stderr, with the child. */
async function startIn (ns: string, args: string[], logFile: string, ready: (line: string) => boolean, what: string, onSpawn?: (child: ChildProcess) => void, timeoutMs = START_TIMEOUT_MS): Promise<ChildProcess> {
  const child = spawn('ip', ['netns', 'exec', ns, process.execPath, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  onSpawn?.(child)
  const log = createWriteStream(logFile, { flags: 'a' })
  child.stdout.pipe(log, { end: false })
  child.stderr.pipe(log, { end: false })
  child.once('exit', () => { setTimeout(() => { log.end() }, 100) })
  await new Promise<void>((resolve, reject) => {
    let buffer = ''
    const timer = setTimeout(() => { reject(new ProcessStartError(`${what} did not start within ${timeoutMs / 1000} s (log: ${logFile})`)) }, timeoutMs)
    const onData = (chunk: Buffer): void => {
      buffer += chunk.toString()
      for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
        const line = buffer.slice(0, nl)
        buffer = buffer.slice(nl + 1)
        if (ready(line)) { clearTimeout(timer); child.stdout.off('data', onData); child.stderr.off('data', onData); resolve() }
      }
    }
    child.stdout.on('data', onData)
    child.stderr.on('data', onData)
    child.once('exit', code => { clearTimeout(timer); reject(new ProcessStartError(`${what} exited (${code}) before it ran: ${buffer.trim().split('\n').at(-1) ?? ''} (log: ${logFile})`)) })
  })
  // Keep draining the pipes into the log only.
  child.stdout.resume()
  child.stderr.resume()
  return child
}

/** Writes node i's configuration file and returns its path. */
export async function writeNodeConfig (dir: string, i: number, config: Record<string, unknown>): Promise<string> {
  const path = join(dir, `node-${i}.json`)
  await writeFile(path, JSON.stringify(config, null, 2))
  return path
}

/**
 * Starts a node; resolves once it logs that it runs. `onSpawn` gets the process at once, so that an
 * interrupted run can kill a node that is still starting.
 */
export async function startNode (dir: string, ns: string, i: number, configPath: string, onSpawn?: (child: ChildProcess) => void, timeoutMs = START_TIMEOUT_MS): Promise<ChildProcess> {
  return startIn(ns, [NODE_BIN, 'start', '--config', configPath], join(dir, `node-${i}.log`), line => line.includes(RUNNING_MSG), `node ${i}`, onSpawn, timeoutMs)
}

/** Starts the relay of node i's namespace; resolves once every port listens. `onSpawn` as for startNode. */
export async function startRelayProcess (dir: string, ns: string, i: number, config: RelayConfig, onSpawn?: (child: ChildProcess) => void): Promise<ChildProcess> {
  const path = join(dir, `relay-${i}.json`)
  await writeFile(path, JSON.stringify(config))
  return startIn(ns, [RELAY, path], join(dir, `relay-${i}.log`), line => line === 'relay ready', `relay ${i}`, onSpawn)
}

/** Resolves when the child has exited (at once if it has). */
export async function exited (child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  await new Promise(resolve => child.once('exit', resolve))
}
