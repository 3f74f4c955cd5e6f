/**
 * Warns when the node loses its last connected peer (issue 17 item 5), and says so at info level when
 * the first peer is back. Only after the node had a peer (a node alone at start is not news: the
 * bootstrap warnings cover that), never while it stops, and never while suspended (offline mode closes
 * every connection on purpose). Listeners added on start and removed on stop (docs/conventions.md §3).
 */
import type { Libp2pEvents, PeerId, Startable } from '@libp2p/interface'
import type { TypedEventTarget } from 'main-event'
import { logger, type Logger } from '../logging/index.ts'

/** The warning when the last connected peer goes. */
export const LAST_PEER_LOST_MSG = 'lost the last connected peer: this node is isolated until a peer connects'
/** The info line when a peer connects after that. */
export const PEER_BACK_MSG = 'connected to a peer again'

/** Options of the watcher. */
export interface PeerLossInit {
  /** @default logger('sorcha:node') */
  log?: Logger
  /** @default Date.now */
  clock?: () => number
}

/** What the watcher uses from libp2p; `connectivity` is an optional sibling service. */
export interface PeerLossComponents {
  events: TypedEventTarget<Libp2pEvents>
  connectionManager: { getConnections: () => Array<{ remotePeer: PeerId }> }
  connectivity?: { status: () => { state: string } }
}

/** Logs the loss of the last peer and the return of the first. */
export class PeerLossLog implements Startable {
  readonly [Symbol.toStringTag] = '@sorcha/peer-loss-log'
  private readonly components: PeerLossComponents
  private readonly log: Logger
  private readonly clock: () => number
  private started = false
  private hadPeer = false
  /** When the last peer went, while the node is isolated. */
  private lostAt: number | undefined
  private readonly onConnect = (event: CustomEvent<PeerId>): void => { this.connected(event.detail) }
  private readonly onDisconnect = (event: CustomEvent<PeerId>): void => { this.disconnected(event.detail) }

  constructor (components: PeerLossComponents, init: PeerLossInit = {}) {
    this.components = components
    this.log = init.log ?? logger('sorcha:node')
    this.clock = init.clock ?? Date.now
  }

  start (): void {
    if (this.started) return
    this.started = true
    this.hadPeer = this.components.connectionManager.getConnections().length > 0
    this.lostAt = undefined
    this.components.events.addEventListener('peer:connect', this.onConnect)
    this.components.events.addEventListener('peer:disconnect', this.onDisconnect)
  }

  /** libp2p closes every connection while it stops: that is no loss to warn of. */
  beforeStop (): void {
    this.stop()
  }

  stop (): void {
    if (!this.started) return
    this.started = false
    this.components.events.removeEventListener('peer:connect', this.onConnect)
    this.components.events.removeEventListener('peer:disconnect', this.onDisconnect)
  }

  private connected (peer: PeerId): void {
    this.hadPeer = true
    if (this.lostAt === undefined) return
    this.log.info({ peer: peer.toString(), isolatedMs: this.clock() - this.lostAt }, PEER_BACK_MSG)
    this.lostAt = undefined
  }

  private disconnected (peer: PeerId): void {
    if (!this.hadPeer || this.lostAt !== undefined) return
    if (this.components.connectionManager.getConnections().length > 0) return
    if (this.suspended()) return
    this.lostAt = this.clock()
    this.log.warn({ peer: peer.toString() }, LAST_PEER_LOST_MSG)
  }

  private suspended (): boolean {
    try {
      return (this.components as { connectivity?: PeerLossComponents['connectivity'] }).connectivity?.status().state === 'suspended'
    } catch {
      return false
    }
  }
}

/** js-libp2p service factory. */
export function peerLossLog (init: PeerLossInit = {}): (components: PeerLossComponents) => PeerLossLog {
  return components => new PeerLossLog(components, init)
}
