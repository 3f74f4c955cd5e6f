/** The admin API's messages built from a node's parts (connections, stats). Pure over their inputs. */
import type {
  ConnectedPeer, GossipStats, PeerConnection, PeerCounts, ProtocolPeers, ReconcileStats, StoreStats
} from '../../protos/gen/sorcha/api/v1/admin.ts'
import { PeerStatus, type PeerNode } from '../../protocols/models/index.ts'
import type { DistributorStats } from '../gossip/distributor.ts'
import type { StatusCounts } from '../peers/types.ts'
import type { ConnectionView, PeerStoreView } from './parts.ts'

/** One open connection as the API shows it. */
export function connectionMessage (c: ConnectionView): PeerConnection {
  return {
    id: c.id,
    direction: c.direction,
    remoteAddr: c.remoteAddr.toString(),
    openedAtMs: c.timeline.open,
    streams: c.streams.length,
    multiplexer: c.multiplexer ?? '',
    encryption: c.encryption ?? '',
    limited: c.limits !== undefined,
    rttMs: typeof c.rtt === 'number' && Number.isFinite(c.rtt) ? c.rtt : 0
  }
}

/** Open connections grouped by peer, in peer-id order (closing and closed ones left out). */
export function groupByPeer (connections: ConnectionView[]): Map<string, ConnectionView[]> {
  const byPeer = new Map<string, ConnectionView[]>()
  for (const c of connections) {
    if (c.status !== 'open') continue
    const id = c.remotePeer.toString()
    const list = byPeer.get(id)
    if (list === undefined) byPeer.set(id, [c])
    else list.push(c)
  }
  return new Map([...byPeer].sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0))
}

/** A connected peer from its connections, its peer-list entry and what identify told the peer store. */
export function connectedPeerMessage (peerId: string, connections: ConnectionView[], entry: PeerNode | undefined, info: PeerStoreView | undefined): ConnectedPeer {
  const streamProtocols = connections.flatMap(c => c.streams.map(s => s.protocol ?? '')).sort()
  return {
    peerId,
    connections: connections.map(connectionMessage),
    latencyMs: entry?.latencyMs ?? 0,
    protocols: info?.protocols ?? [],
    openStreams: streamProtocols.length,
    streamProtocols,
    score: entry?.score ?? -1,
    status: entry?.status ?? PeerStatus.PEER_STATUS_UNKNOWN,
    agentVersion: info?.agentVersion ?? ''
  }
}

/** Connected peers per protocol they speak, most peers first, then by name. */
export function peersByProtocol (infos: Array<PeerStoreView | undefined>): ProtocolPeers[] {
  const counts = new Map<string, number>()
  for (const info of infos) for (const p of info?.protocols ?? []) counts.set(p, (counts.get(p) ?? 0) + 1)
  return [...counts].map(([protocol, peers]) => ({ protocol, peers }))
    .sort((a, b) => b.peers - a.peers || (a.protocol < b.protocol ? -1 : a.protocol > b.protocol ? 1 : 0))
}

/** Known peers by status. */
export function peerCountsMessage (counts: StatusCounts, known: number): PeerCounts {
  return { known, ...counts }
}

/** The distributor's counters. */
export function gossipMessage (s: DistributorStats): { gossip: GossipStats, store: StoreStats, reconcile: ReconcileStats | undefined } {
  const r = s.reconcile
  return {
    gossip: { strategy: s.strategy, published: s.published, delivered: s.delivered, bodiesReceived: s.bodiesReceived, bytesSent: s.bytesSent, rejects: s.rejects, peers: s.peers },
    store: { transactions: s.store.count, bytes: s.store.bytes },
    reconcile: r === undefined
      ? undefined
      : {
          sessionsStarted: r.sessionsStarted, sessionsAnswered: r.sessionsAnswered, sessionsCompleted: r.sessionsCompleted, sessionsFailed: r.sessionsFailed,
          messagesSent: r.messagesSent, needs: r.needs, haves: r.haves, pendingNeeds: r.pendingNeeds, bytesSent: r.bytesSent, bytesReceived: r.bytesReceived
        }
  }
}
