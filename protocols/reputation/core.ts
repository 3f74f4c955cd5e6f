/**
 * The reputation core (SPEC.md): a misbehaviour score per peer that offences raise and time decays
 * (never a good ping), thresholds that graylist, disconnect and ban, and ban durations that grow for
 * repeat offenders. Pure: time is an argument, state is bounded (an LRU of tracked peers).
 */
import {
  DEFAULT_BAN_BASE_MS, DEFAULT_BAN_MAX_MS, DEFAULT_BAN_THRESHOLD, DEFAULT_DISCONNECT_THRESHOLD, DEFAULT_GRAYLIST_THRESHOLD,
  DEFAULT_HALF_LIFE_MS, DEFAULT_MAX_TRACKED, DEFAULT_REPEAT_FORGET_MS, DEFAULT_WEIGHTS, NEGLIGIBLE_SCORE, THRESHOLD_TOLERANCE, type OffenceCode
} from './constants.ts'

/** The core's settings (all in ms or score points). */
export interface ReputationConfig {
  weights: Readonly<Record<OffenceCode, number>>
  halfLifeMs: number
  graylistThreshold: number
  disconnectThreshold: number
  banThreshold: number
  banBaseMs: number
  banMaxMs: number
  repeatForgetMs: number
  maxTracked: number
}

/** The defaults (constants.ts). */
export const DEFAULT_REPUTATION_CONFIG: Readonly<ReputationConfig> = Object.freeze({
  weights: DEFAULT_WEIGHTS,
  halfLifeMs: DEFAULT_HALF_LIFE_MS,
  graylistThreshold: DEFAULT_GRAYLIST_THRESHOLD,
  disconnectThreshold: DEFAULT_DISCONNECT_THRESHOLD,
  banThreshold: DEFAULT_BAN_THRESHOLD,
  banBaseMs: DEFAULT_BAN_BASE_MS,
  banMaxMs: DEFAULT_BAN_MAX_MS,
  repeatForgetMs: DEFAULT_REPEAT_FORGET_MS,
  maxTracked: DEFAULT_MAX_TRACKED
})

/** What the adapter must do after an offence (SPEC.md §3). */
export type ReputationAction =
  | { type: 'graylist', peer: string, offence: OffenceCode, score: number }
  | { type: 'disconnect', peer: string, offence: OffenceCode, score: number }
  | { type: 'ban', peer: string, offence: OffenceCode, score: number, durationMs: number, count: number }

/** One tracked peer. */
interface Entry {
  score: number
  /** When `score` was last brought up to date. */
  atMs: number
  /** Reputation bans so far (before forgetting), and when the last one was made. */
  bans: number
  lastBanMs: number
  /** End of the ban this core asked for (0: none). */
  bannedUntilMs: number
  graylisted: boolean
}

/** A peer's standing, for views and tests. */
export interface Standing {
  score: number
  graylisted: boolean
  /** Bans remembered at `now` (after forgetting). */
  bans: number
}

/**
 * True when `score` reaches `threshold`, within THRESHOLD_TOLERANCE: offences a few milliseconds
 * apart (the decay in between is a millionth of a point) add up as if simultaneous.
 */
export function reaches (score: number, threshold: number): boolean {
  return score >= threshold - THRESHOLD_TOLERANCE
}

/** `score` decayed from `fromMs` to `now` with the half-life (never grows; now before fromMs: unchanged). */
export function decayed (score: number, fromMs: number, now: number, halfLifeMs: number): number {
  if (now <= fromMs || score <= 0) return Math.max(0, score)
  return score * Math.pow(0.5, (now - fromMs) / halfLifeMs)
}

/** Bans still remembered at `now`: one forgotten per `forgetMs` since the last. */
export function rememberedBans (bans: number, lastBanMs: number, now: number, forgetMs: number): number {
  if (bans <= 0) return 0
  return Math.max(0, bans - Math.max(0, Math.floor((now - lastBanMs) / forgetMs)))
}

/** Duration of the nth ban (n ≥ 1): base × 2^(n−1), at most max. */
export function banDurationMs (n: number, baseMs: number, maxMs: number): number {
  const exponent = Math.min(Math.max(0, n - 1), 52)
  return Math.min(maxMs, baseMs * Math.pow(2, exponent))
}

/** The reputation table. */
export class ReputationCore {
  readonly config: Readonly<ReputationConfig>
  private readonly peers = new Map<string, Entry>()

