/**
 * Advertises the registers this node serves (protocols/topology/SPEC.md §8, §9): its peer record
 * (registers, roles) rides on every peer exchange; a new outbound connection and every change of the
 * served set (follow/unfollow: admin call, configuration reload) send it to the peers at once, and
 * the DHT's provider records follow the set.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import type { IdentifyResult, Libp2pEvents, PeerId } from '@libp2p/interface'
import type { ConnectionManager } from '@libp2p/interface-internal'
import type { KadDHT } from '@libp2p/kad-dht'
import type { TypedEventTarget } from 'main-event'
import { PeerRole, type PeerCapabilities } from '../../protocols/models/index.ts'
import type { Logger } from '../logging/index.ts'
import { optionalComponent } from '../node/optional-component.ts'
import { PEER_EXCHANGE_PROTOCOL, type PeerExchange } from './peer-exchange.ts'
import { RegisterProviders } from './register-providers.ts'
import { withTimeout } from './topology-helpers.ts'

/** What the advertiser reads of the gossip service (src/gossip TxDistributor); `relaysAll` may be absent. */
export interface ServedRegistersSource extends EventTarget {
  registers: () => string[]
  relaysAll?: () => boolean
}

/** What the advertiser uses from libp2p. */
export interface AdvertiserComponents {
  peerId: PeerId
  connectionManager: ConnectionManager
  events: TypedEventTarget<Libp2pEvents>
}

/** A change is advertised this long after it, so that a burst of follow/unfollow calls sends one record. */
const CHANGE_SETTLE_MS = 100
/** Advertisements in flight at once after a change. */
const ADVERT_CONCURRENCY = 8
/** One advertisement gives up after this long. */
const ADVERT_TIMEOUT_MS = 10_000
/**
 * A failed advertisement is tried again while the peer stays connected, after 0.5 s, 1 s, 2 s and so
 * on, then every 30 s: a peer that missed a change would otherwise keep the old record until the next
 * exchange, which a well-connected node may not make for a long time.
 */
const ADVERT_RETRY_DELAY_MS = 500
const ADVERT_RETRY_MAX_DELAY_MS = 30_000

/** This node's own record: what it serves and whether it relays, with its version `seq`; undefined when it runs no gossip service. */
export function ownRecord (gossip: ServedRegistersSource | undefined, seq = 0): PeerCapabilities | undefined {
  if (gossip === undefined) return undefined
  const registers = gossip.registers()
  const relay = typeof gossip.relaysAll === 'function' ? gossip.relaysAll() : false
  return { protocols: [], registers, allRegisters: registers.length === 0, roles: relay ? [PeerRole.PEER_ROLE_RELAY] : [], maxTransactionBytes: 0, recordSeq: seq }
}

/** Sends this node's record to its peers when it connects and when the record changes. */
export class RegisterAdvertiser {
  private readonly components: AdvertiserComponents
  private readonly exchange: () => PeerExchange | undefined
  private readonly log: Logger
  readonly providers: RegisterProviders
  private controller: AbortController | undefined
  private gossip: ServedRegistersSource | undefined
  private settle: ReturnType<typeof setTimeout> | undefined
  /** The record's version (SPEC §8): the time of the last change, kept increasing within the process. */
  private seq = Date.now()

  private readonly onServedChange: () => void

  /** `onServedChange` runs after each change of the served set has been handled (the topology re-evaluates). */
  constructor (components: AdvertiserComponents, exchange: () => PeerExchange | undefined, log: Logger, onServedChange: () => void = () => {}) {
    this.components = components
    this.exchange = exchange
    this.log = log
    this.onServedChange = onServedChange
    this.providers = new RegisterProviders(() => optionalComponent<KadDHT>(components, 'dht'), components.peerId, log)
  }

  /** The record to send, read afresh each time. */
  record (): PeerCapabilities | undefined {
    return ownRecord(this.gossip ?? optionalComponent<ServedRegistersSource>(this.components, 'gossip'), this.seq)
  }

  private readonly onIdentify = (event: CustomEvent<IdentifyResult>): void => {
    // One advertisement per connection: the dialler sends its record and gets the other's in the answer.
    const { connection, protocols } = event.detail
    if (connection.direction !== 'outbound' || !protocols.includes(PEER_EXCHANGE_PROTOCOL)) return
    void this.advertise(connection.remotePeer)
  }

  private readonly onChanged = (): void => {
    // At once, not after the settling delay: a record read from now on says the new set.
    this.seq = Math.max(this.seq + 1, Date.now())
    clearTimeout(this.settle)
    this.settle = setTimeout(() => { void this.changed() }, CHANGE_SETTLE_MS)
  }

  /** Starts listening (after every service has started, so that the gossip service exists). */
  start (): void {
    if (this.controller !== undefined) return
    this.controller = new AbortController()
    this.gossip = optionalComponent<ServedRegistersSource>(this.components, 'gossip')
    this.gossip?.addEventListener('registers:changed', this.onChanged)
    this.components.events.addEventListener('peer:identify', this.onIdentify)
    this.syncProviders()
  }

  stop (): void {
    if (this.controller === undefined) return
    this.controller.abort()
    this.controller = undefined
    clearTimeout(this.settle)
    this.gossip?.removeEventListener('registers:changed', this.onChanged)
    this.components.events.removeEventListener('peer:identify', this.onIdentify)
    this.providers.clear()
  }

  private syncProviders (): void {
    const record = this.record()
    if (this.controller === undefined || record === undefined) return
    this.providers.sync(record.registers, { signal: this.controller.signal })
  }

  /** The served set changed: provider records follow it, and every connected peer hears the new record. */
  private async changed (): Promise<void> {
    this.syncProviders()
    this.onServedChange()
    const peers = [...new Map(this.components.connectionManager.getConnections().map(c => [c.remotePeer.toString(), c.remotePeer])).values()]
    this.log.debug({ peers: peers.length, registers: this.record()?.registers }, 'served registers changed: advertising')
    for (let i = 0; i < peers.length; i += ADVERT_CONCURRENCY) {
      await Promise.all(peers.slice(i, i + ADVERT_CONCURRENCY).map(async peer => this.advertise(peer)))
    }
  }

  /** Sends our record to a peer; a failure (a refused stream, a peer over its exchange budget) is retried while it stays connected. */
  private async advertise (peer: PeerId): Promise<void> {
    const seq = this.seq
    const stop = this.controller?.signal
    for (let attempt = 0; stop !== undefined; attempt++) {
      const delay = Math.min(ADVERT_RETRY_MAX_DELAY_MS, ADVERT_RETRY_DELAY_MS * 2 ** Math.min(attempt - 1, 16))
      if (attempt > 0 && !await sleep(delay, true, { signal: stop }).catch(() => false)) return
      // Given up when the peer leaves, or when a newer change has its own advertisement under way.
      if (stop.aborted || seq !== this.seq || this.components.connectionManager.getConnections(peer).length === 0) return
      if (await this.advertiseOnce(peer)) return
    }
  }

  private async advertiseOnce (peer: PeerId): Promise<boolean> {
    const exchange = this.exchange()
    const stop = this.controller?.signal
    if (exchange === undefined || stop === undefined || stop.aborted) return true
    try {
      await withTimeout(stop, ADVERT_TIMEOUT_MS, async signal => { await exchange.advertise(peer, { signal }) })
      return true
    } catch (err) {
      this.log.debug({ peer: peer.toString(), err: (err as Error).message }, 'advertising the peer record failed')
      return false
    }
  }
}
