import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { ConfigFileError, configLeaves, loadConfig, resolveConfig } from '../../../src/config/index.ts'
import { rejection } from '../../helpers/config.ts'
import { tempDir } from '../../helpers/temp-dir.ts'

describe('configuration', () => {
  it('fills every default and freezes the result', () => {
    const config = resolveConfig({})
    assert.equal(config.dataDir, './sorcha-data')
    assert.deepEqual(config.bootstrap, [])
    assert.equal(config.health.failureThreshold, 3)
    assert.ok(Object.isFrozen(config) && Object.isFrozen(config.health) && Object.isFrozen(config.listen))
  })

  it('applies file < env < flags', () => {
    const config = resolveConfig({
      file: { path: 'c.yaml', data: { connections: { max: 10, min: 2 }, health: { intervalMs: 5000 } } },
      env: { SORCHA_CONNECTIONS_MAX: '20', SORCHA_HEALTH_INTERVAL_MS: '6000' },
      flags: { 'connections.max': '30' }
    })
    assert.equal(config.connections.max, 30)
    assert.equal(config.connections.min, 2)
    assert.equal(config.health.intervalMs, 6000)
  })

  it('splits lists from env on commas and accepts repeated flags', () => {
    const peer = '/ip4/127.0.0.1/tcp/4100/p2p/12D3KooWQYhTNQdmr3ArTeUHRYzFg94BKyTkoWBDWez9kSCVe2Xo'
    const fromEnv = resolveConfig({ env: { SORCHA_LISTEN: '/ip4/127.0.0.1/tcp/1, /ip4/127.0.0.1/tcp/2' } })
    assert.deepEqual(fromEnv.listen, ['/ip4/127.0.0.1/tcp/1', '/ip4/127.0.0.1/tcp/2'])
    const fromFlags = resolveConfig({ flags: { bootstrap: [peer, peer] } })
    assert.equal(fromFlags.bootstrap.length, 2)
    assert.deepEqual(resolveConfig({ env: { SORCHA_LISTEN: '' } }).listen, [])
  })

  it('reads log.subsystemLevels as subsystem=level entries and refuses anything else', () => {
    assert.deepEqual(resolveConfig({ env: { SORCHA_LOG_SUBSYSTEM_LEVELS: 'sorcha:gossip=debug, sorcha:gossip:store=trace' } }).log.subsystemLevels, ['sorcha:gossip=debug', 'sorcha:gossip:store=trace'])
    assert.deepEqual(resolveConfig({ flags: { 'log.subsystemLevels': ['sorcha:nat=warn'] } }).log.subsystemLevels, ['sorcha:nat=warn'])
    for (const bad of ['gossip=debug', 'sorcha:gossip=loud', 'sorcha:gossip', `sorcha:${'a'.repeat(60)}=debug`, 'sorcha:Gossip=debug']) {
      assert.equal(rejection(() => resolveConfig({ flags: { 'log.subsystemLevels': [bad] } })).key, 'log.subsystemLevels', bad)
    }
    const many = Array.from({ length: 65 }, (_, i) => `sorcha:s${i}=debug`)
    assert.equal(rejection(() => resolveConfig({ flags: { 'log.subsystemLevels': many } })).key, 'log.subsystemLevels')
  })

  it('derives env and flag names from every setting path', () => {
    const interval = configLeaves.find(l => l.key === 'health.intervalMs')
    assert.equal(interval?.env, 'SORCHA_HEALTH_INTERVAL_MS')
    assert.equal(interval?.flag, '--health-interval-ms')
    assert.equal(new Set(configLeaves.map(l => l.env)).size, configLeaves.length)
    for (const leaf of configLeaves) assert.ok(leaf.description.length > 10 && leaf.allowed.length > 3, leaf.key)
  })

  describe('rejects, naming key, value, source and what is allowed', () => {
    it('a non-integer from env', () => {
      const err = rejection(() => resolveConfig({ env: { SORCHA_CONNECTIONS_MAX: 'many' } }))
      assert.equal(err.key, 'connections.max')
      assert.equal(err.value, 'many')
      assert.equal(err.source, 'env SORCHA_CONNECTIONS_MAX')
      assert.match(err.message, /connections\.max = "many".*SORCHA_CONNECTIONS_MAX.*allowed: an integer from 1 to 10000/)
      assert.doesNotMatch(err.message, /\n/)
    })
    it('a number out of range from a flag', () => {
      const err = rejection(() => resolveConfig({ flags: { 'health.timeoutMs': '5' } }))
      assert.equal(err.key, 'health.timeoutMs')
      assert.equal(err.value, 5)
      assert.equal(err.source, 'flag --health-timeout-ms')
    })
    it('a fraction where an integer is needed', () => {
      assert.equal(rejection(() => resolveConfig({ file: { path: 'f.json', data: { peers: { maxKnown: 10.5 } } } })).key, 'peers.maxKnown')
    })
    it('a value of the wrong type in a file', () => {
      const err = rejection(() => resolveConfig({ file: { path: 'f.yaml', data: { dataDir: 5 } } }))
      assert.equal(err.source, 'file f.yaml')
      assert.match(err.message, /expected string/)
    })
    it('an unknown key in a file, listing the known ones', () => {
      const err = rejection(() => resolveConfig({ file: { path: 'f.yaml', data: { health: { intervalMz: 1 } } } }))
      assert.equal(err.key, 'health.intervalMz')
      assert.match(err.allowed, /intervalMs/)
    })
    it('an unknown SORCHA_ variable', () => {
      assert.equal(rejection(() => resolveConfig({ env: { SORCHA_DATADIR: '/x' } })).key, 'SORCHA_DATADIR')
    })
    it('a value outside an enum', () => {
      const err = rejection(() => resolveConfig({ flags: { 'log.format': 'xml' } }))
      assert.match(err.allowed, /pretty, json/)
    })
    it('an invalid multiaddr and a bootstrap address without a peer id', () => {
      assert.match(rejection(() => resolveConfig({ flags: { listen: ['tcp://x'] } })).message, /item 0: not a valid multiaddr/)
      assert.equal(rejection(() => resolveConfig({ flags: { bootstrap: ['/ip4/127.0.0.1/tcp/4100'] } })).key, 'bootstrap')
    })
    it('connections.min above connections.max', () => {
      const err = rejection(() => resolveConfig({ flags: { 'connections.min': '9', 'connections.max': '5' } }))
      assert.equal(err.key, 'connections.min')
      assert.match(err.allowed, /connections\.max \(5\)/)
    })
    it('reputation thresholds out of order, and a first ban longer than the longest', () => {
      const cases: Array<[Record<string, string>, string, string]> = [
        [{ 'reputation.graylistThreshold': '70' }, 'reputation.graylistThreshold', 'a number no greater than reputation.disconnectThreshold (60)'],
        [{ 'reputation.disconnectThreshold': '150' }, 'reputation.disconnectThreshold', 'a number no greater than reputation.banThreshold (100)'],
        [{ 'reputation.banBaseMs': '700000000' }, 'reputation.banBaseMs', 'an integer no greater than reputation.banMaxMs (604800000)']
      ]
      for (const [flags, key, allowed] of cases) {
        const err = rejection(() => resolveConfig({ flags }))
        assert.deepEqual([err.key, err.allowed], [key, allowed])
        assert.match(err.message, new RegExp(`^invalid configuration: ${key.replace('.', '\\.')} = \\d+ \\(from flag --[a-z-]+\\): must not exceed reputation\\.[a-zA-Z]+; allowed: ${allowed.replace(/[()]/g, '\\$&')}$`))
      }
      assert.deepEqual(resolveConfig({}).connections.ipRangeAllow, ['/ip4/127.0.0.0/ipcidr/8', '/ip6/::1/ipcidr/128'])
    })
    it('a removal threshold below the unreachable threshold', () => {
      assert.equal(rejection(() => resolveConfig({ flags: { 'health.failureThreshold': '5', 'health.removeAfterFailures': '2' } })).key, 'health.removeAfterFailures')
    })
    it('a status line interval: 0 (off) or at least a second', () => {
      assert.equal(resolveConfig({}).log.statusIntervalMs, 60_000)
      assert.equal(resolveConfig({ env: { SORCHA_LOG_STATUS_INTERVAL_MS: '0' } }).log.statusIntervalMs, 0)
      for (const value of ['500', '-1', '86400001', '1.5']) {
        const err = rejection(() => resolveConfig({ flags: { 'log.statusIntervalMs': value } }))
        assert.equal(err.key, 'log.statusIntervalMs', value)
        assert.match(err.allowed, /^0 \(off\) or an integer from 1000 to 86400000$/)
      }
    })
    it('a bootstrap backoff whose start exceeds its cap', () => {
      assert.equal(rejection(() => resolveConfig({ flags: { 'discovery.bootstrapBackoffInitialMs': '5000', 'discovery.bootstrapBackoffMaxMs': '1000' } })).key, 'discovery.bootstrapBackoffInitialMs')
    })
  })

  describe('files', () => {
    it('reads YAML and JSON, and $SORCHA_CONFIG', async () => {
      const dir = tempDir('sorcha-config-')
      await writeFile(join(dir, 'a.yaml'), 'connections:\n  max: 12\nlog:\n  format: json\n')
      await writeFile(join(dir, 'b.json'), '{"peers": {"maxKnown": 99}}')
      assert.equal((await loadConfig({ configFile: join(dir, 'a.yaml'), env: {} })).connections.max, 12)
      assert.equal((await loadConfig({ env: { SORCHA_CONFIG: join(dir, 'b.json') } })).peers.maxKnown, 99)
    })
    it('reports a missing file, bad YAML and a non-mapping top level as ConfigFileError', async () => {
      const dir = tempDir('sorcha-config-')
      await writeFile(join(dir, 'bad.yaml'), 'a: [1, 2\n')
      await writeFile(join(dir, 'list.yaml'), '- 1\n- 2\n')
      for (const name of ['missing.yaml', 'bad.yaml', 'list.yaml']) {
        await assert.rejects(loadConfig({ configFile: join(dir, name), env: {} }), (err: Error) => err.name === 'ConfigFileError' && err.message.includes(name))
      }
      assert.ok(new ConfigFileError('x', 'y') instanceof Error)
    })
  })
})
