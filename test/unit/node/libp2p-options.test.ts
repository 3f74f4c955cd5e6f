import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { resolveConfig } from '../../../src/config/index.ts'
import { connectionWatchIntervalMs, coreServices, libp2pOptions, selfQueryDelayMs } from '../../../src/node/libp2p-options.ts'

const config = resolveConfig({ flags: { 'health.intervalMs': 40_000, 'discovery.intervalMs': 60_000 } })

describe('libp2p options: periodic work spread across nodes', () => {
  it('jitters the connection-watch period within a quarter of health.intervalMs', () => {
    assert.equal(connectionWatchIntervalMs(config, () => 0), 30_000)
    assert.equal(connectionWatchIntervalMs(config, () => 0.5), 40_000)
    assert.equal(connectionWatchIntervalMs(config, () => 0.999999), 50_000)
  })

  it('draws a different period per node, so nodes started together do not ping in step', () => {
    const periods = new Set(Array.from({ length: 20 }, () => connectionWatchIntervalMs(config)))
    assert.ok(periods.size > 1, 'twenty nodes drew one period')
    for (const period of periods) assert.ok(period >= 30_000 && period <= 50_000, `period ${period} outside the jitter range`)
  })

  it('delays the first Kademlia self-query by half to one discovery interval', () => {
    assert.equal(selfQueryDelayMs(config, () => 0), 30_000)
    assert.equal(selfQueryDelayMs(config, () => 0.999999), 60_000)
  })

  it('turns off libp2p\'s connection monitor and runs the connection watch instead', async () => {
    const options = libp2pOptions(config, await generateKeyPair('Ed25519'), {})
    assert.deepEqual(options.connectionMonitor, { enabled: false })
    const services = coreServices(config) as Record<string, unknown>
    assert.equal(typeof services.connectionWatch, 'function')
    const watch = (services.connectionWatch as (c: unknown) => { intervalMs: number, timeoutMs: number })({ connectionManager: { getConnections: () => [] } })
    assert.ok(watch.intervalMs >= 30_000 && watch.intervalMs <= 50_000, `period ${watch.intervalMs} outside the jitter range`)
    assert.equal(watch.timeoutMs, config.health.timeoutMs)
  })
})
