import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { resolveConfig } from '../../../src/config/index.ts'
import { coreConfigOf } from '../../../src/gossip/index.ts'
import { resolveGossipConfig } from '../../../protocols/tx-gossip/index.ts'
import { rejection } from '../../helpers/config.ts'

describe('gossip configuration', () => {
  it('has defaults that make a valid core configuration', () => {
    const config = resolveConfig({})
    assert.equal(config.gossip.strategy, 'sorcha')
    assert.equal(config.gossip.fanout, 8)
    assert.equal(config.gossip.chunkSizeBytes, 64 * 1024)
    assert.doesNotThrow(() => resolveGossipConfig(coreConfigOf(config.gossip)))
  })

  it('reads env and flags, including nested sections', () => {
    const config = resolveConfig({
      env: { SORCHA_GOSSIP_STRATEGY: 'gossipsub', SORCHA_GOSSIP_REGISTERS: 'a,b', SORCHA_GOSSIP_GOSSIPSUB_D: '8' },
      flags: { 'gossip.bloom.fpRate': '0.001' }
    })
    assert.equal(config.gossip.strategy, 'gossipsub')
    assert.deepEqual(config.gossip.registers, ['a', 'b'])
    assert.equal(config.gossip.gossipsub.d, 8)
    assert.equal(config.gossip.bloom.fpRate, 0.001)
  })

  it('rejects bad values, naming the key and what is allowed', () => {
    assert.match(rejection(() => resolveConfig({ env: { SORCHA_GOSSIP_STRATEGY: 'flood' } })).message, /gossip\.strategy/)
    assert.match(rejection(() => resolveConfig({ file: { path: 'f', data: { gossip: { chunkSizeBytes: 10 } } } })).message, /gossip\.chunkSizeBytes/)
    assert.match(rejection(() => resolveConfig({ file: { path: 'f', data: { gossip: { registers: ['bad register'] } } } })).message, /gossip\.registers/)
    assert.match(rejection(() => resolveConfig({ file: { path: 'f', data: { gossip: { recentMax: 5000, bloom: { expectedItems: 1000 } } } } })).message, /gossip\.bloom\.expectedItems/)
    assert.match(rejection(() => resolveConfig({ file: { path: 'f', data: { gossip: { gossipsub: { d: 20 } } } } })).message, /gossip\.gossipsub\.d/)
  })
})
