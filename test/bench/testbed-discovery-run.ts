/**
 * The discovery run of testbed-discovery.ts (what it measures is said there): the bootstrap node
 * alone, then every joiner at once; each joiner's start dated from /proc; at the end every node's
 * event log is read before the testbed is removed.
 */
import { readFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { SorchaClient } from '../../src/client/index.ts'
import { validateScenario } from '../../simulations/scenario/load.ts'
import { RUNNING_MSG } from '../../simulations/testbed/local/nodes.ts'
import { withLocalTestbed } from '../../simulations/testbed/local/testbed.ts'
import { fetchEvents, firstConnectedAt, knewAt, parseProcStat, processStartEpochMs, type NodeEvent } from '../../simulations/testbed/measures.ts'
import { percentile, sleep } from './_util.ts'
import { load } from './testbed-common.ts'
import type { DiscoveryOptions } from './testbed-discovery.ts'

/** How often the run asks the nodes whether they all know enough peers (only to know when to stop). */
const POLL_MS = 3_000

/** A joiner's process as dated from /proc when it logged that it runs. */
interface Started { startMs: number, cpuMs: number }

/** The benchmark's summary. */
export interface DiscoveryResult {
  nodes: number
  latency: string
  links: string
  bootstrapConnected: number
  bootstrapConnectMsP50: number | null
  bootstrapConnectMsP95: number | null
  bootstrapConnectMsMax: number | null
  connectAfterRunningMsP50: number | null
  connectAfterRunningMsP95: number | null
  startWallMsP50: number | null
  startWallMsP95: number | null
  startCpuMsP50: number | null
  startCpuMsP95: number | null
  /** From the first joiner's process start to the last's. */
  startSpreadMs: number
  knowTarget: number
  nodesKnowingTarget: number
  /** From the last joiner's process start until every node knew knowTarget peers; null if not within the run. */
  msToAllKnow: number | null
  knownPeersMinAtEnd: number | null
  runSec: number
  loadBefore: number[]
  loadAfter: number[]
}

/** /proc/<pid>/stat read now: the process's start as epoch ms and its CPU so far. */
function procNow (pid: number): Started {
  const stat = parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8'))
  const uptime = Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0])
  return { startMs: processStartEpochMs(stat.startSec, uptime, Date.now()), cpuMs: stat.cpuMs }
}

/** When the node logged that it runs (its JSON log's `time`), or null. */
async function runningAt (logFile: string): Promise<number | null> {
  const text = await readFile(logFile, 'utf8').catch(() => '')
  for (const line of text.split('\n')) {
    if (!line.includes(RUNNING_MSG)) continue
    try { return Date.parse((JSON.parse(line) as { time: string }).time) } catch { return null }
  }
  return null
}

const q = (values: number[], p: number): number | null => { const v = percentile(values, p); return v === null ? null : Math.round(v) }

