/**
 * Per-peer, per-protocol token buckets (issue 19 item 1; docs/security.md "Per-peer limits"): the
 * libp2p service `limits`. Every protocol handler asks `allow(protocol, peer, cost)` before it acts
 * on a peer's message or stream. Over budget the caller drops the message (refuses the stream); the
 * refusal is counted by protocol (sorcha_peer_throttled_total) and, once per throttle episode, the
 * peer is reported to the reputation service (`rate_limited`, or `stream_storm` for streams).
 *
 * The buckets are protocols/common/token-bucket.ts (pure, time passed in); this adapter adds the
 * clock, the counters and the reports. Bounded: one LRU of `limits.maxPeers` peers per protocol.
 */
import type { Config } from '../config/index.ts'
import { PeerLimiter } from '../../protocols/common/token-bucket.ts'
import { logger, type Logger } from '../logging/index.ts'
import type { Offence } from '../reputation/port.ts'
import { penalise, type ReputationHolder } from '../reputation/index.ts'
import { optionalComponent } from '../node/optional-component.ts'

/** The limited protocols, as metric labels (stable). */
export const LIMITED_PROTOCOLS = [
  'tx_gossip_announce', 'tx_gossip_fetch', 'tx_gossip_anti_entropy', 'reconcile', 'peer_exchange', 'direct', 'streams'
] as const

/** One limited protocol. */
export type LimitedProtocol = typeof LIMITED_PROTOCOLS[number]

/** The `limits` configuration section. */
export type LimitsConfig = Config['limits']

const SETTING: Record<LimitedProtocol, Exclude<keyof LimitsConfig, 'maxPeers'>> = {
  tx_gossip_announce: 'gossipAnnounce',
  tx_gossip_fetch: 'gossipFetch',
  tx_gossip_anti_entropy: 'gossipAntiEntropy',
  reconcile: 'reconcile',
  peer_exchange: 'peerExchange',
  direct: 'direct',
  streams: 'streams'
}

/** Options of the limits service. */
export interface PeerLimitsInit {
  config: LimitsConfig
  /** Milliseconds on a non-decreasing clock. @default performance.now */
  now?: () => number
  /** @default logger('sorcha:limits') */
  log?: Logger
}

/** The info line logged once per throttle episode (with peer, protocol and offence). */
export const THROTTLE_MSG = 'throttling a peer that exceeds its per-peer limit'

/** Per-peer token buckets for every protocol this node serves. */
export class PeerLimits {
  private readonly limiters: Record<LimitedProtocol, PeerLimiter>
  private readonly components: ReputationHolder
  private readonly now: () => number
  private readonly log: Logger
  readonly [Symbol.toStringTag] = '@sorcha/limits'

  constructor (components: ReputationHolder, init: PeerLimitsInit) {
    this.components = components
    this.now = init.now ?? (() => performance.now())
    this.log = init.log ?? logger('sorcha:limits')
    const limiters: Partial<Record<LimitedProtocol, PeerLimiter>> = {}
    for (const protocol of LIMITED_PROTOCOLS) limiters[protocol] = new PeerLimiter(init.config[SETTING[protocol]], init.config.maxPeers)
    this.limiters = limiters as Record<LimitedProtocol, PeerLimiter>
  }

  /**
   * Takes `cost` tokens (messages, items, streams) from `peer`'s bucket for `protocol`; false if the
   * peer is over its budget (the caller drops or refuses what it sent).
   */
  allow (protocol: LimitedProtocol, peer: string, cost = 1): boolean {
    const verdict = this.limiters[protocol].take(peer, this.now(), cost)
    if (verdict === 'allow') return true
    if (verdict === 'throttle-first') {
      const offence: Offence = protocol === 'streams' ? 'stream_storm' : 'rate_limited'
      this.log.info({ peer, protocol, offence }, THROTTLE_MSG)
      penalise(this.components, peer, offence, protocol)
    }
    return false
  }

  /** Messages (or streams) refused so far, by protocol. */
  throttled (): Record<LimitedProtocol, number> {
    const out: Partial<Record<LimitedProtocol, number>> = {}
    for (const protocol of LIMITED_PROTOCOLS) out[protocol] = this.limiters[protocol].throttled
    return out as Record<LimitedProtocol, number>
  }
}

/** The libp2p service factory: `services: { limits: peerLimits({ config: config.limits }) }`. */
export function peerLimits (init: PeerLimitsInit): (components: ReputationHolder) => PeerLimits {
  return components => new PeerLimits(components, init)
}

/** Components that may hold the limits service. */
export interface LimitsComponents {
  limits?: PeerLimits
}

/** The limits service, if the node runs one (bare test nodes do not). */
export function limitsOf (components: LimitsComponents): PeerLimits | undefined {
  return optionalComponent<PeerLimits>(components, 'limits')
}
