/**
 * Producers that need no change in the services they watch: they turn libp2p's connection events and
 * the events of sibling services (peer list, connectivity, address service, gossip verdicts) into
 * event-log entries (docs/events.md lists each). Services with no event of their own to watch emit
 * directly through the optional `eventLog` component (gossip: tx_published, tx_received,
 * tx_fetch_failed, tx_recovered, and its verdicts through `verdict()`, one per message received).
 */
import type { Connection, Libp2pEvents, PeerUpdate } from '@libp2p/interface'
import type { TypedEventTarget } from 'main-event'
import type { PeerNode } from '../../protocols/models/index.ts'
import { sourceName, statusName } from '../peers/names.ts'
import { takeDisconnectReason } from './disconnect-reasons.ts'
import type { EventSink } from './types.ts'
import { optionalComponent } from '../node/optional-component.ts'

/** Score bands: a peer_score_changed event when a peer's score moves into another band (0-24, 25-49, 50-74, 75-100). */
export const SCORE_BAND_WIDTH = 25
/** How long a noted disconnect reason also covers the peer's other connections closing with it. */
const REASON_LINGER_MS = 5_000
/** Most peers whose last status and score band are remembered (beyond: oldest forgotten). */
const TRACKED_PEERS_MAX = 10_000

interface Listenable<E> { addEventListener: (type: E, listener: (event: CustomEvent<never>) => void) => void, removeEventListener: (type: E, listener: (event: CustomEvent<never>) => void) => void }

function band (score: number): number {
  return Math.min(3, Math.max(0, Math.floor(score / SCORE_BAND_WIDTH)))
}

/** Subscribes a listener and returns the function that removes it. */
function on<E extends string> (target: Listenable<E> | undefined, type: E, listener: (event: CustomEvent<never>) => void): () => void {
  if (target === undefined) return () => {}
  target.addEventListener(type, listener)
  return () => { target.removeEventListener(type, listener) }
}

/** Attaches every producer; returns the function that detaches them. */
export function attachProducers (components: { events: TypedEventTarget<Libp2pEvents> }, sink: EventSink, clock: () => number): () => void {
  const offs: Array<() => void> = []
  const bus = components.events as unknown as Listenable<string>
  offs.push(...connectionProducers(bus, sink, clock, optionalComponent<ConnectionLimit>(components, 'connectionManager')))
  offs.push(on(bus, 'self:peer:update', (event: CustomEvent<PeerUpdate>) => {
    const now = event.detail.peer.addresses.map(a => a.multiaddr.toString()).sort()
    const before = (event.detail.previous?.addresses ?? []).map(a => a.multiaddr.toString()).sort()
    if (now.join(' ') !== before.join(' ')) sink.emit('address_changed', { data: { addresses: now.join(' '), previous: before.join(' ') } })
  }))
  offs.push(...peerListProducers(optionalComponent(components, 'peerList'), sink))
  offs.push(on(optionalComponent<Listenable<string>>(components, 'connectivity'), 'connectivity:change', (event: CustomEvent<{ from: string, to: string, reason: string, note?: string }>) => {
    const { from, to, reason, note } = event.detail
    sink.emit('connectivity_changed', { reason, data: { from, to, ...(note === undefined || note === '' ? {} : { note }) } })
  }))
  offs.push(natProducer(optionalComponent(components, 'address'), sink))
  return () => { for (const off of offs) off() }
}

/** What tells a close by libp2p's connection pruner from other local closes. */
interface ConnectionLimit { getConnections: () => unknown[], getMaxConnections: () => number }

function connectionProducers (bus: Listenable<string>, sink: EventSink, clock: () => number, limit: ConnectionLimit | undefined): Array<() => void> {
  // A noted reason covers the peer's other connections closing at the same time.
  const lingering = new Map<string, { reason: string, untilMs: number }>()
  const reasonFor = (peer: string, error: Error | undefined, local: boolean | undefined): string => {
    const noted = takeDisconnectReason(peer)
    const now = clock()
    if (noted !== undefined) {
      lingering.set(peer, { reason: noted, untilMs: now + REASON_LINGER_MS })
      if (lingering.size > 1024) lingering.delete(lingering.keys().next().value as string)
      return noted
    }
    const recent = lingering.get(peer)
    if (recent !== undefined && recent.untilMs >= now) return recent.reason
    lingering.delete(peer)
    if (error !== undefined) return 'connection_error'
    if (local !== true) return 'remote_closed'
    // libp2p's pruner closes connections (and announces it only after they closed) while more than
    // connections.max are open; it stops at the limit, so every close it makes sees at least that many.
    return limit !== undefined && limit.getConnections().length >= limit.getMaxConnections() ? 'connection_limit' : 'local_closed'
  }
  return [on(bus, 'connection:open', (event: CustomEvent<Connection>) => {
    const connection = event.detail
    const peer = connection.remotePeer.toString()
    sink.emit('peer_connected', { peerId: peer, data: { direction: connection.direction, address: connection.remoteAddr.toString(), connectionId: connection.id } })
    connection.addEventListener('close', (close: Event & { error?: Error, local?: boolean }) => {
      const reason = reasonFor(peer, close.error, close.local)
      const data: Record<string, string | number | boolean> = { direction: connection.direction, connectionId: connection.id, durationMs: Math.max(0, clock() - connection.timeline.open) }
      if (close.error !== undefined) data.error = `${close.error.name}: ${close.error.message}`.split('\n')[0] ?? ''
      sink.emit('peer_disconnected', { peerId: peer, reason, data })
    }, { once: true })
  })]
}

