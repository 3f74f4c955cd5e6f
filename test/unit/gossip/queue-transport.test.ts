import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createRng } from '../../../protocols/common/rng.ts'
import { toHex } from '../../../protocols/models/index.ts'
import { createTxGossipCore, type GossipEffect } from '../../../protocols/tx-gossip/index.ts'
import { AnnounceWindow } from '../../../src/gossip/announce-window.ts'
import { CoreDriver } from '../../../src/gossip/core-driver.ts'
import { originTag } from '../../../src/gossip/origin.ts'
import type { PeerChannel } from '../../../src/gossip/peer-channel.ts'
import { sorchaQueueTransport } from '../../../src/gossip/sorcha-queue-transport.ts'
import { txIdOf } from '../../../src/gossip/store/tx-store.ts'

const SENDER = '12D3KooWPublisher'
const REGISTER = 'r1'
const WINDOW = 4

function transaction (n: number): { id: string, tx: { notification: { txId: Uint8Array, registerId: string, sender: string, timestampMs: number, sizeBytes: number, contentType: string, hopCount: number }, payload: Uint8Array } } {
  const payload = new Uint8Array([n, 1, 2, 3])
  const txId = txIdOf(payload)
  return { id: toHex(txId), tx: { notification: { txId, registerId: REGISTER, sender: SENDER, timestampMs: 1, sizeBytes: payload.length, contentType: 'text/plain', hopCount: 0 }, payload } }
}

describe('sorcha queue transport', () => {
  it('counts in the announce window only the neighbours that were announced a first send, not a push tree\'s children that were pushed the body', () => {
    // A publisher with two neighbours of unknown registers; `child` grafted this publisher's tree for
    // the register (SPEC.md §3.8), so it is pushed the bodies and never asks for them. Had the window
    // counted it, the queue would stall for the window's expiry every WINDOW transactions.
    const core = createTxGossipCore({ antiEntropyIntervalMs: 0, antiEntropyOnConnect: false, pushTree: true, fanout: 0 }, createRng(1))
    const window = new AnnounceWindow({ size: WINDOW, expireMs: 60_000, now: () => 0, onReopen: () => {} })
    const effects: GossipEffect[] = []
    // What the distributor does with the effects that concern the window.
    const driver = new CoreDriver(core, effect => {
      effects.push(effect)
      if (effect.type === 'serve') window.requested(effect.peer, effect.id)
    })
    const channel = { serve: () => true, sendControl: () => true, backlog: 0 } as unknown as PeerChannel
    const transport = sorchaQueueTransport({ driver: () => driver, channel: () => channel, pushMaxBytes: 64 * 1024, window })
    driver.feed({ type: 'peers-up', peers: ['child', 'other'] })
    driver.feed({ type: 'scope', registers: [REGISTER] })
    driver.feed({ type: 'message', from: 'child', message: { type: 'tree', graft: [originTag(SENDER, REGISTER)!], prune: [] } })
    for (let n = 0; n < WINDOW; n++) {
      const { id, tx } = transaction(n)
      assert.equal(transport.announce(id, tx), true)
    }
    const pushedTo = effects.flatMap(e => e.type === 'serve' ? [e.peer] : [])
    const announcedTo = effects.flatMap(e => e.type === 'send' && e.message.type === 'inv' ? [e.peer] : [])
    assert.deepEqual([...new Set(pushedTo)], ['child'])
    assert.deepEqual([...new Set(announcedTo)], ['other'])
    assert.equal(window.room('child'), WINDOW, 'pushed bodies take no room')
    assert.equal(window.room('other'), 0, 'announced ones wait for getdata')
    // room() is the emptiest window's: the child's keeps the queue going.
    assert.ok(transport.room() > 0)
  })
})