  constructor (config: Partial<ReputationConfig> = {}) {
    this.config = Object.freeze({ ...DEFAULT_REPUTATION_CONFIG, ...config, weights: { ...DEFAULT_WEIGHTS, ...config.weights } })
  }

  /** Records an offence at `now`; returns the actions it calls for (SPEC.md §3). */
  penalise (peer: string, offence: OffenceCode, now: number): ReputationAction[] {
    const c = this.config
    const entry = this.touch(peer, now)
    entry.score += Math.max(0, c.weights[offence] ?? 0)
    const score = entry.score
    const actions: ReputationAction[] = []
    if (entry.bannedUntilMs > now) return actions
    if (reaches(score, c.graylistThreshold) && !entry.graylisted) {
      entry.graylisted = true
      actions.push({ type: 'graylist', peer, offence, score })
    }
    if (reaches(score, c.banThreshold)) {
      const count = rememberedBans(entry.bans, entry.lastBanMs, now, c.repeatForgetMs) + 1
      const durationMs = banDurationMs(count, c.banBaseMs, c.banMaxMs)
      entry.bans = count
      entry.lastBanMs = now
      entry.bannedUntilMs = now + durationMs
      actions.push({ type: 'ban', peer, offence, score, durationMs, count })
    } else if (reaches(score, c.disconnectThreshold)) {
      actions.push({ type: 'disconnect', peer, offence, score })
    }
    return actions
  }

  /** True while the peer's score is at or above the graylist threshold. */
  isGraylisted (peer: string, now: number): boolean {
    const entry = this.peers.get(peer)
    if (entry === undefined) return false
    const graylisted = reaches(decayed(entry.score, entry.atMs, now, this.config.halfLifeMs), this.config.graylistThreshold)
    if (!graylisted) entry.graylisted = false
    return graylisted
  }

  /** The peer's standing at `now` (zeros for an untracked peer). */
  standing (peer: string, now: number): Standing {
    const entry = this.peers.get(peer)
    if (entry === undefined) return { score: 0, graylisted: false, bans: 0 }
    const score = decayed(entry.score, entry.atMs, now, this.config.halfLifeMs)
    return { score, graylisted: reaches(score, this.config.graylistThreshold), bans: rememberedBans(entry.bans, entry.lastBanMs, now, this.config.repeatForgetMs) }
  }

  /** Restores a persisted repeat count (at start: the peer list keeps it across restarts). */
  restore (peer: string, ban: { count: number, lastBanMs: number, bannedUntilMs: number }, now: number): void {
    if (ban.count <= 0 && ban.bannedUntilMs <= now) return
    const entry = this.touch(peer, now)
    entry.bans = Math.max(entry.bans, ban.count)
    entry.lastBanMs = Math.max(entry.lastBanMs, ban.lastBanMs)
    entry.bannedUntilMs = Math.max(entry.bannedUntilMs, ban.bannedUntilMs)
  }

  /** An operator lifted the ban: the peer starts over (score and repeat count forgotten). */
  forgive (peer: string): void {
    this.peers.delete(peer)
  }

  /** Peers graylisted at `now` (a scan of at most maxTracked entries, for gauges). */
  graylistedCount (now: number): number {
    let n = 0
    for (const entry of this.peers.values()) if (reaches(decayed(entry.score, entry.atMs, now, this.config.halfLifeMs), this.config.graylistThreshold)) n++
    return n
  }

  /** Peers tracked (≤ maxTracked). */
  get size (): number {
    return this.peers.size
  }

  /** The entry, decayed to `now` and made most recent; evicts the least recent beyond maxTracked. */
  private touch (peer: string, now: number): Entry {
    const entry = this.peers.get(peer) ?? { score: 0, atMs: now, bans: 0, lastBanMs: 0, bannedUntilMs: 0, graylisted: false }
    entry.score = decayed(entry.score, entry.atMs, now, this.config.halfLifeMs)
    entry.atMs = Math.max(entry.atMs, now)
    if (entry.score < NEGLIGIBLE_SCORE) {
      entry.score = 0
      entry.graylisted = false
    } else if (!reaches(entry.score, this.config.graylistThreshold)) {
      entry.graylisted = false
    }
    this.peers.delete(peer)
    this.peers.set(peer, entry)
    while (this.peers.size > Math.max(1, this.config.maxTracked)) this.peers.delete(this.peers.keys().next().value as string)
    return entry
  }
}
