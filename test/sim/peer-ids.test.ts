import { test } from 'node:test'
import assert from 'node:assert/strict'
import { PeerDirectory, simPeerId } from '../../simulations/engine/peer-ids.ts'

test('peer directory: ids and indices round-trip, and anything that is not exactly a simulated id is -1', () => {
  const peers = new PeerDirectory()
  for (const index of [0, 1, 57, 58, 99_999, 100_000, 3_364_000]) {
    const id = peers.idOf(index)
    assert.equal(id, simPeerId(index))
    assert.match(id, /^12D3KooW[1-9A-HJ-NP-Za-km-z]{44}$/)
    assert.equal(peers.indexOf(id), index)
    // A string with the same characters, built apart from the directory, is the same id.
    assert.equal(peers.indexOf(id.slice(0, 20) + id.slice(20)), index)
  }
  const id = simPeerId(1234)
  assert.equal(peers.indexOf(id.slice(0, -1) + 'T'), -1) // filler changed
  assert.equal(peers.indexOf('22D3KooW' + id.slice(8)), -1) // prefix changed
  assert.equal(peers.indexOf(id.slice(0, 10) + '0' + id.slice(11)), -1) // '0' is no base58 digit
  assert.equal(peers.indexOf(id + 'S'), -1)
  assert.equal(peers.indexOf(''), -1)
  assert.equal(peers.indexOf('12D3KooWGRUDpH7oTc1PMydAmZZzBNddsSbdJMtyJzMMpM4SWd2y'), -1) // a real node's id
})