/** Runs the discovery benchmark on the local testbed. */
export async function runDiscovery (o: DiscoveryOptions): Promise<DiscoveryResult> {
  const scenario = validateScenario({
    name: `discovery-${o.nodes}`,
    runner: 'testbed',
    seed: o.seed,
    nodes: o.nodes,
    durationMs: o.durationS * 1000, // unused: the run ends --duration-s after the last joiner's start at the latest
    // Every joiner's one neighbour is node 0: its bootstrap list holds node 0 alone.
    topology: { kind: 'bootstrap', degree: 1, bootstrapNodes: 1 },
    latency: { kind: 'preset', name: o.latency, mode: 'per-link', jitterMs: 5 },
    network: { lossRate: 0.001 },
    workload: { transactions: 1, ratePerSec: 1 }
  }, `discovery-${o.nodes}`)
  const say = (line: string): void => { process.stderr.write(`testbed-discovery: ${line}\n`) }
  const loadBefore = load()
  const t0 = Date.now()
  return withLocalTestbed(scenario, {
    logsOnFailure: `.testbed-out/${scenario.name}/logs`,
    // The bootstrap node dials nobody: it only answers.
    nodeConfig: (i, config) => i === 0 ? { ...config, bootstrap: [] } : config,
    // Fifty starts at once queue for the CPU: the start is measured, not limited.
    startTimeoutMs: 600_000
  }, async tb => {
    const n = o.nodes
    const joiners = Array.from({ length: n - 1 }, (_, k) => k + 1)
    await tb.start(0)
    say(`bootstrap node running; starting ${joiners.length} joiners at once (links by ${tb.links})`)
    const started = new Map<number, Started>()
    await Promise.all(joiners.map(async i => { const child = await tb.start(i); started.set(i, procNow(child.pid!)) }))
    const clients = Array.from({ length: n }, (_, i) => new SorchaClient({ endpoints: tb.endpoint(i), token: tb.token, timeoutMs: 30_000 }))
    try {
      const lastStart = Math.max(...[...started.values()].map(s => s.startMs))
      say(`all running ${Math.round((Date.now() - lastStart) / 100) / 10} s after the last joiner's start; waiting until every node knows ${o.know} peers`)
      let known: number[] = []
      const deadline = lastStart + o.durationS * 1000
      while (Date.now() < deadline) {
        known = await Promise.all(clients.map(async c => (await c.stats().catch(() => undefined))?.knownPeers?.known ?? -1))
        if (known.every(k => k >= o.know)) break
        await sleep(POLL_MS)
      }
      const events = await Promise.all(clients.map(async c => fetchEvents(c, ['peer_connected', 'peer_discovered']).catch((): NodeEvent[] => [])))
      const bootId = tb.peerIds[0]!
      const connect: number[] = []
      const afterRunning: number[] = []
      const wall: number[] = []
      for (const i of joiners) {
        const s = started.get(i)!
        const at = firstConnectedAt(events[i]!, bootId)
        const running = await runningAt(join(tb.dir, `node-${i}.log`))
        if (running !== null) wall.push(running - s.startMs)
        if (at === null) continue
        connect.push(at - s.startMs)
        if (running !== null) afterRunning.push(at - running)
      }
      // A joiner's bootstrap peer is in its peer list from its start, before its event log runs: no event.
      const knewTimes = events.map((e, i) => knewAt(e, o.know, i === 0 ? undefined : new Map([[bootId, started.get(i)!.startMs]])))
      const starts = [...started.values()].map(s => s.startMs)
      const allKnew = knewTimes.every(t => t !== null) ? Math.max(...knewTimes as number[]) : null
      const cpu = [...started.values()].map(s => s.cpuMs)
      return {
        nodes: n,
        latency: `${o.latency} per-link, jitter 5 ms`,
        links: tb.links,
        bootstrapConnected: connect.length,
        bootstrapConnectMsP50: q(connect, 0.5),
        bootstrapConnectMsP95: q(connect, 0.95),
        bootstrapConnectMsMax: q(connect, 1),
        connectAfterRunningMsP50: q(afterRunning, 0.5),
        connectAfterRunningMsP95: q(afterRunning, 0.95),
        startWallMsP50: q(wall, 0.5),
        startWallMsP95: q(wall, 0.95),
        startCpuMsP50: q(cpu, 0.5),
        startCpuMsP95: q(cpu, 0.95),
        startSpreadMs: Math.max(...starts) - Math.min(...starts),
        knowTarget: o.know,
        nodesKnowingTarget: knewTimes.filter(t => t !== null).length,
        msToAllKnow: allKnew === null ? null : allKnew - lastStart,
        knownPeersMinAtEnd: known.length === 0 ? null : Math.min(...known),
        runSec: Math.round((Date.now() - t0) / 100) / 10,
        loadBefore,
        loadAfter: load()
      }
    } finally {
      for (const c of clients) c.close()
    }
  })
}
