/** How `sorcha-peer admin ...` prints the Admin API's answers: readable lines, or JSON with enums by name. */
import type { AdminNodeInfo, ConnectedPeer, ListConnectedPeersResponse, LogLevels, NodeStats } from '../../client/index.ts'
import type { PeerNode } from '../../../protocols/models/index.ts'
import { PEER_STATUS } from '../../gateway/enum-names.ts'
import { connectivityJson, connectivityLine } from './connectivity.ts'

/** A peer status as the CLI prints it: its short lower-case name (`healthy`). */
export function statusName (status: number): string {
  return Object.entries(PEER_STATUS.aliases).find(([, v]) => v === status)?.[0] ?? PEER_STATUS.nameOf(status) ?? String(status)
}

const pad = (rows: string[][]): string[] => {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map(r => r[i]!.length)))
  return rows.map(r => r.map((cell, i) => i === r.length - 1 ? cell : cell.padEnd(widths[i]!)).join('  '))
}

const dirOf = (peer: ConnectedPeer): string => [...new Set(peer.connections.map(c => c.direction === 'inbound' ? 'in' : 'out'))].join('+')

/** The connected peers as a table and a summary line. */
export function peersText (res: ListConnectedPeersResponse): string {
  const summary = `${res.peers.length} ${res.peers.length === 1 ? 'peer' : 'peers'} connected (${res.inbound} inbound, ${res.outbound} outbound ${res.inbound + res.outbound === 1 ? 'connection' : 'connections'})`
  if (res.peers.length === 0) return 'no peers connected\n'
  const rows = [['PEER ID', 'DIR', 'ADDRESS', 'LATENCY', 'STREAMS', 'SCORE', 'STATUS']]
  for (const p of res.peers) {
    rows.push([p.peerId, dirOf(p), p.connections[0]?.remoteAddr.replace(`/p2p/${p.peerId}`, '') ?? '-', p.latencyMs > 0 ? `${p.latencyMs.toFixed(1)} ms` : '-',
      String(p.openStreams), p.score < 0 ? '-' : p.score.toFixed(1), p.score < 0 ? 'not listed' : statusName(p.status)])
  }
  return `${pad(rows).join('\n')}\n${summary}\n`
}

/** A peer-list entry as JSON, with its status by name. */
export function peerJson (peer: PeerNode | undefined): Record<string, unknown> | null {
  return peer === undefined ? null : { ...peer, status: PEER_STATUS.nameOf(peer.status) ?? peer.status, source: undefined }
}

/** The connected peers as JSON, statuses by name. */
export function peersJson (res: ListConnectedPeersResponse): Record<string, unknown> {
  return { ...res, peers: res.peers.map(p => ({ ...p, status: PEER_STATUS.nameOf(p.status) ?? p.status })) }
}

/** The log levels: `global info`, then one line per subsystem. */
export function levelsText (levels: LogLevels): string {
  const rows = [['global', levels.global], ...levels.subsystems.map(s => [s.subsystem, s.level])]
  return `${pad(rows).join('\n')}\n`
}

/** Node info as lines. */
export function infoText (info: AdminNodeInfo): string {
  const list = (values: string[]): string => values.join('\n             ') || '-'
  const lines = [
    `peer id      ${info.peerId}`,
    `version      ${info.version}`,
    `uptime       ${Math.round(info.uptimeMs / 1000)} s`,
    `listening    ${list(info.listenAddresses)}`,
    `addresses    ${list(info.addresses)}`,
    `nat type     ${info.natType}${info.externalAddress === '' ? '' : ` (external ${info.externalAddress}, found by ${info.addressMethod})`}`,
    `reachability ${info.reachability}`,
    `nat checked  ${info.natCheckedAtMs === 0 ? 'never' : new Date(info.natCheckedAtMs).toISOString()}${info.natProblems.length === 0 ? '' : ` (${info.natProblems.join('; ')})`}`,
    `connectivity ${info.connectivity === undefined ? 'n/a (no connectivity service)' : connectivityLine(info.connectivity)}`
  ]
  return `${lines.join('\n')}\n`
}

/** Node info as JSON. */
export function infoJson (info: AdminNodeInfo): Record<string, unknown> {
  return { ...info, connectivity: info.connectivity === undefined ? null : connectivityJson(info.connectivity) }
}

/** Statistics as lines. */
export function statsText (s: NodeStats): string {
  const k = s.knownPeers
  const lines = [
    `connections  ${s.connectedPeers} ${s.connectedPeers === 1 ? 'peer' : 'peers'}, ${s.inboundConnections} inbound, ${s.outboundConnections} outbound, ${s.openStreams} streams open`,
    `known peers  ${k === undefined ? 'n/a (no peer list)' : `${k.known} (${k.healthy} healthy, ${k.degraded} degraded, ${k.unreachable} unreachable, ${k.connecting} connecting, ${k.unknown} unknown, ${k.banned} banned)`}`,
    `health       ${s.healthScore < 0 ? 'n/a (no health monitor)' : `${s.healthScore.toFixed(1)} / 100`}`,
    `gossip       ${s.gossip === undefined ? 'n/a (no gossip service)' : `${s.gossip.strategy}: ${s.gossip.published} published, ${s.gossip.delivered} received, ${s.gossip.rejects} rejected, ${s.gossip.bytesSent} bytes sent, ${s.gossip.peers} peers`}`,
    `store        ${s.store === undefined ? 'n/a' : `${s.store.transactions} transactions, ${s.store.bytes} bytes`}`,
    `queue        ${s.queue === undefined ? 'n/a' : `${s.queue.depth} unconfirmed (${s.queue.queued} queued, ${s.queue.announced} announced), ${s.queue.confirmed} confirmed${s.queue.sending ? '' : ', not sending'}`}`,
    `reconcile    ${s.reconcile === undefined ? 'off' : `${s.reconcile.sessionsCompleted} sessions completed, ${s.reconcile.sessionsFailed} failed, ${s.reconcile.needs} items fetched`}`,
    `protocols    ${s.peersByProtocol.map(p => `${p.protocol} ${p.peers}`).join('\n             ') || '-'}`
  ]
  return `${lines.join('\n')}\n`
}
