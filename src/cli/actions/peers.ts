/**
 * `sorcha-peer peers`: prints the persisted peer list of a data directory as a table, or as JSON with
 * --json. It reads the database directly, so it works while no node runs; while a node runs, LevelDB's
 * lock keeps it out and the command says so (exit 1). A data directory that does not exist is a
 * mistake in --data-dir (exit 2), not an empty list; the command never creates it.
 */
import { access, stat } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import type { PeerCapabilities, PeerNode, PeerStatus } from '../../../protocols/models/index.ts'
import { servesRegister } from '../../../protocols/topology/index.ts'
import { PeerOrder } from '../../../protos/gen/sorcha/api/v1/peer_discovery.ts'
import { PEER_ORDER } from '../../gateway/enum-names.ts'
import { PEERS_SUBLEVEL, PeerStore, peerToJson, sourceName, statusName } from '../../peers/index.ts'
import { StorageOpenError, openStorage } from '../../storage/index.ts'
import { configFromOptions } from '../config-flags.ts'
import { EXIT_USAGE } from '../exit-codes.ts'

/** "42s ago", "3m ago", "5h ago", "2d ago", "never". */
export function ago (ms: number, now: number): string {
  if (ms <= 0) return 'never'
  const s = Math.max(0, Math.round((now - ms) / 1000))
  if (s < 60) return `${s}s ago`
  if (s < 3600) return `${Math.floor(s / 60)}m ago`
  if (s < 86_400) return `${Math.floor(s / 3600)}h ago`
  return `${Math.floor(s / 86_400)}d ago`
}

/** 12D3KooW…a1b2c3 */
const shortId = (peerId: string): string => peerId.length <= 20 ? peerId : `${peerId.slice(0, 12)}…${peerId.slice(-6)}`

/** Registers shown per peer in the table before "+N more". */
const SHOWN_REGISTERS = 3

/** What a peer's record says it serves: "all", "a,b,c +2", or "-" when unknown. */
export function registersCell (caps: PeerCapabilities | undefined): string {
  if (caps?.allRegisters === true) return 'all'
  const registers = caps?.registers ?? []
  if (registers.length === 0) return '-'
  const shown = registers.slice(0, SHOWN_REGISTERS).join(',')
  return registers.length > SHOWN_REGISTERS ? `${shown} +${registers.length - SHOWN_REGISTERS}` : shown
}

/** The peer list as an aligned text table. */
export function peersTable (nodes: readonly PeerNode[], now: number): string {
  if (nodes.length === 0) return 'no peers known\n'
  const header = ['PEER', 'STATUS', 'LAST SEEN', 'FAILURES', 'LATENCY', 'SCORE', 'SOURCE', 'ADDRESSES', 'REGISTERS']
  const rows = nodes.map(n => [
    shortId(n.peerId), statusName(n.status), ago(n.lastSeenMs, now), String(n.consecutiveFailures),
    n.latencyMs > 0 ? `${n.latencyMs.toFixed(1)} ms` : '-', n.score.toFixed(1), sourceName(n.source), String(n.addresses.length), registersCell(n.capabilities)
  ])
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map(r => (r[i] ?? '').length)))
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd()
  return [line(header), ...rows.map(line)].join('\n') + '\n'
}

async function exists (path: string): Promise<boolean> {
  return access(path).then(() => true, () => false)
}

/** Reads the persisted list of `dataDir`; undefined when no node has ever stored anything there. */
async function readPeers (dataDir: string, query: { status?: PeerStatus[], orderBy: 'score' | 'lastSeen', limit?: number }): Promise<PeerNode[] | undefined> {
  if (!(await exists(join(dataDir, 'db')))) return undefined
  const storage = await openStorage(dataDir)
  try {
    return await new PeerStore(storage.sublevel(PEERS_SUBLEVEL)).list({ ...query, direction: 'desc' })
  } finally {
    await storage.close()
  }
}

/** Why `dataDir` cannot hold a peer list (it is missing or not a directory), or undefined if it can. */
async function dataDirProblem (dataDir: string): Promise<string | undefined> {
  const info = await stat(dataDir).catch(() => undefined)
  if (info === undefined) return 'no data directory at'
  return info.isDirectory() ? undefined : 'not a directory:'
}

/** Prints the persisted peer list of the configured data directory. */
export async function runPeers (options: Record<string, unknown>): Promise<void> {
  const config = await configFromOptions(options)
  const problem = await dataDirProblem(config.dataDir)
  if (problem !== undefined) {
    process.stderr.write(`sorcha-peer: ${problem} ${resolve(config.dataDir)}: dataDir=${config.dataDir}: pass --data-dir (or set SORCHA_DATA_DIR) to the data directory of a node\n`)
    process.exitCode = EXIT_USAGE
    return
  }
  let nodes: PeerNode[]
  const register = options.register as string | undefined
  const limit = options.limit as number | undefined
  try {
    nodes = await readPeers(config.dataDir, {
      orderBy: PEER_ORDER.parse(options.order as string) === PeerOrder.PEER_ORDER_SCORE ? 'score' : 'lastSeen',
      ...(options.status === undefined ? {} : { status: options.status as PeerStatus[] }),
      // With --register the limit applies after the filter.
      ...(limit === undefined || register !== undefined ? {} : { limit })
    }) ?? []
    if (register !== undefined) nodes = nodes.filter(n => servesRegister(n.capabilities, register)).slice(0, limit)
  } catch (err) {
    if (err instanceof StorageOpenError && err.locked) {
      process.stderr.write(`sorcha-peer: a node is running with data directory ${config.dataDir}; its peer list cannot be read until it stops\n`)
      process.exitCode = 1
      return
    }
    throw err
  }
  process.stdout.write(options.json === true ? `${JSON.stringify(nodes.map(peerToJson), null, 2)}\n` : peersTable(nodes, Date.now()))
}
