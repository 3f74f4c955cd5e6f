import { test } from 'node:test'
import assert from 'node:assert/strict'
import { peerIdOf, simPeerId } from '../../simulations/engine/peer-ids.ts'

test('simulated peer ids: well-formed libp2p ids, one per index, computed once', () => {
  const seen = new Set<string>()
  const indices = [0, 1, 57, 58, 99_999, 100_000, 3_364_000]
  for (let i = 0; i < 5000; i++) indices.push(i * 7919)
  for (const index of indices) {
    const id = peerIdOf(index)
    assert.equal(id, simPeerId(index))
    assert.match(id, /^12D3KooW[1-9A-HJ-NP-Za-km-z]{44}$/)
    assert.equal(peerIdOf(index), id)
    seen.add(id)
  }
  assert.equal(seen.size, new Set(indices).size, 'distinct indices give distinct ids')
})
