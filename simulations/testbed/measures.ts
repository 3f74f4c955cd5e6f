/**
 * What the testbed's failure and discovery benchmarks measure from the nodes themselves: the nodes'
 * event logs (docs/events.md; `atMs` on the host's clock, which every namespace shares) and their
 * processes' /proc entries, so that the driver's own delays (a busy event loop polling 50 gateways)
 * do not enter the figures. The computations are pure functions of those records.
 */
import type { SorchaClient } from '../../src/client/index.ts'
import type { FaultAction } from './plan.ts'

/** The fields of a node event these measures read. */
export interface NodeEvent {
  atMs: number
  type: string
  peerId: string
  txId: string
}

/** Every event of `types` a node holds, oldest first (page by page). */
export async function fetchEvents (client: SorchaClient, types: string[]): Promise<NodeEvent[]> {
  const out: NodeEvent[] = []
  let cursor = 0
  for (let more = true; more;) {
    const page = await client.listEvents({ types, cursor, limit: 1000 })
    for (const e of page.events) out.push({ atMs: e.atMs, type: e.type, peerId: e.peerId, txId: e.txId })
    more = page.more && page.events.length > 0
    cursor = page.nextCursor
  }
  return out
}

/** When a node first held each transaction: its `tx_published` (it was the publisher) or `tx_received`. */
export function holdTimes (events: readonly NodeEvent[]): Map<string, number> {
  const held = new Map<string, number>()
  for (const e of events) {
    if (e.txId === '' || (e.type !== 'tx_published' && e.type !== 'tx_received')) continue
    const before = held.get(e.txId)
    if (before === undefined || e.atMs < before) held.set(e.txId, e.atMs)
  }
  return held
}

/** The transactions published (their publishers' `tx_published`) before `beforeMs`. */
export function publishedBefore (eventsPerNode: ReadonlyArray<readonly NodeEvent[]>, beforeMs: number): Set<string> {
  const txs = new Set<string>()
  for (const events of eventsPerNode) for (const e of events) if (e.type === 'tx_published' && e.txId !== '' && e.atMs < beforeMs) txs.add(e.txId)
  return txs
}

/** How long after a moment the given nodes held every one of the given transactions. */
export interface Completion {
  /** From `fromMs` until the last (node, transaction) pair was held; 0 if all were held before; null if some never were. */
  ms: number | null
  /** Pairs never held. */
  missing: number
  /** The pairs held only after `fromMs`. */
  lateHolds: number
}

/** When every node of `holds` held every transaction of `txs`, counted from `fromMs` (pairs held earlier count as 0). */
export function completionAfter (holds: ReadonlyArray<ReadonlyMap<string, number>>, txs: Iterable<string>, fromMs: number): Completion {
  let last = fromMs
  let missing = 0
  let lateHolds = 0
  for (const tx of txs) {
    for (const node of holds) {
      const at = node.get(tx)
      if (at === undefined) { missing++; continue }
      if (at > fromMs) { lateHolds++; last = Math.max(last, at) }
    }
  }
  return { ms: missing > 0 ? null : last - fromMs, missing, lateHolds }
}

/** A fault action as applied: when its application began and ended (unix epoch ms). */
export interface AppliedFault { action: FaultAction, startedAt: number, doneAt: number }

/**
 * The recovery to measure: from the partition's heal (every node), the SIGCONT (the frozen nodes),
 * or the crash (the survivors). A rolling restart has none: a SIGKILL loses up to a second of a
 * node's unwritten events, so its event log cannot date every transaction it holds.
 */
export function recoveryFault (faults: readonly AppliedFault[], liveAtEnd: readonly number[]): { fault: AppliedFault, from: string, nodes: number[] } | undefined {
  const last = (pred: (f: AppliedFault) => boolean): AppliedFault | undefined => faults.filter(pred).at(-1)
  const heal = last(f => f.action.kind === 'cut' && f.action.why.includes('heals') && [...f.action.blocked.values()].every(b => b.size === 0))
  if (heal !== undefined) return { fault: heal, from: 'partition heals', nodes: [...liveAtEnd] }
  const cont = last(f => f.action.kind === 'cont')
  if (cont?.action.kind === 'cont') return { fault: cont, from: 'SIGCONT', nodes: cont.action.nodes.filter(i => liveAtEnd.includes(i)) }
  const crash = last(f => f.action.kind === 'kill' && f.action.why === 'crash')
  if (crash !== undefined && !faults.some(f => f.action.why === 'restart')) return { fault: crash, from: 'crash', nodes: [...liveAtEnd] }
  return undefined
}

/** When a node first opened a connection to `peerId` (`peer_connected`), or null. */
export function firstConnectedAt (events: readonly NodeEvent[], peerId: string): number | null {
  let first: number | null = null
  for (const e of events) if (e.type === 'peer_connected' && e.peerId === peerId && (first === null || e.atMs < first)) first = e.atMs
  return first
}

/**
 * When a node's peer list first held `target` distinct peers (its `peer_discovered` events), or null.
 * `preknown`: peers in its list before its event log started (its bootstrap peers, recorded at start
 * without an event), with the time to count them from.
 */
export function knewAt (events: readonly NodeEvent[], target: number, preknown: ReadonlyMap<string, number> = new Map()): number | null {
  const first = new Map(preknown)
  for (const e of events) {
    if (e.type !== 'peer_discovered' || e.peerId === '') continue
    const before = first.get(e.peerId)
    if (before === undefined || e.atMs < before) first.set(e.peerId, e.atMs)
  }
  if (first.size < target) return null
  return [...first.values()].sort((a, b) => a - b)[target - 1]!
}

/** Clock ticks per second of /proc's times (USER_HZ: 100 on every Linux architecture that Node.js runs on). */
export const CLOCK_TICKS_PER_SEC = 100

/** A process's start and CPU from its /proc/<pid>/stat line. */
export interface ProcStat {
  /** Start, seconds after boot. */
  startSec: number
  /** User + system CPU so far, ms. */
  cpuMs: number
}

/** Parses /proc/<pid>/stat (the command name may hold spaces and parentheses: fields count from the last ')'). */
export function parseProcStat (line: string): ProcStat {
  const fields = line.slice(line.lastIndexOf(')') + 2).trim().split(/\s+/)
  // After the name: state is field 3 of proc(5), so field k is fields[k - 3].
  const ticks = (k: number): number => Number(fields[k - 3])
  const startSec = ticks(22) / CLOCK_TICKS_PER_SEC
  const cpuMs = (ticks(14) + ticks(15)) * 1000 / CLOCK_TICKS_PER_SEC
  if (!Number.isFinite(startSec) || !Number.isFinite(cpuMs)) throw new TypeError(`not a /proc/<pid>/stat line: ${line.slice(0, 80)}`)
  return { startSec, cpuMs }
}

/**
 * A process's start as unix epoch ms: `/proc/uptime`'s seconds since boot and the epoch time read
 * together date the boot, and the process started `startSec` after it (10-ms resolution).
 */
export function processStartEpochMs (startSec: number, uptimeSec: number, nowEpochMs: number): number {
  return Math.round(nowEpochMs - (uptimeSec - startSec) * 1000)
}
