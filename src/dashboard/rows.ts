/** The dashboard's peer table rows: known peers (the peer list) joined with the connected ones (admin API). Pure. */
import type { ConnectedPeer } from '../../protos/gen/sorcha/api/v1/admin.ts'
import type { PeerNode } from '../../protocols/models/index.ts'

/** Peer statuses by enum value, as the table shows them. */
const STATUS = ['unknown', 'connecting', 'healthy', 'degraded', 'unreachable', 'banned']

/** One row, with short keys: it travels once a second when it changes. */
export interface PeerRow {
  id: string
  /** unknown, connecting, healthy, degraded, unreachable, banned; `connected` for a connected peer the list does not know. */
  status: string
  /** Whether a connection is open now. */
  up: boolean
  /** inbound, outbound, both, or '' when not connected. */
  dir: string
  /** Latency in ms (0 = not measured). */
  lat: number
  /** Score 0..100 (-1 = not in the peer list). */
  score: number
  /** Last seen (epoch ms; 0 = never). */
  seen: number
  /** The protocols it announced (identify), when connected. */
  protos: string[]
  /** The registers its record says it serves (peer exchange; issue 20); ['*'] = every register, [] = not known. */
  regs: string[]
  /** Ban reason and end (0 = indefinite), when banned. */
  ban?: { reason: string, untilMs: number }
}

/** Rows for `ids` (each once, in that order): known peers from `known`, joined with the connected ones. */
export function peerRows (ids: Iterable<string>, known: ReadonlyMap<string, PeerNode>, connected: ConnectedPeer[]): PeerRow[] {
  const live = new Map(connected.map(p => [p.peerId, p]))
  const rows: PeerRow[] = []
  const done = new Set<string>()
  for (const id of ids) {
    if (done.has(id)) continue
    done.add(id)
    rows.push(row(known.get(id), live.get(id), id))
  }
  return rows
}

function row (p: PeerNode | undefined, c: ConnectedPeer | undefined, id: string): PeerRow {
  const dirs = new Set(c?.connections.map(x => x.direction) ?? [])
  const rtt = c?.connections.find(x => x.rttMs > 0)?.rttMs ?? 0
  const out: PeerRow = {
    id,
    status: p === undefined ? (c === undefined ? 'gone' : 'connected') : STATUS[c !== undefined && c.status !== p.status ? c.status : p.status] ?? 'unknown',
    up: c !== undefined,
    dir: dirs.size === 0 ? '' : dirs.size > 1 ? 'both' : [...dirs][0]!,
    lat: Math.round(p?.latencyMs !== undefined && p.latencyMs > 0 ? p.latencyMs : rtt),
    score: c !== undefined && c.score >= 0 ? c.score : p?.score ?? -1,
    seen: p?.lastSeenMs ?? 0,
    protos: c?.protocols ?? [],
    regs: p?.capabilities?.allRegisters === true ? ['*'] : p?.capabilities?.registers ?? []
  }
  if (p !== undefined && STATUS[p.status] === 'banned') out.ban = { reason: p.banReason, untilMs: p.bannedUntilMs }
  return out
}
