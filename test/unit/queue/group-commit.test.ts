import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { GroupCommit } from '../../../src/queue/index.ts'

/** A write that records its batch and completes only when released. */
function gatedWriter (): { batches: string[][], release: () => void, write: (items: string[]) => Promise<void>, fail: boolean } {
  const state = {
    batches: [] as string[][],
    fail: false,
    gate: Promise.withResolvers<void>(),
    release: () => {},
    write: async (items: string[]) => {
      state.batches.push(items)
      await state.gate.promise
      state.gate = Promise.withResolvers<void>()
      if (state.fail) throw new Error('disk full')
    }
  }
  state.release = () => { state.gate.resolve() }
  return state
}

const turn = async (): Promise<void> => { await new Promise(resolve => setImmediate(resolve)) }

describe('GroupCommit', () => {
  it('a lone item is written alone; items arriving while that write is in flight share the next write', async () => {
    const w = gatedWriter()
    const commit = new GroupCommit<string>(w.write)
    const first = commit.add('a')
    await turn()
    assert.deepEqual(w.batches, [['a']])
    const later = ['b', 'c', 'd', 'e'].map(async item => commit.add(item))
    await turn()
    assert.equal(w.batches.length, 1, 'nothing else is written while the first write is in flight')
    w.release()
    await first
    await turn()
    assert.deepEqual(w.batches, [['a'], ['b', 'c', 'd', 'e']])
    w.release()
    await Promise.all(later)
    assert.deepEqual(commit.stats, { batches: 2, items: 5, largest: 4 })
    await commit.idle()
  })

  it('items added in one turn of the event loop share one write; a batch holds at most maxItems, or maxBytes (one larger item alone)', async () => {
    const written: string[][] = []
    const commit = new GroupCommit<string>(async items => { written.push(items) }, { maxItems: 3, maxBytes: 100 })
    await Promise.all(['a', 'b', 'c', 'd', 'e'].map(async item => commit.add(item, 10)))
    assert.deepEqual(written, [['a', 'b', 'c'], ['d', 'e']])
    written.length = 0
    await Promise.all([commit.add('big', 500), commit.add('small', 10), commit.add('small2', 95)])
    assert.deepEqual(written, [['big'], ['small'], ['small2']])
  })

  it('a failed write rejects the items it held, and only those', async () => {
    const w = gatedWriter()
    const commit = new GroupCommit<string>(w.write)
    const first = commit.add('a')
    await turn()
    const second = commit.add('b')
    w.fail = true
    w.release()
    await assert.rejects(first, /disk full/)
    await turn()
    w.fail = false
    w.release()
    await second
    assert.deepEqual(w.batches, [['a'], ['b']])
  })
})
