import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { AnnounceWindow } from '../../../src/gossip/announce-window.ts'

describe('AnnounceWindow', () => {
  it('fills with announcements, frees on requests, per peer', () => {
    const now = 1000
    const w = new AnnounceWindow({ size: 3, expireMs: 500, now: () => now, onReopen: () => {} })
    assert.equal(w.room('a'), 3)
    w.announced('a', 'x')
    w.announced('a', 'y')
    w.announced('a', 'x') // again: still one item
    assert.equal(w.room('a'), 1)
    assert.equal(w.room('b'), 3)
    w.requested('a', 'x')
    w.requested('b', 'y') // another peer's request frees nothing of a's
    assert.equal(w.room('a'), 2)
    w.announced('a', 'z')
    w.announcedBy('a', [{ id: 'z' }, { id: 'q' }]) // a holds z: it will not ask
    assert.equal(w.room('a'), 2)
    w.drop('a')
    assert.equal(w.room('a'), 3)
    w.stop()
  })

  it('lets an item go once it was not asked for within expireMs (oldest first), and says when room comes back', async () => {
    let now = 0
    let reopened = 0
    const w = new AnnounceWindow({ size: 2, expireMs: 30, now: () => now, onReopen: () => { reopened++ } })
    w.announced('a', 'x')
    now = 10
    w.announced('a', 'y')
    assert.equal(w.room('a'), 0)
    now = 30
    assert.equal(w.room('a'), 1, 'x expired, y not yet')
    w.announced('a', 'z')
    assert.equal(w.room('a'), 0)
    await new Promise(resolve => setTimeout(resolve, 80))
    assert.equal(reopened, 1)
    now = 100
    assert.equal(w.room('a'), 2)
    w.stop()
  })
})
