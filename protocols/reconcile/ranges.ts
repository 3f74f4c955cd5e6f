/**
 * One step of range-based set reconciliation (SPEC.md §9.3-9.5; Meyer, "Range-Based Set
 * Reconciliation", 2023): given the ranges a peer sent, compare each with this node's items in the
 * same range and answer: equal fingerprints are done (skip), small ranges go as id lists, other
 * differing ranges are split into `buckets` fingerprinted sub-ranges; an id list is answered with
 * the items the peer lacks (have). Everything the node learns it lacks becomes a need. The answer is
 * bounded (ranges, items): once full, the rest of the space is sent as one fingerprint, which the
 * peer splits again next round.
 */
import type { SortedItems } from './item-index.ts'
import { siphash24, type SipKey } from './siphash.ts'
import type { Bound, Range, ReconcileConfig, ReconcileItem, TxKey } from './types.ts'

/** What a step produced. */
export interface StepResult {
  ranges: Range[]
  /** True if the answer asks nothing of the peer (no fingerprint or ids range): the session ends with it. */
  final: boolean
  /** Items the peer holds and this node lacks. */
  needs: ReconcileItem[]
  /** How many of the needs lie in ranges that start before `settledBefore` (older than push gossip's flight time). */
  settledNeeds: number
  /** Items offered to the peer in have ranges. */
  haves: number
  /** Item hashes computed. */
  hashes: number
}

/** A session's view for one step. */
export interface StepContext {
  items: SortedItems
  key: SipKey
  since: number
  until: number
  config: Readonly<ReconcileConfig>
  /** True if this node holds `id`. */
  holds: (id: TxKey) => boolean
  /** Needs in ranges starting at or after this timestamp may still be in flight by push (see settledNeeds). */
  settledBefore: number
}

const hash: [number, number] = [0, 0]

/** The fingerprint of items [lo, hi): the sum mod 2^64 of their SipHash-2-4 under `key`, as 16 hex digits. */
export function fingerprint (items: SortedItems, lo: number, hi: number, key: SipKey): string {
  let sumHi = 0
  let sumLo = 0
  for (let i = lo; i < hi; i++) {
    siphash24(key, items.ids[i]!, hash)
    const low = sumLo + hash[1]
    sumHi = (sumHi + hash[0] + (low > 0xffffffff ? 1 : 0)) >>> 0
    sumLo = low >>> 0
  }
  return sumHi.toString(16).padStart(8, '0') + sumLo.toString(16).padStart(8, '0')
}

/**
 * The shortest bound between item i-1 and item i: item i's timestamp alone if the timestamps
 * differ, else the shortest whole-byte prefix of item i's id that is above item i-1's id.
 */
export function separator (items: SortedItems, i: number): Bound {
  const ts = items.ts[i]!
  const id = items.ids[i]!
  if (i === 0 || items.ts[i - 1]! < ts) return { ts, prefix: '' }
  const before = items.ids[i - 1]!
  let common = 0
  while (common < id.length && before.charCodeAt(common) === id.charCodeAt(common)) common++
  return { ts, prefix: id.slice(0, (Math.floor(common / 2) + 1) * 2) }
}

/** The answer being built, within the message bounds. */
class Answer {
  readonly ranges: Range[] = []
  items = 0
  closed = false
  hashes = 0
  haves = 0
  private readonly ctx: StepContext

  constructor (ctx: StepContext) {
    this.ctx = ctx
  }

  /** True if `ranges` more ranges and `items` more items fit, keeping one range for the remainder. */
  fits (ranges: number, items: number): boolean {
    const { maxRangesPerMessage, maxItemsPerMessage } = this.ctx.config
    return this.ranges.length + ranges + 1 <= maxRangesPerMessage && this.items + items <= maxItemsPerMessage
  }

  skip (upper: Bound): void {
    const last = this.ranges.at(-1)
    if (last?.mode === 'skip') last.upper = upper
    else this.ranges.push({ mode: 'skip', upper })
  }

  list (mode: 'ids' | 'have', upper: Bound, indices: Iterable<number>): void {
    const { ids, sizes } = this.ctx.items
    const items: ReconcileItem[] = []
    for (const i of indices) items.push({ id: ids[i]!, size: sizes[i]! })
    this.items += items.length
    if (mode === 'have') this.haves += items.length
    this.ranges.push({ mode, upper, items })
  }

  fingerprint (upper: Bound, lo: number, hi: number): void {
    this.hashes += hi - lo
    this.ranges.push({ mode: 'fingerprint', upper, count: hi - lo, fingerprint: fingerprint(this.ctx.items, lo, hi, this.ctx.key) })
  }

