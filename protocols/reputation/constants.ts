/** Defaults of the reputation core (SPEC.md §5); each is also a `reputation.*` setting. */

/** Offence codes, stable (events, metric labels, ban reasons). Same list as src/reputation/port.ts. */
export const OFFENCES = [
  'invalid_message', 'rate_limited', 'unserved_fetch', 'oversized', 'decompression_bomb', 'stream_storm', 'protocol_violation'
] as const

/** One offence code. */
export type OffenceCode = typeof OFFENCES[number]

/** Points each offence adds to the misbehaviour score. */
export const DEFAULT_WEIGHTS: Readonly<Record<OffenceCode, number>> = {
  invalid_message: 10,
  rate_limited: 5,
  unserved_fetch: 2,
  oversized: 25,
  decompression_bomb: 50,
  stream_storm: 25,
  protocol_violation: 10
}

/** The score halves every this many ms. */
export const DEFAULT_HALF_LIFE_MS = 10 * 60_000
/** At or above this score the peer's announcements and requests are ignored. */
export const DEFAULT_GRAYLIST_THRESHOLD = 30
/** At or above this score the peer's connections are closed (it may come back). */
export const DEFAULT_DISCONNECT_THRESHOLD = 60
/** At or above this score the peer is banned. */
export const DEFAULT_BAN_THRESHOLD = 100
/** The first ban's duration; the nth lasts base × 2^(n−1), at most DEFAULT_BAN_MAX_MS. */
export const DEFAULT_BAN_BASE_MS = 10 * 60_000
/** Longest ban the escalation reaches. */
export const DEFAULT_BAN_MAX_MS = 7 * 24 * 60 * 60_000
/** The repeat count drops by one for each such period without a new ban. */
export const DEFAULT_REPEAT_FORGET_MS = 7 * 24 * 60 * 60_000
/** Most peers tracked; beyond it the least recently penalised is forgotten. */
export const DEFAULT_MAX_TRACKED = 10_000
/** A decayed score below this, with no repeat count, is dropped from the table. */
export const NEGLIGIBLE_SCORE = 0.5
/** Scores within this many points below a threshold count as reaching it (core.ts `reaches`). */
export const THRESHOLD_TOLERANCE = 0.01
