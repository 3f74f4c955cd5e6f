import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { main } from '../../simulations/cli/main.ts'
import { registerProtocol } from '../../simulations/protocols/index.ts'
import { CSV_COLUMNS } from '../../simulations/report/csv.ts'
import { createProgressBar } from '../../simulations/report/progress.ts'
import { coverageCurve, coverageSvg } from '../../simulations/report/coverage-svg.ts'
import { pushBinding } from './helpers/push-core.ts'
import { tempDir } from '../helpers/temp-dir.ts'

registerProtocol(pushBinding('test-cli', { fanoutMean: 6 }))

const tmp = tempDir('sorcha-sim-cli-')
const scenarioFile = join(tmp, 'cli.yaml')
writeFileSync(scenarioFile, [
  'name: cli', 'nodes: 30', 'durationMs: 2000', 'topology: { kind: k-regular, degree: 6 }',
  'workload: { transactions: 5, ratePerSec: 10 }', 'protocol: { name: test-cli }'
].join('\n'))

async function capture (argv: string[]): Promise<{ code: number, out: string, err: string }> {
  let out = ''
  let err = ''
  const o = process.stdout.write.bind(process.stdout)
  const e = process.stderr.write.bind(process.stderr)
  process.stdout.write = ((s: string) => { out += s; return true }) as typeof process.stdout.write
  process.stderr.write = ((s: string) => { err += s; return true }) as typeof process.stderr.write
  try {
    const code = await main(['node', 'sorcha-sim', ...argv])
    return { code, out, err }
  } finally {
    process.stdout.write = o
    process.stderr.write = e
  }
}

test('run --json prints the summary as the last stdout line and writes the three reports', async () => {
  const out = join(tmp, 'out')
  const r = await capture(['run', scenarioFile, '--json', '--seed', '9', '--nodes', '40', '--out', out, '--progress'])
  assert.equal(r.code, 0, r.err)
  const last = r.out.trim().split('\n').at(-1)!
  const summary = JSON.parse(last) as { seed: number, nodes: number, transactions: number }
  assert.equal(summary.seed, 9)
  assert.equal(summary.nodes, 40)
  assert.deepEqual(JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')), summary)
  const csv = readFileSync(join(out, 'timeseries.csv'), 'utf8').trim().split('\n')
  assert.equal(csv[0], CSV_COLUMNS.join(','))
  assert.equal(csv.length, 101)
  const svg = readFileSync(join(out, 'coverage.svg'), 'utf8')
  assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/)
  assert.ok(!/<script|href=|url\(/i.test(svg), 'self-contained')
  assert.match(r.err, /\r cli \[|\rcli \[/)
})

test('without --json it prints a readable summary', async () => {
  const r = await capture(['run', scenarioFile, '--out', join(tmp, 'out2')])
  assert.equal(r.code, 0)
  assert.match(r.out, /delivered .* %/)
})

test('bad usage and bad scenarios exit 2 with one line', async () => {
  const badFile = join(tmp, 'bad.yaml')
  writeFileSync(badFile, 'name: bad\nnodes: -1\n')
  const bad = await capture(['run', badFile])
  assert.equal(bad.code, 2)
  assert.match(bad.err, /nodes = -1/)
  assert.equal(bad.err.trim().split('\n').length, 1)
  assert.equal((await capture(['run', join(tmp, 'none.yaml')])).code, 2)
  assert.equal((await capture(['run', scenarioFile, '--mode', 'warp'])).code, 2)
  assert.equal((await capture(['run', scenarioFile, '--seed', 'x'])).code, 2)
  assert.equal((await capture(['nope'])).code, 2)
  // Reconciliation settings are checked like the gossip core's, and named by their key.
  const badReconcile = join(tmp, 'bad-reconcile.yaml')
  writeFileSync(badReconcile, readFileSync(scenarioFile, 'utf8').replace('protocol: { name: test-cli }', 'protocol: { name: tx-gossip, params: { reconcile: { buckets: 1 } } }'))
  const r = await capture(['run', badReconcile])
  assert.equal(r.code, 2)
  assert.match(r.err, /protocol\.params\.reconcile\.buckets = 1; allowed: tx-reconcile config: buckets must be an integer from 2 to 256/)
  assert.equal(r.err.trim().split('\n').length, 1)
})

test('real mode refuses what loopback cannot emulate, naming the key (exit 2)', async () => {
  const churn = new URL('../../simulations/scenarios/churn-1000.yaml', import.meta.url).pathname
  const r = await capture(['run', churn, '--mode', 'real', '--nodes', '20'])
  assert.equal(r.code, 2)
  assert.match(r.err, /network\.natFraction/)
  const big = await capture(['run', churn, '--mode', 'real'])
  assert.equal(big.code, 2)
  assert.match(big.err, /nodes = 1000/)
  const offline = await capture(['run', new URL('../../simulations/scenarios/offline-10000.yaml', import.meta.url).pathname, '--mode', 'real', '--nodes', '20'])
  assert.equal(offline.code, 2)
  assert.match(offline.err, /faults\.offline = .*; allowed: not available in real mode \(offline windows are simulated only/)
  const attack = await capture(['run', new URL('../../simulations/scenarios/attack-eclipse-10000.yaml', import.meta.url).pathname, '--mode', 'real', '--nodes', '20'])
  assert.equal(attack.code, 2)
  assert.match(attack.err, /adversary = "set"; allowed: not available in real mode \(attackers are simulated only/)
  assert.equal(attack.err.trim().split('\n').length, 1)
})

test('the coverage curve rises from the publishers share to 1 and renders as SVG', () => {
  const curve = coverageCurve(Float32Array.from([1, 2, 3, 4]), 1, 5)
  assert.equal(curve[0]!.coverage, 0.2)
  assert.equal(curve.at(-1)!.coverage, 1)
  assert.ok(curve.every((p, i) => i === 0 || p.coverage >= curve[i - 1]!.coverage))
  const svg = coverageSvg(curve, 'a <title>')
  assert.match(svg, /a &lt;title&gt;/)
  assert.match(svg, /<path d="M/)
})

test('the progress bar draws to its output and ends the line', () => {
  let text = ''
  const bar = createProgressBar({ write: s => { text += s } }, 'x', 10)
  bar.update(500, 1000, 10)
  bar.update(1000, 1000, 20)
  bar.done()
  assert.match(text, /\rx \[#####-----\] 50\.0 %/)
  assert.match(text, /\[##########\] 100\.0 %/)
  assert.ok(text.endsWith('\n'))
})
