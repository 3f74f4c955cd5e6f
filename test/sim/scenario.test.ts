import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { loadScenarioFile, toPlan, validateScenario } from '../../simulations/scenario/load.ts'
import { planFor } from '../../simulations/run.ts'
import { tempDir } from '../helpers/temp-dir.ts'

const dir = new URL('../../simulations/scenarios/', import.meta.url).pathname
const minimal = { name: 'm', nodes: 10, durationMs: 1000, topology: { kind: 'k-regular', degree: 4 }, workload: { transactions: 1, ratePerSec: 1 } }

test('every shipped scenario is valid, and the required ones are there', () => {
  const files = readdirSync(dir).filter(f => /\.(ya?ml|json)$/.test(f))
  for (const f of files) {
    const s = loadScenarioFile(join(dir, f))
    assert.equal(typeof s.name, 'string')
    // Its protocol parameters too (the binding validates them).
    assert.ok(planFor(s).plan)
  }
  const sizes = files.map(f => loadScenarioFile(join(dir, f))).map(s => s.nodes)
  for (const n of [10, 50, 100, 1000, 10_000, 100_000]) assert.ok(sizes.includes(n), `a ${n}-node scenario`)
  assert.ok(files.map(f => loadScenarioFile(join(dir, f))).some(s => s.faults.partitions.length > 0), 'a partition scenario')
  assert.ok(loadScenarioFile(join(dir, 'churn-1000.yaml')).churn.rate !== undefined)
})

test('defaults are filled and overrides replace seed and node count', () => {
  const s = validateScenario(minimal, 'x', { seed: 42, nodes: 20 })
  assert.equal(s.seed, 42)
  assert.equal(s.nodes, 20)
  assert.equal(s.latency.kind, 'preset')
  assert.equal(s.workload.publishers, 'all')
  assert.equal(s.protocol.name, 'tx-gossip')
})

const bad: Array<[string, unknown, string]> = [
  ['nodes', { ...minimal, nodes: 0 }, 'nodes'],
  ['degree type', { ...minimal, topology: { kind: 'k-regular', degree: 'many' } }, 'topology.degree'],
  ['topology kind', { ...minimal, topology: { kind: 'ring' } }, 'topology.kind'],
  ['unknown key', { ...minimal, workload: { ...minimal.workload, tps: 3 } }, 'workload.tps'],
  ['loss rate', { ...minimal, network: { lossRate: 2 } }, 'network.lossRate'],
  ['odd k-regular', { ...minimal, nodes: 9, topology: { kind: 'k-regular', degree: 3 } }, 'topology.degree'],
  ['partition times', { ...minimal, faults: { partitions: [{ fromMs: 5, toMs: 5 }] } }, 'faults.partitions.0.toMs'],
  ['offline times', { ...minimal, faults: { offline: [{ fromMs: 5, toMs: 4, fraction: 0.3 }] } }, 'faults.offline.0.toMs'],
  ['offline fraction', { ...minimal, faults: { offline: [{ fromMs: 5, toMs: 9, fraction: 3 }] } }, 'faults.offline.0.fraction'],
  ['size range', { ...minimal, workload: { ...minimal.workload, sizeBytes: { min: 10, max: 5 } } }, 'workload.sizeBytes.min'],
  ['missing workload', { ...minimal, workload: undefined }, 'workload'],
  ['latency preset', { ...minimal, latency: { kind: 'preset', name: 'moon' } }, 'latency.name'],
  ['full too big', { ...minimal, nodes: 6000, topology: { kind: 'full' } }, 'nodes']
]

for (const [what, input, key] of bad) {
  test(`rejects a bad scenario (${what}) naming key, value and what is allowed`, () => {
    assert.throws(() => validateScenario(input, 'bad.yaml'), (err: Error & { key?: string, allowed?: string }) => {
      assert.equal(err.name, 'ScenarioError')
      assert.equal(err.key, key)
      assert.ok((err.allowed ?? '').length > 0)
      assert.ok(!err.message.includes('\n'))
      return true
    })
  })
}

test('a protocol parameter the protocol does not know is refused, naming it and the known ones (a misspelling once ran with the default)', () => {
  for (const [params, key] of [[{ pushFanoutMeen: 3 }, 'protocol.params.pushFanoutMeen'], [{ reconcile: { sessionGapMs: 5 } }, 'protocol.params.reconcile.sessionGapMs']] as const) {
    const s = validateScenario({ ...minimal, protocol: { name: 'tx-gossip', params } }, 'x')
    assert.throws(() => planFor(s), (err: Error & { key?: string }) => {
      assert.equal(err.name, 'ScenarioError')
      assert.equal(err.key, key)
      assert.match(err.message, /allowed: a known setting: .*pushFanoutMean|allowed: a known setting: .*minPeerGapMs/)
      return true
    })
  }
  assert.ok(planFor(validateScenario({ ...minimal, protocol: { name: 'tx-gossip', params: { pushFanoutMean: 3, reconcile: { minPeerGapMs: 5000 } } } }, 'x')).plan)
})

test('unreadable or unparsable files give ScenarioFileError', () => {
  const tmp = tempDir('sorcha-scn-')
  assert.throws(() => loadScenarioFile(join(tmp, 'missing.yaml')), { name: 'ScenarioFileError' })
  writeFileSync(join(tmp, 'broken.yaml'), 'name: [unclosed')
  assert.throws(() => loadScenarioFile(join(tmp, 'broken.yaml')), { name: 'ScenarioFileError' })
  writeFileSync(join(tmp, 'broken.json'), '{"name": ')
  assert.throws(() => loadScenarioFile(join(tmp, 'broken.json')), { name: 'ScenarioFileError' })
  writeFileSync(join(tmp, 'ok.json'), JSON.stringify(minimal))
  assert.equal(loadScenarioFile(join(tmp, 'ok.json')).nodes, 10)
})

test('churn rates expand into the same timed events for the same seed, within the window', () => {
  const s = validateScenario({ ...minimal, churn: { rate: { fromMs: 1000, toMs: 11_000, joinsPerSec: 5, crashesPerSec: 2 } }, faults: { crashes: [{ atMs: 500, fraction: 0.1 }] } })
  const a = toPlan(s, {}).churn
  const b = toPlan(s, {}).churn
  assert.deepEqual(a, b)
  const joins = a.filter(e => e.kind === 'join').length
  assert.ok(joins > 30 && joins < 75, `joins ${joins}`) // Poisson mean 50
  assert.ok(a.filter(e => e.kind === 'crash').length > 5)
  assert.equal(a[0]!.fraction, 0.1)
  assert.ok(a.slice(1).every(e => e.atMs >= 1000 && e.atMs < 11_000))
  const other = toPlan(validateScenario({ ...s, seed: 2 }), {}).churn
  assert.notDeepEqual(other, a)
})
