/**
 * Checks of a peer's reconcile message against the session it belongs to (SPEC.md §9.7): anything
 * an honest peer never sends comes back as the verdict code to reject it with. Pure and bounded: the
 * work is linear in the message, which the frame size bounds.
 */
import type { Bound, Range, ReconcileConfig, ReconcileVerdictCode, SessionOpen } from './types.ts'

const HEX_ID = /^[0-9a-f]{64}$/
const HEX_PREFIX = /^(?:[0-9a-f]{2}){0,32}$/
const HEX_FINGERPRINT = /^[0-9a-f]{16}$/
const SCOPE = /^(?:\*|[A-Za-z0-9][A-Za-z0-9._:-]{0,127})$/

const isCount = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0
/** True for an unsigned 32-bit integer. */
export const isWord = (n: unknown): boolean => isCount(n) && n <= 0xffffffff
const isObject = <T>(x: T): x is T & object => typeof x === 'object' && x !== null

/** Orders two bounds (prefixes compared as if padded with zeros to 64 hex digits). */
export function compareBounds (a: Bound, b: Bound): number {
  if (a.ts !== b.ts) return a.ts < b.ts ? -1 : 1
  const x = a.prefix.padEnd(64, '0')
  const y = b.prefix.padEnd(64, '0')
  return x < y ? -1 : x > y ? 1 : 0
}

/** The code to reject a session opening with, or undefined if it is well formed. */
export function checkOpen (open: SessionOpen): ReconcileVerdictCode | undefined {
  if (!isObject(open)) return 'bad-open'
  const { scope, since, until, key } = open
  if (typeof scope !== 'string' || !SCOPE.test(scope)) return 'bad-open'
  if (!isCount(since) || !isCount(until) || since >= until) return 'bad-open'
  if (!Array.isArray(key) || key.length !== 4 || !key.every(isWord)) return 'bad-open'
  return undefined
}

function checkBound (bound: Bound | undefined, previous: Bound, until: Bound): boolean {
  if (!isObject(bound) || !isCount(bound.ts) || typeof bound.prefix !== 'string' || !HEX_PREFIX.test(bound.prefix)) return false
  return compareBounds(bound, previous) > 0 && compareBounds(bound, until) < 0
}

function checkRange (range: Range): ReconcileVerdictCode | undefined {
  switch (range.mode) {
    case 'skip': return undefined
    case 'fingerprint':
      return isCount(range.count) && typeof range.fingerprint === 'string' && HEX_FINGERPRINT.test(range.fingerprint) ? undefined : 'bad-fingerprint'
    case 'ids':
    case 'have':
      if (!Array.isArray(range.items)) return 'bad-item'
      for (const item of range.items) if (!isObject(item) || typeof item.id !== 'string' || !HEX_ID.test(item.id) || !isCount(item.size)) return 'bad-item'
      return undefined
    default: return 'bad-ranges'
  }
}

/**
 * The code to reject `ranges` with, or undefined: 1..maxRangesPerMessage contiguous ranges over
 * [since, until) with strictly increasing bounds (the last one has none), at most
 * maxItemsPerMessage items in all, each well formed.
 */
export function checkRanges (ranges: readonly Range[], since: number, until: number, config: Readonly<ReconcileConfig>): ReconcileVerdictCode | undefined {
  if (!Array.isArray(ranges) || ranges.length === 0) return 'bad-ranges'
  if (ranges.length > config.maxRangesPerMessage) return 'too-many-ranges'
  const end: Bound = { ts: until, prefix: '' }
  let previous: Bound = { ts: since, prefix: '' }
  let items = 0
  for (let i = 0; i < ranges.length; i++) {
    const range = ranges[i]!
    if (!isObject(range)) return 'bad-ranges'
    if (i === ranges.length - 1) {
      if (range.upper !== undefined) return 'bad-ranges'
    } else {
      if (!checkBound(range.upper, previous, end)) return 'bad-ranges'
      previous = range.upper!
    }
    if (range.mode === 'ids' || range.mode === 'have') {
      items += Array.isArray(range.items) ? range.items.length : 0
      if (items > config.maxItemsPerMessage) return 'too-many-items'
    }
    const bad = checkRange(range)
    if (bad !== undefined) return bad
  }
  return undefined
}
