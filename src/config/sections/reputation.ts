/** Reputation (protocols/reputation/SPEC.md, docs/security.md): misbehaviour scores, thresholds, escalating bans. */
import { z } from 'zod'
import { decimal, flag, integer } from '../fields.ts'
import { HOUR_MS, MINUTE_MS, SECOND_MS } from '../units.ts'

const DAY_MS = 24 * HOUR_MS

const weight = (fallback: number, offence: string): z.ZodDefault<z.ZodNumber> =>
  decimal(0, 1_000_000, fallback, `Score points one ${offence} offence adds (0: not penalised)`)

/** The `reputation.weights` section: points per offence. */
const weightsSection = z.strictObject({
  invalidMessage: weight(10, 'invalid_message (a rejected gossip message)'),
  rateLimited: weight(5, 'rate_limited (a per-peer limit ran dry)'),
  unservedFetch: weight(2, 'unserved_fetch (announced, then did not serve)'),
  oversized: weight(25, 'oversized (a payload or frame above the limit)'),
  decompressionBomb: weight(50, 'decompression_bomb (a body inflating past its limit)'),
  streamStorm: weight(25, 'stream_storm (streams opened faster than allowed)'),
  protocolViolation: weight(10, 'protocol_violation (anything else a decoder rejects)')
}).prefault({})

/** The `reputation` section of the configuration. */
export const reputationSection = z.strictObject({
  enabled: flag(true, 'Penalise misbehaving peers (graylist, disconnect, ban); false only counts offences'),
  halfLifeMs: integer(1 * SECOND_MS, 30 * DAY_MS, 10 * MINUTE_MS, 'A misbehaviour score halves over this long (only time lowers it, never a good ping)'),
  graylistThreshold: decimal(0.001, 1_000_000, 30, 'At this score a peer\'s announcements and requests are ignored'),
  disconnectThreshold: decimal(0.001, 1_000_000, 60, 'At this score a peer\'s connections are closed (it may reconnect)'),
  banThreshold: decimal(0.001, 1_000_000, 100, 'At this score a peer is banned'),
  banBaseMs: integer(1 * SECOND_MS, 365 * DAY_MS, 10 * MINUTE_MS, 'Duration of a peer\'s first ban; the nth lasts banBaseMs × 2^(n−1)'),
  banMaxMs: integer(1 * SECOND_MS, 10 * 365 * DAY_MS, 7 * DAY_MS, 'Longest ban the escalation reaches'),
  repeatForgetMs: integer(1 * MINUTE_MS, 10 * 365 * DAY_MS, 7 * DAY_MS, 'A peer\'s ban count drops by one for each such period without a new ban'),
  maxTracked: integer(16, 10_000_000, 10_000, 'Most peers whose score is tracked; beyond it the least recently penalised is forgotten'),
  weights: weightsSection
}).superRefine((r, ctx) => {
  if (r.graylistThreshold > r.disconnectThreshold) {
    ctx.addIssue({ code: 'custom', path: ['graylistThreshold'], message: 'must not exceed reputation.disconnectThreshold', params: { allowed: `a number no greater than reputation.disconnectThreshold (${r.disconnectThreshold})` } })
  }
  if (r.disconnectThreshold > r.banThreshold) {
    ctx.addIssue({ code: 'custom', path: ['disconnectThreshold'], message: 'must not exceed reputation.banThreshold', params: { allowed: `a number no greater than reputation.banThreshold (${r.banThreshold})` } })
  }
  if (r.banBaseMs > r.banMaxMs) {
    ctx.addIssue({ code: 'custom', path: ['banBaseMs'], message: 'must not exceed reputation.banMaxMs', params: { allowed: `an integer no greater than reputation.banMaxMs (${r.banMaxMs})` } })
  }
}).prefault({})
