import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { configWarnings, resolveConfig } from '../../../src/config/index.ts'

describe('configuration warnings', () => {
  it('none for the defaults', () => {
    assert.deepEqual(configWarnings(resolveConfig({})), [])
  })

  it('anti-entropy rounds faster than a peer configured alike accepts summaries', () => {
    const [warning, ...rest] = configWarnings(resolveConfig({ flags: { 'gossip.antiEntropyIntervalMs': '500' } }))
    assert.deepEqual(rest, [])
    assert.deepEqual(warning!.settings, ['gossip.antiEntropyIntervalMs', 'limits.gossipAntiEntropy.ratePerSec'])
    assert.match(warning!.message, /sends up to 2 anti-entropy summaries per second/)
    assert.match(warning!.message, /at least 1000 ms or the limit on every node to at least 2$/)
    // Fixed by either setting; not a concern of gossipsub (no summaries) or with rounds off.
    assert.deepEqual(configWarnings(resolveConfig({ flags: { 'gossip.antiEntropyIntervalMs': '500', 'limits.gossipAntiEntropy.ratePerSec': '2' } })), [])
    assert.deepEqual(configWarnings(resolveConfig({ flags: { 'gossip.antiEntropyIntervalMs': '1000' } })), [])
    assert.deepEqual(configWarnings(resolveConfig({ flags: { 'gossip.antiEntropyIntervalMs': '500', 'gossip.strategy': 'gossipsub' } })), [])
    assert.deepEqual(configWarnings(resolveConfig({ flags: { 'gossip.antiEntropyIntervalMs': '0' } })), [])
  })
})
