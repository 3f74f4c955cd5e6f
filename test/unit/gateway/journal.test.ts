import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { SubscriptionItem, TransactionMeta } from '../../../src/gateway/backend.ts'
import { isCursor, TransactionJournal } from '../../../src/gateway/journal.ts'
import { MemoryJournal } from '../../../src/gateway/journal-source.ts'

const meta = (n: number, registerId = 'r1'): TransactionMeta => ({
  txId: n.toString(16).padStart(64, '0'), registerId, sender: 's', timestampMs: n, sizeBytes: 1, contentType: 'a/b', hopCount: 0
})

async function take (iterable: AsyncIterable<SubscriptionItem>, n: number, between?: (item: SubscriptionItem) => void): Promise<SubscriptionItem[]> {
  const out: SubscriptionItem[] = []
  if (n === 0) return out
  for await (const item of iterable) {
    out.push(item)
    between?.(item)
    if (out.length >= n) break
  }
  return out
}

const numbers = (items: SubscriptionItem[]): number[] => items.map(i => Number.parseInt(i.event.meta.txId, 16))
const tick = async (): Promise<void> => { await new Promise(resolve => setImmediate(resolve)) }

function setup (maxEntries = 10_000, init: { subscriberQueueMax?: number, follows?: (r: string) => boolean } = {}): { source: MemoryJournal, journal: TransactionJournal } {
  const source = new MemoryJournal(maxEntries)
  return { source, journal: new TransactionJournal({ source, ...init }) }
}

