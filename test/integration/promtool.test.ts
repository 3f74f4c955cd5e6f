/**
 * promtool on what the repository ships and what a node serves: the alert rules are valid and pass
 * their unit tests, and a live node's /metrics passes `promtool check metrics` (the sorcha_ families
 * without a single remark; libp2p's and prom-client's upstream names only with the remarks listed in
 * docs/metrics.md). Needs Debian's prometheus package; skips with one line without it.
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { after, before, describe, it } from 'node:test'
import { gossipOf } from '../../src/gossip/index.ts'
import { startNetwork, type TestNetwork } from '../../src/harness/index.ts'
import { requires } from '../helpers/requires.ts'

const missing = requires({ tools: ['promtool'] })
const RULES_DIR = fileURLToPath(new URL('../../docker/prometheus/', import.meta.url))

/** Runs promtool with `args`, `input` on stdin; resolves with its exit code and output. */
async function promtool (args: string[], input = ''): Promise<{ code: number | null, output: string }> {
  const child = spawn('promtool', args, { cwd: RULES_DIR, stdio: ['pipe', 'pipe', 'pipe'] })
  let output = ''
  child.stdout.on('data', (d: Buffer) => { output += d.toString() })
  child.stderr.on('data', (d: Buffer) => { output += d.toString() })
  child.stdin.end(input)
  const code = await new Promise<number | null>(resolve => child.on('close', resolve))
  return { code, output }
}

/** Upstream names promtool remarks on (docs/metrics.md): libp2p's and prom-client's, never ours. */
const UPSTREAM_REMARK = /^(libp2p|nodejs)_[a-z0-9_]+ (non-counter metrics should not have "_total" suffix|use base unit "seconds" instead of "milliseconds")$/

describe('promtool: alert rules and a live node\'s metrics', { skip: missing }, () => {
  let net: TestNetwork
  before(async () => {
    net = await startNetwork({ nodes: 2, config: { metrics: { enabled: true }, gateway: { enabled: true } } })
  })
  after(async () => { await net?.stop() })

  it('promtool check rules accepts docker/prometheus/alerts.yml', async () => {
    const { code, output } = await promtool(['check', 'rules', 'alerts.yml'])
    assert.equal(code, 0, output)
    assert.match(output, /SUCCESS: 4 rules found/)
  })

  it('the alert rules pass their unit tests (promtool test rules)', async () => {
    const { code, output } = await promtool(['test', 'rules', 'alerts.test.yml'])
    assert.equal(code, 0, output)
    assert.match(output, /SUCCESS/)
  })

  it('promtool check metrics passes on a live node\'s /metrics', async () => {
    const [a, b] = net.nodes as [NonNullable<TestNetwork['nodes'][0]>, NonNullable<TestNetwork['nodes'][0]>]
    // Traffic, so that the gossip, verdict and histogram families have series.
    for (let i = 0; i < 5; i++) await gossipOf(a).publish({ registerId: 'reg-promtool', payload: new TextEncoder().encode(`promtool ${i}`) })
    const rest = (b.libp2p.services as unknown as { gateway: { current: { restUrl: string } } }).gateway.current.restUrl
    await fetch(`${rest}/v1/node`)
    let text = ''
    for (let tries = 0; tries < 100 && !/^sorcha_gossip_delivered_total\{strategy="sorcha"\} 5$/m.test(text); tries++) {
      await new Promise(resolve => setTimeout(resolve, 100))
      text = await (await fetch(`${b.metricsUrl}/metrics`)).text()
    }
    assert.match(text, /^sorcha_gossip_delivered_total\{strategy="sorcha"\} 5$/m)
    assert.match(text, /^sorcha_gateway_requests_total\{api="rest",method="GET \/v1\/node",status="200"\} 1$/m)
    assert.match(text, /^libp2p_/m, 'libp2p\'s own metrics are in the same registry')

    // Our families: not one remark.
    const ours = text.split('\n').filter(line => /^(# (HELP|TYPE) )?sorcha_/.test(line)).join('\n') + '\n'
    const mine = await promtool(['check', 'metrics'], ours)
    assert.equal(mine.code, 0, mine.output)
    assert.equal(mine.output.trim(), '')

    // The whole exposition parses; the only remarks are upstream names'.
    const all = await promtool(['check', 'metrics'], text)
    const remarks = all.output.split('\n').filter(line => line.trim() !== '')
    for (const remark of remarks) assert.match(remark, UPSTREAM_REMARK)
    if (remarks.length === 0) assert.equal(all.code, 0)
  })
})
