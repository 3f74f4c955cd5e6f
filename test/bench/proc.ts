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
  /** The inspector's WebSocket URL when the process was started with --inspect. */
  inspector: string | undefined
}

/**
 * Writes `config` to `<dir>/<name>.json` and runs `sorcha-peer start --config` on it (JSON logs on
 * stderr; `nodeArgs` go to Node.js itself, e.g. --cpu-prof); resolves once the node runs.
 */
export async function startNodeProcess (dir: string, name: string, config: Record<string, unknown>, nodeArgs: string[] = []): Promise<NodeProcess> {
  const path = join(dir, `${name}.json`)
  await writeFile(path, JSON.stringify(config, null, 2))
  const child = spawn(process.execPath, [...nodeArgs, 'src/cli/bin.js', 'start', '--config', path], { stdio: ['ignore', 'ignore', 'pipe'] })
  let inspector: string | undefined
  // The last address printed before the node runs: the launcher re-executes `start` (src/cli/bin.js),
  // and the process that runs the node starts its own inspector.
  const findInspector = (chunk: Buffer): void => {
    inspector = /ws:\/\/[\d.]+:\d+\/[\w-]+/.exec(chunk.toString())?.[0] ?? inspector
  }
  child.stderr!.on('data', findInspector)
  const running = await untilRunning(child)
  child.stderr!.off('data', findInspector)
  const r = running.running
  return { child, pid: child.pid!, process: running, grpc: r.grpc ?? '', rest: r.rest ?? '', address: r.addresses[0] ?? '', inspector }
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

/** A session with a Node.js process's inspector (`--inspect`, at the WebSocket URL it printed). */
async function inspect<T> (wsUrl: string, use: (call: (method: string, params?: Record<string, unknown>) => Promise<unknown>) => Promise<T>): Promise<T> {
  const ws = new WebSocket(wsUrl)
  await new Promise((resolve, reject) => { ws.onopen = resolve; ws.onerror = reject })
  const waiting = new Map<number, (result: unknown) => void>()
  ws.onmessage = (ev: MessageEvent) => {
    const msg = JSON.parse(String(ev.data)) as { id?: number, result?: unknown }
    if (msg.id !== undefined) waiting.get(msg.id)?.(msg.result)
  }
  let next = 0
  try {
    return await use(async (method, params = {}) => {
      const id = ++next
      const result = new Promise<unknown>(resolve => waiting.set(id, resolve))
      ws.send(JSON.stringify({ id, method, params }))
      return await result
    })
  } finally {
    ws.close()
  }
}

/** Records a CPU profile of the process for `ms` through its inspector, so that it covers that window only. */
export async function profileFor (wsUrl: string, ms: number): Promise<unknown> {
  return await inspect(wsUrl, async call => {
    await call('Profiler.enable')
    await call('Profiler.start')
    await new Promise(resolve => setTimeout(resolve, ms))
    return ((await call('Profiler.stop')) as { profile: unknown }).profile
  })
}

/** The process's memory as Node.js sees it (process.memoryUsage() and V8's heap spaces, in MiB), through its inspector. */
export async function memoryOf (wsUrl: string): Promise<Record<string, number>> {
  const expression = `(() => {
    const mib = b => Math.round(b / 1048576 * 10) / 10
    const out = {}
    for (const [k, v] of Object.entries(process.memoryUsage())) out[k] = mib(v)
    for (const s of process.getBuiltinModule('v8').getHeapSpaceStatistics()) {
      out['space_' + s.space_name] = mib(s.space_used_size)
      out['space_' + s.space_name + '_physical'] = mib(s.physical_space_size)
    }
    const h = process.getBuiltinModule('v8').getHeapStatistics()
    out.heapPhysical = mib(h.total_physical_size)
    out.mallocedMemory = mib(h.malloced_memory)
    return JSON.stringify(out)
  })()`
  return await inspect(wsUrl, async call => JSON.parse(((await call('Runtime.evaluate', { expression, returnByValue: true })) as { result: { value: string } }).result.value) as Record<string, number>)
}
