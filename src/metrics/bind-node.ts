/**
 * Points a node's metrics at its services, once libp2p has built them: the families read at scrape
 * time get their sources, and the peer list's change events count bans and new peers. A service the
 * node lacks leaves its labelled families empty (prom-client exports a family without labels as 0).
 */
import type { Libp2p, ServiceMap } from '@libp2p/interface'
import type { NodeMetrics } from './index.ts'
import { sourceName } from '../peers/names.ts'
import type { GossipStatsView } from './gossip.ts'
import type { QueueStatsView } from './queue.ts'
import type { EventLogStatsView } from './events.ts'

interface PeerListLike extends EventTarget {
  countByStatus: () => Record<string, number>
}
interface ReputationLike {
  graylistedCount: () => number
  trackedCount: () => number
}
interface GossipLike {
  stats: () => GossipStatsView
  queueStats: () => QueueStatsView
}
interface Services {
  peerList?: PeerListLike
  reputation?: ReputationLike
  topology?: { snapshot: () => { discoveryRounds: number, exchanges: number } }
  health?: { snapshot: () => { score: number } }
  address?: { status: () => { natType: string, reachability: string } }
  gossip?: GossipLike
  connectivity?: { state: string }
  eventLog?: { stats: () => EventLogStatsView }
  limits?: { throttled: () => Record<string, number> }
  gateway?: { current?: { limiter: { limited: number }, openStreams: { grpc: number, rest: number } } }
}

/** Binds every domain's scrape-time sources and event counters to `libp2p`'s services. */
export function bindNodeMetrics (metrics: NodeMetrics, libp2p: Libp2p<ServiceMap>): void {
  const s = libp2p.services as unknown as Services
  metrics.node.bind({
    connections: () => libp2p.getConnections(),
    ...(s.connectivity === undefined ? {} : { connectivityState: () => s.connectivity?.state })
  })
  const peerList = s.peerList
  metrics.peers.bind({
    ...(peerList === undefined ? {} : { countByStatus: () => peerList.countByStatus() }),
    ...(s.topology === undefined ? {} : { topology: () => s.topology?.snapshot() }),
    ...(s.limits === undefined ? {} : { throttled: () => s.limits!.throttled() })
  })
  peerList?.addEventListener('peer:banned', event => {
    metrics.peers.banned()
    const node = (event as CustomEvent<{ banCode: string }>).detail
    metrics.reputation.banned(node.banCode === '' ? 'other' : node.banCode)
  })
  const reputation = s.reputation
  metrics.reputation.bind({
    ...(reputation === undefined ? {} : { graylisted: () => reputation.graylistedCount(), tracked: () => reputation.trackedCount() }),
    ...(peerList === undefined ? {} : { banned: () => peerList.countByStatus().banned ?? 0 })
  })
  peerList?.addEventListener('peer:unbanned', () => { metrics.peers.unbanned() })
  peerList?.addEventListener('peer:added', event => { metrics.peers.found(sourceName((event as CustomEvent<{ source: number }>).detail.source)) })
  metrics.health.bind({
    ...(s.health === undefined ? {} : { score: () => s.health?.snapshot().score ?? 0 }),
    ...(s.address === undefined ? {} : { nat: () => s.address!.status() })
  })
  const gossip = s.gossip
  if (gossip !== undefined) {
    metrics.gossip.bind(() => gossip.stats())
    metrics.queue.bind(() => gossip.queueStats())
  }
  const eventLog = s.eventLog
  if (eventLog !== undefined) metrics.events.bind(() => eventLog.stats())
  const gateway = s.gateway
  if (gateway !== undefined) {
    metrics.gateway.bind({
      rateLimited: () => gateway.current?.limiter.limited ?? 0,
      openStreams: () => gateway.current?.openStreams ?? { grpc: 0, rest: 0 }
    })
  }
}