describe('transaction journal', () => {
  it('delivers live events in order with cursors it recognises', async () => {
    const { source, journal } = setup()
    const sub = journal.subscribe({}, { signal: new AbortController().signal })
    const got = take(sub, 2)
    await tick()
    source.append(meta(1))
    source.append(meta(2))
    const items = await got
    assert.deepEqual(numbers(items), [1, 2])
    assert.equal(items[0]?.event.cursor, journal.cursorOf(1))
    assert.ok(isCursor(items[0]!.event.cursor))
    assert.ok(!isCursor('nope'))
  })

  it('resumes after a cursor, filtered per register and by what the node follows, without loss or duplicates', async () => {
    const { source, journal } = setup(10_000, { follows: r => r !== 'hidden' })
    source.append(meta(1))
    source.append(meta(2, 'r2'))
    source.append(meta(3))
    source.append(meta(4, 'hidden'))
    const sub = journal.subscribe({ cursor: journal.cursorOf(1), registerIds: ['r1', 'hidden'] }, { signal: new AbortController().signal })
    const got = take(sub, 2)
    await tick()
    source.append(meta(5, 'r2'))
    source.append(meta(6))
    assert.deepEqual(numbers(await got), [3, 6])
    const all = await take(journal.subscribe({ cursor: journal.cursorOf(0) }, { signal: new AbortController().signal }), 5)
    assert.deepEqual(numbers(all), [1, 2, 3, 5, 6], 'cursor .0 replays everything held; unfollowed registers never')
  })

  it('has no gap or duplicate at the seam: records appended while it replays arrive once, in order', async () => {
    const { source, journal } = setup()
    for (let i = 1; i <= 1000; i++) source.append(meta(i))
    let next = 1001
    // Every item consumed appends another, so the journal grows during the replay and at the switch to live.
    const items = await take(journal.subscribe({ cursor: journal.cursorOf(0) }, { signal: new AbortController().signal }), 2500, () => {
      if (next <= 2500) source.append(meta(next++))
    })
    assert.deepEqual(numbers(items), Array.from({ length: 2500 }, (_, i) => i + 1))
  })

  it('a subscriber too far behind the live records reads on from the journal: nothing lost, memory bounded', async () => {
    const { source, journal } = setup(10_000, { subscriberQueueMax: 2 })
    const controller = new AbortController()
    const iterator = journal.subscribe({}, { signal: controller.signal })[Symbol.asyncIterator]()
    const first = iterator.next()
    await tick()
    for (let i = 1; i <= 50; i++) source.append(meta(i))
    const got = [await first]
    for (let i = 2; i <= 50; i++) got.push(await iterator.next())
    assert.deepEqual(got.map(r => Number.parseInt((r.value as SubscriptionItem).event.meta.txId, 16)), Array.from({ length: 50 }, (_, i) => i + 1))
    assert.equal(journal.subscriberCount, 1)
    controller.abort()
    assert.equal((await iterator.next()).done, true)
    assert.equal(journal.subscriberCount, 0)
  })

  it('refuses a cursor it cannot resume, at once, naming the oldest cursor it accepts', () => {
    const { source, journal } = setup(2)
    for (let i = 1; i <= 4; i++) source.append(meta(i)) // keeps 3 and 4: floor 2
    const signal = new AbortController().signal
    // Nothing after .2 is gone: fine. After .1, record 2 is gone.
    assert.doesNotThrow(() => journal.subscribe({ cursor: journal.cursorOf(2) }, { signal }))
    assert.throws(() => journal.subscribe({ cursor: journal.cursorOf(1) }, { signal }), (err: { name: string, code: string, reason: string, oldestCursor: string }) =>
      err.name === 'CursorExpiredError' && err.code === 'OUT_OF_RANGE' && err.reason === 'cursor_expired' && err.oldestCursor === journal.cursorOf(2))
    const other = setup().journal
    assert.throws(() => journal.subscribe({ cursor: other.cursorOf(0) }, { signal }), { name: 'UnknownCursorError', reason: 'cursor_unknown' })
    assert.throws(() => journal.subscribe({ cursor: journal.cursorOf(5) }, { signal }), { name: 'UnknownCursorError' })
    assert.throws(() => journal.subscribe({ cursor: 'x.y' }, { signal }), { name: 'InvalidArgumentError', reason: 'invalid_cursor' })
  })

  it('fails a replay that the retention overtakes, rather than skip', async () => {
    const { source, journal } = setup(3)
    for (let i = 1; i <= 3; i++) source.append(meta(i))
    const iterator = journal.subscribe({ cursor: journal.cursorOf(0) }, { signal: new AbortController().signal })[Symbol.asyncIterator]()
    assert.equal(Number.parseInt(((await iterator.next()).value as SubscriptionItem).event.meta.txId, 16), 1)
    // The page it read still holds 2 and 3; the next read would start after 3, where nothing is lost.
    assert.equal(Number.parseInt(((await iterator.next()).value as SubscriptionItem).event.meta.txId, 16), 2)
    for (let i = 4; i <= 400; i++) source.append(meta(i))
    await iterator.next() // 3, from the page already read
    await assert.rejects(iterator.next(), { name: 'CursorExpiredError' })
  })

  it('lists pages after a cursor with the cursor to go on from', async () => {
    const { source, journal } = setup()
    for (let i = 1; i <= 7; i++) source.append(meta(i, i % 2 === 0 ? 'even' : 'odd'))
    const first = await journal.list({ limit: 3 })
    assert.deepEqual(first.events.map(e => e.meta.timestampMs), [1, 2, 3])
    assert.equal(first.nextCursor, journal.cursorOf(3))
    assert.equal(first.more, true)
    const second = await journal.list({ since: first.nextCursor, limit: 10 })
    assert.deepEqual([second.events.map(e => e.meta.timestampMs), second.nextCursor, second.more], [[4, 5, 6, 7], journal.cursorOf(7), false])
    const empty = await journal.list({ since: second.nextCursor, limit: 10 })
    assert.deepEqual([empty.events, empty.nextCursor, empty.more], [[], journal.cursorOf(7), false])
    const evens = await journal.list({ registerIds: ['even'], limit: 2 })
    assert.deepEqual([evens.events.map(e => e.meta.timestampMs), evens.nextCursor], [[2, 4], journal.cursorOf(4)])
    assert.equal(evens.events[0]?.cursor, journal.cursorOf(2))
    source.append(meta(8, 'even'))
    assert.deepEqual((await journal.list({ since: empty.nextCursor, limit: 10 })).events.map(e => e.meta.timestampMs), [8])
    await assert.rejects(journal.list({ since: setup().journal.cursorOf(1), limit: 1 }), { name: 'UnknownCursorError' })
  })

  it('ends when the signal fires', async () => {
    const { journal } = setup()
    const controller = new AbortController()
    const done = take(journal.subscribe({}, { signal: controller.signal }), 5)
    await tick()
    assert.equal(journal.subscriberCount, 1)
    controller.abort()
    assert.deepEqual(await done, [])
    assert.equal(journal.subscriberCount, 0)
  })

  it('inlines payloads when asked, up to the limit', async () => {
    const source = new MemoryJournal(10)
    const journal = new TransactionJournal({ source, loadPayload: async () => new Uint8Array([7]) })
    const got = take(journal.subscribe({ includePayload: true }, { signal: new AbortController().signal }), 1)
    await tick()
    source.append(meta(1))
    const [item] = await got
    assert.deepEqual([...item?.event.payload ?? []], [7])
  })
})
