/**
 * Eclipse defence (docs/security.md): a share of the connection slots is kept for outbound
 * connections, which this node chose, protected from the connection manager's pruning. libp2p's
 * pruner, over `connections.max`, closes the connections of the peers with the lowest sum of
 * peer-store tag values first (then inbound before outbound, fewest streams, newest); a peer tagged
 * `sorcha-protected-outbound` with value 100 (the most a tag may carry) is closed only after every
 * untagged one. At most one protected peer per IP range (/24, /48), so that one network cannot hold
 * the protected share.
 */
import type { Connection, PeerId, PeerStore, Startable } from '@libp2p/interface'
import { rangeOf } from '../../protocols/reputation/index.ts'
import { logger } from '../logging/index.ts'
import { ipOf } from './ip-diversity.ts'

/** The peer-store tag of protected outbound peers. */
export const PROTECTED_OUTBOUND_TAG = 'sorcha-protected-outbound'
/** Its value: the highest a tag may have. */
export const PROTECTED_OUTBOUND_VALUE = 100

/** What the service uses. */
export interface OutboundProtectionComponents {
  events: { addEventListener: (type: string, listener: (event: CustomEvent<Connection>) => void) => void, removeEventListener: (type: string, listener: (event: CustomEvent<Connection>) => void) => void }
  peerStore: Pick<PeerStore, 'merge'>
  connectionManager: { getConnections: (peerId?: PeerId) => Connection[] }
}

/** Options. */
export interface OutboundProtectionInit {
  /** Most protected peers (`connections.protectedOutboundShare × connections.max`, rounded down). */
  maxProtected: number
}

/** Tags up to `maxProtected` outbound peers, one per IP range, and untags them when they go. */
export class OutboundProtection implements Startable {
  readonly [Symbol.toStringTag] = '@sorcha/outbound-protection'
  private readonly components: OutboundProtectionComponents
  private readonly max: number
  /** Protected peers and their range. */
  private readonly protected = new Map<string, string>()
  private readonly log = logger('sorcha:peers')
  private readonly onOpen = (event: CustomEvent<Connection>): void => { this.opened(event.detail) }
  private readonly onClose = (event: CustomEvent<Connection>): void => { this.closed(event.detail) }

  constructor (components: OutboundProtectionComponents, init: OutboundProtectionInit) {
    this.components = components
    this.max = Math.max(0, Math.floor(init.maxProtected))
  }

  start (): void {
    this.components.events.addEventListener('connection:open', this.onOpen)
    this.components.events.addEventListener('connection:close', this.onClose)
  }

  stop (): void {
    this.components.events.removeEventListener('connection:open', this.onOpen)
    this.components.events.removeEventListener('connection:close', this.onClose)
    this.protected.clear()
  }

  /** The protected peers now. */
  protectedPeers (): string[] {
    return [...this.protected.keys()]
  }

  private opened (connection: Connection): void {
    const peer = connection.remotePeer.toString()
    if (connection.direction !== 'outbound' || this.protected.size >= this.max || this.protected.has(peer)) return
    const ip = ipOf(connection.remoteAddr)
    const range = ip === undefined ? `other:${peer}` : rangeOf(ip) ?? `other:${peer}`
    if ([...this.protected.values()].includes(range)) return
    this.protected.set(peer, range)
    this.tag(connection.remotePeer, { value: PROTECTED_OUTBOUND_VALUE })
  }

  private closed (connection: Connection): void {
    const peer = connection.remotePeer.toString()
    if (!this.protected.has(peer)) return
    const stillOut = this.components.connectionManager.getConnections(connection.remotePeer).some(c => c.id !== connection.id && c.status === 'open' && c.direction === 'outbound')
    if (stillOut) return
    this.protected.delete(peer)
    this.tag(connection.remotePeer, undefined)
  }

  private tag (peerId: PeerId, tag: { value: number } | undefined): void {
    this.components.peerStore.merge(peerId, { tags: { [PROTECTED_OUTBOUND_TAG]: tag } as never }).catch((err: unknown) => {
      this.log.debug({ err, peer: peerId.toString() }, 'could not tag a protected outbound peer')
    })
  }
}
