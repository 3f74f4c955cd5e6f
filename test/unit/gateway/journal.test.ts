import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { SubscriptionItem, TransactionMeta } from '../../../src/gateway/backend.ts'
import { ChannelOverflowError } from '../../../src/gateway/channel.ts'
import { isCursor, TransactionJournal } from '../../../src/gateway/journal.ts'

const meta = (n: number, registerId = 'r1'): TransactionMeta => ({
  txId: n.toString(16).padStart(64, '0'), registerId, sender: 's', timestampMs: n, sizeBytes: 1, contentType: 'a/b', hopCount: 0
})

async function take (iterable: AsyncIterable<SubscriptionItem>, n: number): Promise<SubscriptionItem[]> {
  const out: SubscriptionItem[] = []
  if (n === 0) return out
  for await (const item of iterable) {
    out.push(item)
    if (out.length >= n) break
  }
  return out
}

const txIds = (items: SubscriptionItem[]): string[] => items.map(i => i.kind === 'transaction' ? i.event.meta.txId.slice(-2) : `gap:${i.oldestCursor === '' ? '' : i.oldestCursor.split('.')[1] ?? ''}`)

describe('transaction journal', () => {
  it('delivers live events in order with cursors it recognises', async () => {
    const journal = new TransactionJournal()
    const controller = new AbortController()
    const sub = journal.subscribe({}, { signal: controller.signal })
    const got = take(sub, 2)
    await new Promise(resolve => setImmediate(resolve))
    const c1 = journal.append(meta(1))
    journal.append(meta(2))
    const items = await got
    assert.deepEqual(txIds(items), ['01', '02'])
    assert.equal(items[0]?.kind === 'transaction' ? items[0].event.cursor : '', c1)
    assert.ok(isCursor(c1))
    assert.ok(!isCursor('nope'))
  })

  it('resumes after a cursor, filtered per register, without loss or duplicates', async () => {
    const journal = new TransactionJournal()
    const c1 = journal.append(meta(1))
    journal.append(meta(2, 'r2'))
    journal.append(meta(3))
    const controller = new AbortController()
    const sub = journal.subscribe({ cursor: c1, registerIds: ['r1'] }, { signal: controller.signal })
    const got = take(sub, 2)
    await new Promise(resolve => setImmediate(resolve))
    journal.append(meta(4, 'r2'))
    journal.append(meta(5))
    assert.deepEqual(txIds(await got), ['03', '05'])
  })

  it('announces a gap when the cursor is older than what it holds, or from another run', async () => {
    const journal = new TransactionJournal({ maxEntries: 2 })
    const c1 = journal.append(meta(1))
    journal.append(meta(2))
    journal.append(meta(3))
    const controller = new AbortController()
    // Entry 1 is gone but nothing after the cursor is: no gap.
    assert.deepEqual(txIds(await take(journal.subscribe({ cursor: c1 }, { signal: controller.signal }), 2)), ['02', '03'])
    journal.append(meta(4))
    assert.deepEqual(txIds(await take(journal.subscribe({ cursor: c1 }, { signal: controller.signal }), 3)), ['gap:3', '03', '04'])
    const other = new TransactionJournal()
    other.append(meta(9))
    assert.deepEqual(txIds(await take(other.subscribe({ cursor: c1 }, { signal: controller.signal }), 2)), ['gap:1', '09'])
    const empty = new TransactionJournal()
    const gapOnly = await take(empty.subscribe({ cursor: c1 }, { signal: controller.signal }), 1)
    assert.deepEqual(txIds(gapOnly), ['gap:'])
  })

  it('rejects a malformed cursor with InvalidArgumentError', async () => {
    const journal = new TransactionJournal()
    await assert.rejects(take(journal.subscribe({ cursor: 'x.y' }, { signal: new AbortController().signal }), 1), { name: 'InvalidArgumentError' })
  })

  it('ends when the signal fires, and cuts off a subscriber that falls too far behind', async () => {
    const journal = new TransactionJournal({ maxEntries: 1, subscriberQueueMax: 2 })
    const controller = new AbortController()
    const sub = journal.subscribe({}, { signal: controller.signal })[Symbol.asyncIterator]()
    const first = sub.next()
    await new Promise(resolve => setImmediate(resolve))
    for (let i = 1; i <= 5; i++) journal.append(meta(i))
    await first
    await assert.rejects(async () => { for (;;) { const r = await sub.next(); if (r.done === true) break } }, ChannelOverflowError)
    assert.equal(journal.subscriberCount, 0)
    const live = journal.subscribe({}, { signal: controller.signal })
    const done = take(live, 5)
    await new Promise(resolve => setImmediate(resolve))
    controller.abort()
    assert.deepEqual(await done, [])
  })

  it('inlines payloads when asked, up to the limit', async () => {
    const journal = new TransactionJournal({ loadPayload: async () => new Uint8Array([7]) })
    const controller = new AbortController()
    const got = take(journal.subscribe({ includePayload: true }, { signal: controller.signal }), 1)
    await new Promise(resolve => setImmediate(resolve))
    journal.append(meta(1))
    const [item] = await got
    assert.deepEqual(item?.kind === 'transaction' ? [...item.event.payload ?? []] : [], [7])
  })
})
