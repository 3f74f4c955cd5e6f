/**
 * What /proc says about a benchmark's node processes (Linux): CPU ticks and resident memory, and the
 * `sorcha-peer start` child processes themselves, started from a configuration file.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { untilRunning, type RunningProcess } from '../helpers/node-process.ts'

/** Clock ticks per second of /proc/<pid>/stat's CPU times (USER_HZ, 100 on Linux). */
export const CLK_TCK = 100
/** Microseconds per clock tick. */
export const US_PER_TICK = 1_000_000 / CLK_TCK

/**
 * CPU ticks (user + system, all threads) and resident memory of a process, from /proc: all of it
 * (VmRSS) and the anonymous part (RssAnon: heap, stacks, buffers), without the file pages of the node
 * binary and libraries that every node shares and the kernel can drop.
 */
export async function procSample (pid: number): Promise<{ ticks: number, systemTicks: number, rssKiB: number, anonKiB: number }> {
  const stat = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]!.split(' ')
  const status = await readFile(`/proc/${pid}/status`, 'utf8')
  const kib = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN)
  return { ticks: Number(stat[11]) + Number(stat[12]), systemTicks: Number(stat[12]), rssKiB: kib('VmRSS'), anonKiB: kib('RssAnon') }
}

/** CPU ticks of all `pids` together: all, and the kernel's part. */
export async function ticksOf (pids: number[]): Promise<{ ticks: number, systemTicks: number }> {
  const samples = await Promise.all(pids.map(procSample))
  return { ticks: samples.reduce((sum, s) => sum + s.ticks, 0), systemTicks: samples.reduce((sum, s) => sum + s.systemTicks, 0) }
}

/** A node process started by startNodeProcess. */
export interface NodeProcess {
  child: ChildProcess
  pid: number
  process: RunningProcess
  /** gRPC address, REST URL and first p2p address (with /p2p/). */
  grpc: string
  rest: string
  address: string
}

/**
 * Writes `config` to `<dir>/<name>.json` and runs `sorcha-peer start --config` on it (JSON logs on
 * stderr; `nodeArgs` go to Node.js itself, e.g. --cpu-prof); resolves once the node runs.
 */
export async function startNodeProcess (dir: string, name: string, config: Record<string, unknown>, nodeArgs: string[] = []): Promise<NodeProcess> {
  const path = join(dir, `${name}.json`)
  await writeFile(path, JSON.stringify(config, null, 2))
  const child = spawn(process.execPath, [...nodeArgs, 'src/cli/bin.js', 'start', '--config', path], { stdio: ['ignore', 'ignore', 'pipe'] })
  const running = await untilRunning(child)
  const r = running.running
  return { child, pid: child.pid!, process: running, grpc: r.grpc ?? '', rest: r.rest ?? '', address: r.addresses[0] ?? '' }
}

/** SIGTERMs the processes and waits until they have exited. */
export async function stopProcesses (children: ChildProcess[]): Promise<void> {
  await Promise.all(children.map(async child => {
    if (child.exitCode !== null || child.signalCode !== null) return
    const gone = new Promise(resolve => child.once('exit', resolve))
    child.kill('SIGTERM')
    await gone
  }))
}
