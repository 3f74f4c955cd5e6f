/**
 * Contact without identify: the health monitor learns of a peer from its identify exchange, but a
 * connection whose identify fails or never completes (a peer that does not speak it, or one too slow
 * to answer) would otherwise leave a connected peer out of the peer list for as long as it stays
 * connected. So every new connection is looked at again `graceMs` later: if it is still open and the
 * peer is still unknown, the contact is recorded from the connection itself (the dialled address for
 * an outbound connection; none for an inbound one, whose remote port is ephemeral).
 */
import type { Connection, Libp2pEvents } from '@libp2p/interface'
import type { TypedEventTarget } from 'main-event'

/** How long identify may take before the connection itself is recorded (libp2p's identify times out after 5 s). */
export const IDENTIFY_GRACE_MS = 15_000

/** Most connections waited on at once; beyond it new connections are not followed up (identify still records them). */
export const IDENTIFY_PENDING_MAX = 4_096

/** What the fallback needs from the monitor. */
export interface IdentifyFallbackInit {
  events: TypedEventTarget<Pick<Libp2pEvents, 'connection:open'>>
  /** Whether the peer list knows the peer already. */
  isKnown: (peerId: string) => Promise<boolean>
  /** Records the contact (HealthMonitor.recordContact). */
  record: (peerId: string, seen: { addresses: string[], inbound: boolean }) => Promise<unknown>
  graceMs?: number
}

/** Follows up new connections whose peer identify did not record. */
export class IdentifyFallback {
  private readonly init: IdentifyFallbackInit
  private readonly graceMs: number
  private readonly pending = new Map<string, ReturnType<typeof setTimeout>>()

  constructor (init: IdentifyFallbackInit) {
    this.init = init
    this.graceMs = init.graceMs ?? IDENTIFY_GRACE_MS
  }

  start (): void {
    this.init.events.addEventListener('connection:open', this.onOpen)
  }

  stop (): void {
    this.init.events.removeEventListener('connection:open', this.onOpen)
    for (const timer of this.pending.values()) clearTimeout(timer)
    this.pending.clear()
  }

  /** Connections waited on now (for tests and bounds). */
  get size (): number {
    return this.pending.size
  }

  /** Identify completed on `connectionId`: it recorded the peer, so that connection is not followed up. */
  identified (connectionId: string): void {
    const timer = this.pending.get(connectionId)
    if (timer === undefined) return
    clearTimeout(timer)
    this.pending.delete(connectionId)
  }

  private readonly onOpen = (event: CustomEvent<Connection>): void => {
    const connection = event.detail
    if (this.pending.size >= IDENTIFY_PENDING_MAX || this.pending.has(connection.id)) return
    const timer = setTimeout(() => {
      this.pending.delete(connection.id)
      void this.followUp(connection)
    }, this.graceMs)
    timer.unref()
    this.pending.set(connection.id, timer)
  }

  private async followUp (connection: Connection): Promise<void> {
    if (connection.status !== 'open') return
    const peerId = connection.remotePeer.toString()
    if (await this.init.isKnown(peerId).catch(() => true)) return
    const inbound = connection.direction === 'inbound'
    const addresses = inbound ? [] : [connection.remoteAddr.decapsulateCode(PROTOCOL_P2P).toString()]
    await this.init.record(peerId, { addresses, inbound }).catch(() => undefined)
  }
}

/** The multiaddr code of `/p2p` (stripped: the peer list keeps addresses without the peer id). */
const PROTOCOL_P2P = 421