  /** Items [lo, hi) of a differing range ending at `upper`: as an id list if few, else split in buckets. */
  differ (upper: Bound, lo: number, hi: number): void {
    const count = hi - lo
    const { buckets, idListThreshold } = this.ctx.config
    if (count <= idListThreshold) return this.list('ids', upper, range(lo, hi))
    let start = lo
    for (let k = 1; k <= buckets; k++) {
      const end = k === buckets ? hi : lo + Math.floor(k * count / buckets)
      if (end === start) continue
      this.fingerprint(k === buckets ? upper : separator(this.ctx.items, end), start, end)
      start = end
    }
  }

  /** No more room: the rest of the space, from `lower`, goes as one fingerprint. */
  close (lower: Bound): void {
    const { items, until } = this.ctx
    this.fingerprint({ ts: until, prefix: '' }, items.lowerIndex(lower), items.lowerIndex({ ts: until, prefix: '' }))
    this.closed = true
  }

  result (needs: ReconcileItem[], settledNeeds = 0): StepResult {
    const last = this.ranges.at(-1)
    if (last !== undefined) delete last.upper
    const final = this.ranges.every(r => r.mode === 'skip' || r.mode === 'have')
    return { ranges: this.ranges, final, needs, settledNeeds, haves: this.haves, hashes: this.hashes }
  }
}

function * range (lo: number, hi: number): Generator<number> {
  for (let i = lo; i < hi; i++) yield i
}

/**
 * The first message of a session: this node's items in [since, until), split or listed, with a
 * bound at settledBefore so that no range straddles it (needs are then settled or not by range).
 */
export function openingRanges (ctx: StepContext): StepResult {
  const answer = new Answer(ctx)
  const { items, since, until, settledBefore } = ctx
  const lo = items.lowerIndex({ ts: since, prefix: '' })
  const hi = items.lowerIndex({ ts: until, prefix: '' })
  if (settledBefore > since && settledBefore < until) {
    const settled = { ts: settledBefore, prefix: '' }
    const mid = items.lowerIndex(settled)
    answer.differ(settled, lo, mid)
    answer.differ({ ts: until, prefix: '' }, mid, hi)
  } else {
    answer.differ({ ts: until, prefix: '' }, lo, hi)
  }
  return answer.result([])
}

/** An id list from the peer: learn what this node lacks, answer with what the peer lacks. */
function onIds (answer: Answer, ctx: StepContext, theirs: readonly ReconcileItem[], lower: Bound, upper: Bound, lo: number, hi: number, needs: ReconcileItem[]): void {
  for (const item of theirs) if (!ctx.holds(item.id)) needs.push(item)
  if (answer.closed) return
  const known = new Set<TxKey>()
  for (const item of theirs) known.add(item.id)
  const haves: number[] = []
  for (let i = lo; i < hi; i++) if (!known.has(ctx.items.ids[i]!)) haves.push(i)
  if (haves.length === 0) return answer.skip(upper)
  if (answer.fits(1, haves.length)) return answer.list('have', upper, haves)
  const room = Math.min(haves.length, ctx.config.maxItemsPerMessage - answer.items)
  if (room < 1 || !answer.fits(1, 1)) return answer.close(lower)
  // Offer the first `room` items, up to a bound just after the last of them; the rest goes in the
  // remainder fingerprint, which brings the peer's id list back next round.
  const cut = separator(ctx.items, haves[room - 1]! + 1)
  answer.list('have', cut, haves.slice(0, room))
  answer.close(cut)
}

/** This node's answer to the peer's ranges (validated: see validate.ts). */
export function answerRanges (ctx: StepContext, ranges: readonly Range[]): StepResult {
  const answer = new Answer(ctx)
  const { items, config } = ctx
  const needs: ReconcileItem[] = []
  let settledNeeds = 0
  let lower: Bound = { ts: ctx.since, prefix: '' }
  let lo = items.lowerIndex(lower)
  for (const r of ranges) {
    const upper = r.upper ?? { ts: ctx.until, prefix: '' }
    const hi = items.lowerIndex(upper)
    const before = needs.length
    switch (r.mode) {
      case 'skip':
        if (!answer.closed) answer.skip(upper)
        break
      case 'have':
        for (const item of r.items) if (!ctx.holds(item.id)) needs.push(item)
        if (!answer.closed) answer.skip(upper)
        break
      case 'ids':
        onIds(answer, ctx, r.items, lower, upper, lo, hi, needs)
        break
      case 'fingerprint': {
        if (answer.closed) break
        const count = hi - lo
        if (count === r.count) {
          answer.hashes += count
          if (fingerprint(items, lo, hi, ctx.key) === r.fingerprint) { answer.skip(upper); break }
        }
        const cost = count <= config.idListThreshold ? [1, count] : [config.buckets, 0]
        if (answer.fits(cost[0]!, cost[1]!)) answer.differ(upper, lo, hi)
        else answer.close(lower)
        break
      }
    }
    if (lower.ts < ctx.settledBefore) settledNeeds += needs.length - before
    lower = upper
    lo = hi
  }
  return answer.result(needs, settledNeeds)
}
