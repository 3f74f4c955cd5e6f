/**
 * The store's age index (tx-store.ts): its `t:` entries, in the order transactions were stored, for
 * eviction, retention, `newest()` and reconciliation's order index.
 *
 * Two value formats, told apart by the first byte:
 * - one transaction per entry (every store before 2026-12-07, and what a single write still writes):
 *     t:<stored at, 15 digits>:<id>  ->  "<payload bytes>:<hops>:<timestampMs>:<register id>"
 *   (entries written before registers were recorded hold only "<payload bytes>:<hops>"; the rest is
 *   read from the `b:` record);
 * - one entry per write batch (a batch of received transactions, or the outbound queue's group commit):
 *     t:<stored at, 15 digits>:<id of the batch's first>  ->  "+" then, per transaction in the
 *     batch's order, "<id>:<payload bytes>:<hops>:<timestampMs>:<register id>", separated by "\n"
 *   (register ids hold no "\n"). The transactions of one batch share its storedAtMs, so the key
 *   orders them as one.
 * A batch entry costs one LevelDB put per batch instead of one per transaction (the record and the
 * journal entry remain one each). Eviction rewrites a batch entry with the transactions it keeps.
 * Decoding never throws: a damaged value yields what parses, sizes 0 where a size does not (found by
 * fuzzing the single format: a NaN size made the store's byte count NaN, after which it never evicted).
 */

/** One transaction of the age index. */
export interface AgeItem {
  id: string
  size: number
  hops: number
  /** Absent in single entries written before the order fields existed (read them from the record). */
  timestampMs?: number
  registerId?: string
}

const TIME_DIGITS = 15
/** Length of "t:<time>:". */
const KEY_HEAD = 2 + TIME_DIGITS + 1
/** First byte of a batch entry's value ("+"); a single entry's starts with a digit. */
const BATCH_MARK = 0x2b
const encoder = new TextEncoder()
const decoder = new TextDecoder()

/** The `t:` key of an entry stored at `at` whose (first) transaction is `id`. */
export const ageKey = (at: number, id: string): string => `t:${String(at).padStart(TIME_DIGITS, '0')}:${id}`

/** The time of a `t:` key (ms since the epoch). */
export const ageKeyTime = (key: string): number => Number(key.slice(2, 2 + TIME_DIGITS))

/** A non-negative safe integer, or 0. */
function count (text: string | undefined): number {
  const n = Number(text)
  return Number.isSafeInteger(n) && n >= 0 ? n : 0
}

/**
 * The value of an entry holding `items`: the single format for one transaction unless `batch`, the
 * batch format otherwise (a rewritten entry is always a batch: its key may name a transaction gone).
 */
export function encodeAgeEntry (items: readonly AgeItem[], batch = items.length !== 1): Uint8Array {
  if (!batch) {
    const { size, hops, timestampMs, registerId } = items[0] as AgeItem
    return encoder.encode(`${size}:${hops}:${timestampMs ?? 0}:${registerId ?? ''}`)
  }
  let text = '+'
  for (let i = 0; i < items.length; i++) {
    const { id, size, hops, timestampMs, registerId } = items[i] as AgeItem
    text += `${i === 0 ? '' : '\n'}${id}:${size}:${hops}:${timestampMs ?? 0}:${registerId ?? ''}`
  }
  return encoder.encode(text)
}

/** True if `value` is in the batch format. */
export const isBatchEntry = (value: Uint8Array): boolean => value[0] === BATCH_MARK

/** The transactions of a `t:` entry, in stored order; never throws. */
export function decodeAgeEntry (key: string, value: Uint8Array): AgeItem[] {
  const text = decoder.decode(value)
  if (!isBatchEntry(value)) {
    const fields = text.split(':')
    const item: AgeItem = { id: key.slice(KEY_HEAD), size: count(fields[0]), hops: count(fields[1]) }
    if (fields.length >= 4) {
      item.timestampMs = count(fields[2])
      item.registerId = fields.slice(3).join(':')
    }
    return [item]
  }
  const items: AgeItem[] = []
  for (const line of text.slice(1).split('\n')) {
    const fields = line.split(':')
    if (fields.length < 5 || fields[0] === '') continue
    items.push({ id: fields[0] as string, size: count(fields[1]), hops: count(fields[2]), timestampMs: count(fields[3]), registerId: fields.slice(4).join(':') })
  }
  return items
}

/** The payload bytes a `t:` entry accounts for (all its transactions); never throws, never NaN. */
export function metaSize (value: Uint8Array, key = ''): number {
  let bytes = 0
  for (const item of decodeAgeEntry(key, value)) bytes += item.size
  return bytes
}
