import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { resolveConfig } from '../../../src/config/index.ts'
import { connectionMonitorIntervalMs, connectionMonitorTimeout, libp2pOptions, selfQueryDelayMs } from '../../../src/node/libp2p-options.ts'

const config = resolveConfig({ flags: { 'health.intervalMs': 40_000, 'discovery.intervalMs': 60_000 } })

describe('libp2p options: periodic work spread across nodes', () => {
  it('jitters the connection-monitor period within a quarter of health.intervalMs', () => {
    assert.equal(connectionMonitorIntervalMs(config, () => 0), 30_000)
    assert.equal(connectionMonitorIntervalMs(config, () => 0.5), 40_000)
    assert.equal(connectionMonitorIntervalMs(config, () => 0.999999), 50_000)
  })

  it('draws a different period per node, so nodes started together do not ping in step', () => {
    const periods = new Set(Array.from({ length: 20 }, () => connectionMonitorIntervalMs(config)))
    assert.ok(periods.size > 1, 'twenty nodes drew one period')
    for (const period of periods) assert.ok(period >= 30_000 && period <= 50_000, `period ${period} outside the jitter range`)
  })

  it('delays the first Kademlia self-query by half to one discovery interval', () => {
    assert.equal(selfQueryDelayMs(config, () => 0), 30_000)
    assert.equal(selfQueryDelayMs(config, () => 0.999999), 60_000)
  })

  it('hands the jittered period and the ping timeout to the connection monitor', async () => {
    const options = libp2pOptions(config, await generateKeyPair('Ed25519'), {})
    const monitor = options.connectionMonitor as { pingInterval: number, pingTimeout: { minTimeout: number, maxTimeout: number } }
    assert.ok(monitor.pingInterval >= 30_000 && monitor.pingInterval <= 50_000)
    assert.deepEqual(monitor.pingTimeout, { minTimeout: config.health.timeoutMs, maxTimeout: 60_000 })
  })

  it('never lets the monitor give up on a ping sooner than health.timeoutMs, however long that is', () => {
    const slow = resolveConfig({ flags: { 'health.timeoutMs': 120_000 } })
    assert.deepEqual(connectionMonitorTimeout(slow), { minTimeout: 120_000, maxTimeout: 120_000 })
  })
})