function peerListProducers (peerList: (Listenable<string> & { snapshot: () => PeerNode[] }) | undefined, sink: EventSink): Array<() => void> {
  if (peerList === undefined) return []
  // Last status and score band per peer, to tell a change (the peer list's events carry only the new record).
  const known = new Map<string, { status: number, band: number }>()
  for (const peer of peerList.snapshot()) known.set(peer.peerId, { status: peer.status, band: band(peer.score) })
  const remember = (peer: PeerNode): void => {
    known.delete(peer.peerId)
    known.set(peer.peerId, { status: peer.status, band: band(peer.score) })
    if (known.size > TRACKED_PEERS_MAX) known.delete(known.keys().next().value as string)
  }
  const changed = (peer: PeerNode): void => {
    const before = known.get(peer.peerId)
    remember(peer)
    if (before === undefined) return
    if (before.status !== peer.status) sink.emit('peer_status_changed', { peerId: peer.peerId, data: { from: statusName(before.status as PeerNode['status']), to: statusName(peer.status), score: peer.score, consecutiveFailures: peer.consecutiveFailures } })
    const now = band(peer.score)
    if (before.band !== now) sink.emit('peer_score_changed', { peerId: peer.peerId, data: { score: peer.score, band: now * SCORE_BAND_WIDTH, previousBand: before.band * SCORE_BAND_WIDTH } })
  }
  return [
    on(peerList, 'peer:added', (event: CustomEvent<PeerNode>) => {
      const peer = event.detail
      remember(peer)
      const data: Record<string, string | number> = { source: sourceName(peer.source), addresses: peer.addresses.length }
      if (peer.learnedFrom !== '') data.learnedFrom = peer.learnedFrom
      sink.emit('peer_discovered', { peerId: peer.peerId, data })
    }),
    on(peerList, 'peer:updated', (event: CustomEvent<PeerNode>) => { changed(event.detail) }),
    on(peerList, 'peer:banned', (event: CustomEvent<PeerNode>) => {
      const peer = event.detail
      remember(peer)
      // The reason is the ban's code (an offence or `admin`) when it has one; the words go in `note`.
      const data: Record<string, string | number> = { untilMs: peer.bannedUntilMs, until: peer.bannedUntilMs > 0 ? new Date(peer.bannedUntilMs).toISOString() : 'indefinite' }
      if (peer.banCode !== '' && peer.banReason !== peer.banCode) data.note = peer.banReason
      if (peer.banCount > 0 && peer.banCode !== 'admin') data.count = peer.banCount
      sink.emit('peer_banned', { peerId: peer.peerId, reason: peer.banCode === '' ? peer.banReason : peer.banCode, data })
    }),
    on(peerList, 'peer:unbanned', (event: CustomEvent<PeerNode>) => {
      remember(event.detail)
      sink.emit('peer_unbanned', { peerId: event.detail.peerId, data: { status: statusName(event.detail.status) } })
    }),
    on(peerList, 'peer:removed', (event: CustomEvent<{ peerId: string }>) => { known.delete(event.detail.peerId) })
  ]
}

interface NatView { natType: string, reachability: string, externalAddress?: string, method: string }

function natProducer (address: (Listenable<string> & { status?: () => NatView }) | undefined, sink: EventSink): () => void {
  let last: NatView | undefined
  const observe = (next: NatView, reason: string): void => {
    if (last === undefined || last.natType !== next.natType || last.reachability !== next.reachability || last.externalAddress !== next.externalAddress) {
      sink.emit('nat_changed', {
        reason,
        data: {
          natType: next.natType,
          reachability: next.reachability,
          method: next.method,
          ...(next.externalAddress === undefined ? {} : { externalAddress: next.externalAddress }),
          ...(last === undefined ? {} : { previousNatType: last.natType, previousReachability: last.reachability })
        }
      })
    }
    last = { natType: next.natType, reachability: next.reachability, method: next.method, ...(next.externalAddress === undefined ? {} : { externalAddress: next.externalAddress }) }
  }
  // What the address service knows already (it may have started first), then each change.
  const current = address?.status?.()
  if (current !== undefined) observe(current, 'current')
  return on(address, 'address:changed', (event: CustomEvent<NatView>) => { observe(event.detail, 'changed') })
}
