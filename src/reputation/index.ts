/**
 * Reputation (docs/security.md): the `reputation` service, its contribution to a node, and the port
 * every detector reports through (port.ts).
 */
import type { Config } from '../config/index.ts'
import type { ServiceContribution } from '../node/sorcha-node.ts'
import type { ReputationConfig } from '../../protocols/reputation/index.ts'
import { ReputationService, type ReputationComponents, type ReputationInit } from './service.ts'
import { OutboundProtection, type OutboundProtectionComponents } from '../peers/outbound-protection.ts'
import type { Offence, ReputationPort } from './port.ts'
import { optionalComponent } from '../node/optional-component.ts'

export type { Offence, ReputationPort } from './port.ts'
export { ReputationService, REPUTATION_CAPABILITY, REPUTATION_DISCONNECT_REASON, type ReputationComponents, type ReputationInit } from './service.ts'

/** The service's name among libp2p components: `components.reputation`. */
export const REPUTATION_SERVICE = 'reputation'

/** js-libp2p service factory: `services: { reputation: reputation(init) }`. */
export function reputation (init: ReputationInit = {}): (components: ReputationComponents) => ReputationService {
  return components => new ReputationService(components, init)
}

/** The core settings of a `reputation` configuration section. */
export function reputationConfigOf (config: Readonly<Config>): Partial<ReputationConfig> {
  const r = config.reputation
  const w = r.weights
  return {
    halfLifeMs: r.halfLifeMs,
    graylistThreshold: r.graylistThreshold,
    disconnectThreshold: r.disconnectThreshold,
    banThreshold: r.banThreshold,
    banBaseMs: r.banBaseMs,
    banMaxMs: r.banMaxMs,
    repeatForgetMs: r.repeatForgetMs,
    maxTracked: r.maxTracked,
    weights: {
      invalid_message: w.invalidMessage,
      rate_limited: w.rateLimited,
      unserved_fetch: w.unservedFetch,
      oversized: w.oversized,
      decompression_bomb: w.decompressionBomb,
      stream_storm: w.streamStorm,
      protocol_violation: w.protocolViolation
    }
  }
}

/** The outbound-protection service's name (eclipse defence, src/peers/outbound-protection.ts). */
export const OUTBOUND_PROTECTION_SERVICE = 'outboundProtection'

/**
 * Adds the reputation service to a node, configured by its `reputation` section, and the
 * protection of a share of outbound connections from pruning (`connections.protectedOutboundShare`).
 */
export const reputationContribution: ServiceContribution = ({ config, metrics }) => ({
  [REPUTATION_SERVICE]: reputation({
    config: reputationConfigOf(config),
    enabled: config.reputation.enabled,
    ...(metrics === undefined ? {} : { metrics: metrics.reputation })
  }),
  [OUTBOUND_PROTECTION_SERVICE]: (components: OutboundProtectionComponents) => new OutboundProtection(components, {
    maxProtected: Math.floor(config.connections.protectedOutboundShare * config.connections.max)
  })
})

/**
 * The reputation port among libp2p components, or undefined when the node runs none (libp2p's
 * components throw for a missing service).
 */
export function reputationOf (components: object): ReputationPort | undefined {
  const port = optionalComponent<ReputationPort>(components, REPUTATION_SERVICE)
  return typeof port?.penalise === 'function' ? port : undefined
}

/** Components of a service that reports offences: the reputation service, when the node runs one. */
export interface ReputationHolder {
  reputation?: ReputationPort
}

/** Reports an offence if the node runs a reputation service; never throws. */
export function penalise (components: object, peerId: string, offence: Offence, detail?: string): void {
  try {
    reputationOf(components)?.penalise(peerId, offence, detail)
  } catch {
    // The port promises not to throw; a broken one must not break the protocol that reports.
  }
}

/** True while the node's reputation service graylists `peerId` (its requests are ignored); false without one. */
export function isGraylisted (components: object, peerId: string): boolean {
  try {
    return reputationOf(components)?.isGraylisted(peerId) === true
  } catch {
    return false
  }
}

/**
 * The offence that a failed read of one length-prefixed message from a peer (@libp2p/utils lpStream)
 * is: a length over the limit is `oversized`, a malformed length prefix a `protocol_violation`. The
 * stream ending, being reset or its connection closing is none: a peer that crashed or went away
 * mid-message is not misbehaving (the per-peer stream limit bounds how often it can happen), and a
 * crash-looping peer must not end up graylisted by the nodes it comes back to.
 */
export function offenceOfReadError (err: unknown): 'oversized' | 'protocol_violation' | undefined {
  if (!(err instanceof Error)) return undefined
  if (/^Invalid(MessageLength|DataLengthLength)Error$/.test(err.name)) return 'protocol_violation'
  if (err.name === 'InvalidDataLengthError') return 'oversized'
  return undefined
}

/**
 * Reads and decodes one length-prefixed message from `peer`. A malformed or oversized message is an
 * offence, reported as `what` (read) or `what: undecodable` (decode), and gives undefined; a stream
 * that ended, was reset or timed out is none, and its error is thrown.
 */
export async function readPeerMessage<T> (components: object, peer: string, lp: { read: (options: { signal: AbortSignal }) => Promise<{ subarray: () => Uint8Array }> }, signal: AbortSignal, decode: (bytes: Uint8Array) => T, what: string): Promise<T | undefined> {
  let bytes: Uint8Array
  try {
    bytes = (await lp.read({ signal })).subarray()
  } catch (err) {
    const offence = offenceOfReadError(err)
    if (offence === undefined) throw err
    penalise(components, peer, offence, what)
    return undefined
  }
  try {
    return decode(bytes)
  } catch {
    penalise(components, peer, 'protocol_violation', `${what}: undecodable`)
    return undefined
  }
}
