/**
 * Firsthand outcomes (a ping or dial succeeded or failed, a dial started) and bans, as pure
 * transitions on a PeerNode (SPEC.md §3 and §5). Every function returns a new record; none mutates.
 */
import { MODEL_LIMITS, PeerStatus, type PeerNode } from '../models/index.ts'
import { LATENCY_EWMA_ALPHA, LATENCY_FLOOR_MS } from './constants.ts'
import { withScore } from './peer-score.ts'
import type { HealthRules } from './rules.ts'

/** True while the peer is banned at `now` (bannedUntilMs 0 = indefinitely). */
export function isBanActive (node: Pick<PeerNode, 'status' | 'bannedUntilMs'>, now: number): boolean {
  return node.status === PeerStatus.PEER_STATUS_BANNED && (node.bannedUntilMs === 0 || now < node.bannedUntilMs)
}

/** True when the record says banned but the ban has run out. */
export function isBanExpired (node: Pick<PeerNode, 'status' | 'bannedUntilMs'>, now: number): boolean {
  return node.status === PeerStatus.PEER_STATUS_BANNED && !isBanActive(node, now)
}

/** Moving average of RTT: the first sample is taken as is, later ones with weight alpha (0.3). */
export function nextLatency (previousMs: number, sampleMs: number): number {
  const sample = Math.max(LATENCY_FLOOR_MS, sampleMs)
  if (!(previousMs > 0)) return sample
  return LATENCY_EWMA_ALPHA * sample + (1 - LATENCY_EWMA_ALPHA) * previousMs
}

/** Clears the ban fields of a record whose ban has expired; the peer must be contacted anew. */
export function liftExpiredBan (node: PeerNode, now: number): PeerNode {
  if (!isBanExpired(node, now)) return node
  return withScore({ ...node, status: PeerStatus.PEER_STATUS_UNKNOWN, bannedUntilMs: 0, banReason: '', banCode: '' })
}

/**
 * The peer answered (ping, dial, or it connected to us): HEALTHY, failures reset, last seen = now,
 * latency averaged in when measured. An active ban is left untouched.
 */
export function applySuccess (node: PeerNode, result: { now: number, latencyMs?: number }): PeerNode {
  if (isBanActive(node, result.now)) return node
  const base = liftExpiredBan(node, result.now)
  return withScore({
    ...base,
    status: PeerStatus.PEER_STATUS_HEALTHY,
    consecutiveFailures: 0,
    lastSeenMs: Math.max(base.lastSeenMs, result.now, base.firstSeenMs),
    latencyMs: result.latencyMs === undefined || !Number.isFinite(result.latencyMs) ? base.latencyMs : nextLatency(base.latencyMs, result.latencyMs)
  })
}

/**
 * A check or dial failed: failures + 1; DEGRADED below `failureThreshold`, UNREACHABLE at it.
 * Last seen is unchanged (we did not see it). An active ban is left untouched.
 */
export function applyFailure (node: PeerNode, result: { now: number }, rules: Pick<HealthRules, 'failureThreshold'>): PeerNode {
  if (isBanActive(node, result.now)) return node
  const base = liftExpiredBan(node, result.now)
  const failures = base.consecutiveFailures + 1
  return withScore({
    ...base,
    consecutiveFailures: failures,
    status: failures >= rules.failureThreshold ? PeerStatus.PEER_STATUS_UNREACHABLE : PeerStatus.PEER_STATUS_DEGRADED
  })
}

/**
 * A dial is starting. Only a never-contacted peer (UNKNOWN) shows CONNECTING: a peer with a verdict
 * keeps it until the dial's outcome, so a crash mid-dial loses nothing.
 */
export function applyDialing (node: PeerNode, now: number): PeerNode {
  const base = liftExpiredBan(node, now)
  if (base.status !== PeerStatus.PEER_STATUS_UNKNOWN) return base
  return withScore({ ...base, status: PeerStatus.PEER_STATUS_CONNECTING })
}

/** A ban: why (free text), its reason code (an offence or `admin`), and for reputation bans the repeat count it escalated to. */
export interface BanInput {
  now: number
  reason: string
  durationMs?: number
  /** Reason code (protocols/reputation/SPEC.md): an offence, or `admin`. */
  code?: string
  /** Reputation bans: the repeat count this ban makes (kept after the ban ends). */
  count?: number
}

/** Bans the peer until now + durationMs (indefinitely without a duration). Failures and latency are kept. */
export function applyBan (node: PeerNode, ban: BanInput): PeerNode {
  const until = ban.durationMs === undefined ? 0 : ban.now + Math.max(1, Math.ceil(ban.durationMs))
  return withScore({
    ...node,
    status: PeerStatus.PEER_STATUS_BANNED,
    bannedUntilMs: until,
    banReason: ban.reason.slice(0, MODEL_LIMITS.maxBanReasonLength),
    banCode: (ban.code ?? '').slice(0, MODEL_LIMITS.maxBanReasonLength),
    ...(ban.count === undefined ? {} : { banCount: Math.max(0, Math.floor(ban.count)), lastBanMs: ban.now })
  })
}

/**
 * Lifts a ban (active or expired); the peer starts over as UNKNOWN. Not banned: unchanged. The repeat
 * count is kept (it escalates the next ban) unless `forget` (an operator's unban) clears it too.
 */
export function applyUnban (node: PeerNode, options: { forget?: boolean } = {}): PeerNode {
  if (node.status !== PeerStatus.PEER_STATUS_BANNED) return node
  return withScore({
    ...node,
    status: PeerStatus.PEER_STATUS_UNKNOWN,
    bannedUntilMs: 0,
    banReason: '',
    banCode: '',
    ...(options.forget === true ? { banCount: 0, lastBanMs: 0 } : {})
  })
}

/** Why a peer must leave the list now. */
export type RemovalReason = 'failures' | 'unseen'

/** When the peer was last seen, or first heard of if never seen. */
export function seenMs (node: Pick<PeerNode, 'lastSeenMs' | 'firstSeenMs'>): number {
  return node.lastSeenMs > 0 ? node.lastSeenMs : node.firstSeenMs
}

/**
 * Removal rule (SPEC.md §5): `removeAfterFailures` consecutive failures, or unseen for
 * `removeAfterUnseenMs` (counted from first hearing of it when never seen). Never while banned.
 * `watchingSinceMs` is when this node started watching (start, resume): time it spent offline does
 * not count as the peer being unseen, so a node restarted after a long pause keeps its list.
 */
export function removalReason (node: PeerNode, now: number, rules: HealthRules, watchingSinceMs = 0): RemovalReason | undefined {
  if (isBanActive(node, now)) return undefined
  if (node.consecutiveFailures >= rules.removeAfterFailures) return 'failures'
  if (now - Math.max(seenMs(node), watchingSinceMs) >= rules.removeAfterUnseenMs) return 'unseen'
  return undefined
}
