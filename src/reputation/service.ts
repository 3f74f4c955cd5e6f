/**
 * The reputation service (the `reputation` libp2p service, docs/security.md): every part that
 * detects misbehaviour reports it through penalise() (port.ts); the core (protocols/reputation)
 * decides, and this adapter acts: graylist (callers ask isGraylisted), close the peer's connections,
 * or ban it in the peer list with the offence as reason code and an escalating duration. The repeat
 * count is persisted in the peer's record and restored at start.
 */
import { serviceCapabilities, type PeerId, type Startable } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { PeerStatus, type PeerNode } from '../../protocols/models/index.ts'
import { OFFENCES, ReputationCore, type ReputationAction, type ReputationConfig, type Standing } from '../../protocols/reputation/index.ts'
import { noteDisconnectReason } from '../events/disconnect-reasons.ts'
import type { EventSink } from '../events/types.ts'
import { optionalComponent } from '../node/optional-component.ts'
import { logger, type Logger } from '../logging/index.ts'
import type { ReputationRecorder } from '../metrics/reputation.ts'
import type { PeerList } from '../peers/types.ts'
import type { Offence, ReputationPort } from './port.ts'

/** The capability the service provides (for serviceDependencies). */
export const REPUTATION_CAPABILITY = '@sorcha/reputation'

/** The disconnect reason noted when reputation closes a peer's connections without banning it. */
export const REPUTATION_DISCONNECT_REASON = 'reputation'

/** Options of the reputation service. */
export interface ReputationInit {
  /** Core settings (reputation.* configuration). @default the core's defaults */
  config?: Partial<ReputationConfig>
  /** False: offences are counted (metrics, debug log) but nothing is done to the peer. @default true */
  enabled?: boolean
  /** @default Date.now */
  clock?: () => number
  metrics?: ReputationRecorder
}

/** What the service uses; each may be absent (looked up by name; libp2p's getters throw for a missing one). */
export interface ReputationComponents {
  peerList?: Pick<PeerList, 'ban' | 'snapshot' | 'isBanned' | 'addEventListener' | 'removeEventListener'>
  connectionManager?: { closeConnections: (peer: PeerId) => Promise<void> }
  eventLog?: EventSink
}

const isOffence = (value: string): value is Offence => (OFFENCES as readonly string[]).includes(value)

/** The reputation service. */
export class ReputationService implements ReputationPort, Startable {
  readonly [Symbol.toStringTag] = '@sorcha/reputation'
  readonly [serviceCapabilities]: string[] = [REPUTATION_CAPABILITY]
  readonly core: ReputationCore
  private readonly components: ReputationComponents
  private readonly enabled: boolean
  private readonly clock: () => number
  private readonly metrics: ReputationRecorder | undefined
  private readonly log: Logger
  private readonly onUnbanned = (event: CustomEvent<PeerNode>): void => {
    // An operator's unban clears the record's repeat count (forget): the peer starts over here too.
    if (event.detail.banCount === 0) this.core.forgive(event.detail.peerId)
  }

  constructor (components: ReputationComponents, init: ReputationInit = {}) {
    this.components = components
    this.core = new ReputationCore(init.config)
    this.enabled = init.enabled ?? true
    this.clock = init.clock ?? Date.now
    this.metrics = init.metrics
    this.log = logger('sorcha:reputation')
  }

  /** Restores the persisted repeat counts and active bans from the peer list. */
  start (): void {
    const list = this.peerList()
    if (list === undefined) return
    const now = this.clock()
    for (const node of list.snapshot()) {
      const banned = node.status === PeerStatus.PEER_STATUS_BANNED && node.banCode !== 'admin'
      if (node.banCount > 0 || banned) {
        this.core.restore(node.peerId, { count: node.banCount, lastBanMs: node.lastBanMs, bannedUntilMs: banned ? (node.bannedUntilMs === 0 ? Number.MAX_SAFE_INTEGER : node.bannedUntilMs) : 0 }, now)
      }
    }
    list.addEventListener('peer:unbanned', this.onUnbanned)
  }

  stop (): void {
    this.peerList()?.removeEventListener('peer:unbanned', this.onUnbanned)
  }

  penalise (peerId: string, offence: Offence, detail?: string): void {
    try {
      const code = isOffence(offence) ? offence : 'protocol_violation'
      this.metrics?.offence(code)
      if (this.log.isLevelEnabled('debug')) this.log.debug({ peer: peerId, offence: code, detail }, 'peer offence')
      if (!this.enabled) return
      for (const action of this.core.penalise(peerId, code, this.clock())) this.apply(action, detail)
    } catch (err) {
      this.log.debug({ err, peer: peerId }, 'could not apply a penalty')
    }
  }

  isGraylisted (peerId: string): boolean {
    return this.enabled && this.core.isGraylisted(peerId, this.clock())
  }

  /** The peer's score, graylisting and remembered bans now. */
  standing (peerId: string): Standing {
    return this.core.standing(peerId, this.clock())
  }

  /** Peers graylisted now (gauge). */
  graylistedCount (): number {
    return this.enabled ? this.core.graylistedCount(this.clock()) : 0
  }

  /** Peers tracked (gauge). */
  trackedCount (): number {
    return this.core.size
  }

  private apply (action: ReputationAction, detail: string | undefined): void {
    const score = Math.round(action.score)
    const note = detail === undefined || detail === '' ? '' : ` (last: ${detail.slice(0, 64)})`
    switch (action.type) {
      case 'graylist':
        this.log.info({ peer: action.peer, offence: action.offence, score }, 'graylisting a misbehaving peer: its announcements and requests are ignored')
        optionalComponent<EventSink>(this.components, 'eventLog')?.emit('peer_graylisted', { peerId: action.peer, reason: action.offence, data: { score } })
        return
      case 'disconnect':
        this.log.info({ peer: action.peer, offence: action.offence, score }, 'disconnecting a misbehaving peer')
        this.metrics?.disconnected()
        this.hangUp(action.peer, REPUTATION_DISCONNECT_REASON)
        return
      case 'ban': {
        const list = this.peerList()
        const now = this.clock()
        this.log.info({ peer: action.peer, offence: action.offence, score, count: action.count, durationMs: action.durationMs, untilMs: now + action.durationMs }, 'banning a misbehaving peer')
        if (list === undefined) {
          this.hangUp(action.peer, REPUTATION_DISCONNECT_REASON)
          return
        }
        // The peer list closes the connections when the ban is made (reason `banned`).
        list.ban(action.peer, { now, reason: `${action.offence}: score ${score}${note}`, code: action.offence, count: action.count, durationMs: action.durationMs })
          .catch((err: unknown) => {
            this.log.warn({ err, peer: action.peer }, 'could not record a ban; closing the peer\'s connections instead')
            this.hangUp(action.peer, REPUTATION_DISCONNECT_REASON)
          })
      }
    }
  }

  private hangUp (peer: string, reason: string): void {
    const manager = optionalComponent<ReputationComponents['connectionManager']>(this.components, 'connectionManager')
    if (manager === undefined) return
    noteDisconnectReason(peer, reason)
    manager.closeConnections(peerIdFromString(peer)).catch(() => {})
  }

  private peerList (): ReputationComponents['peerList'] {
    return optionalComponent(this.components, 'peerList')
  }
}
