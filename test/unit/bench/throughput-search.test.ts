/**
 * The throughput benchmark's arithmetic (test/bench/throughput-search.ts): argument handling, the
 * verdict of a step, CPU per delivery, the search over rates; and that its node configuration is one
 * the node accepts.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { resolveConfig } from '../../../src/config/index.ts'
import { nodeConfig } from '../../bench/throughput.ts'
import { cpuPerDeliveryPerNode, judgeStep, parseThroughputArgs, quantile, RateSearch, type StepInput } from '../../bench/throughput-search.ts'

describe('throughput benchmark arguments', () => {
  it('has defaults that keep a run short and measure both strategies', () => {
    const o = parseThroughputArgs([])
    assert.deepEqual(o.strategies, ['sorcha', 'gossipsub'])
    assert.equal(o.nodes, 5)
    assert.equal(o.size, 512)
    assert.equal(o.p99LimitMs, 1000)
    assert.equal(o.json, false)
    assert.equal(o.cpuProfDir, undefined)
    assert.equal(o.packets, false)
  })

  it('takes flags', () => {
    const o = parseThroughputArgs(['--json', '--strategy', 'gossipsub', '--window-s', '60', '--start-rate', '1000', '--refine', '0', '--packets'])
    assert.deepEqual(o.strategies, ['gossipsub'])
    assert.equal(o.windowS, 60)
    assert.equal(o.startRate, 1000)
    assert.equal(o.refine, 0)
    assert.equal(o.json, true)
    assert.equal(o.packets, true)
  })

  it('refuses bad input with a line that names the flag', () => {
    const refused = (argv: string[], message: RegExp): void => {
      assert.throws(() => parseThroughputArgs(argv), (err: Error) => err.name === 'ThroughputUsageError' && message.test(err.message))
    }
    refused(['--nodes', '1'], /^--nodes must be an integer from 2 to 50, not "1"$/)
    refused(['--window-s', '2.5'], /^--window-s must be an integer from 1 to 3600, not "2.5"$/)
    refused(['--strategy', 'flood'], /^--strategy must be sorcha, gossipsub or both, not "flood"$/)
    refused(['--start-rate', '10', '--min-rate', '20'], /--min-rate <= --start-rate <= --max-rate/)
    refused(['--bogus'], /bogus/)
  })
})

describe('throughput step verdict', () => {
  const step = (over: Partial<StepInput>): StepInput => ({ offered: 100, planned: 500, acked: 500, submitS: 5, expectedReceipts: 2000, latenciesMs: new Array<number>(2000).fill(10), nodeCpuUs: 5_000_000, nodes: 5, ...over })

  it('passes when every receipt came in time at the offered rate', () => {
    const r = judgeStep(step({}), 1000)
    assert.equal(r.pass, true)
    assert.deepEqual(r.why, [])
    assert.equal(r.achieved, 100)
    assert.equal(r.cpuUsPerDeliveryPerNode, 2000) // 5 s of CPU over 500 transactions x 5 nodes
  })

  it('fails on one missing receipt, which counts as infinitely late', () => {
    const r = judgeStep(step({ latenciesMs: new Array<number>(1999).fill(10) }), 1000)
    assert.equal(r.pass, false)
    assert.deepEqual(r.why, ['1 of 2000 receipts missing'])
    const many = judgeStep(step({ latenciesMs: new Array<number>(1900).fill(10) }), 1000)
    assert.match(many.why.join('; '), /p99 infinite >= 1000 ms/)
    assert.equal(many.p99Ms, null)
  })

  it('fails when the p99 reaches the limit, or the driver fell behind, or submissions failed', () => {
    const late = [...new Array<number>(1970).fill(10), ...new Array<number>(30).fill(1000)]
    assert.deepEqual(judgeStep(step({ latenciesMs: late }), 1000).why, ['p99 1000 ms >= 1000 ms'])
    assert.deepEqual(judgeStep(step({ submitS: 6 }), 1000).why, ['the driver offered only 83 tx/s'])
    assert.match(judgeStep(step({ acked: 499, submitS: 4.99, expectedReceipts: 1996, latenciesMs: new Array<number>(1996).fill(1) }), 1000).why[0]!, /^1 of 500 submissions not acknowledged$/)
  })

  it('computes quantiles and CPU per delivery', () => {
    assert.equal(quantile([5, 1, 3, 2, 4], 0.5), 3)
    assert.equal(quantile([], 0.5), null)
    assert.equal(quantile(Array.from({ length: 100 }, (_, i) => i + 1), 0.99), 99)
    assert.equal(cpuPerDeliveryPerNode(1_000_000, 1000, 5), 200)
    assert.equal(cpuPerDeliveryPerNode(1_000_000, 0, 5), null)
  })
})

describe('throughput rate search', () => {
  const run = (startRate: number, limit: number, refine = 2): number[] => {
    const search = new RateSearch({ startRate, maxRate: 16000, minRate: 25, refine })
    const tried: number[] = []
    for (let rate = search.rate; rate !== undefined; rate = search.rate) {
      tried.push(rate)
      search.record(rate, rate <= limit)
    }
    assert.equal(search.sustained, tried.filter(r => r <= limit).reduce((a, b) => Math.max(a, b), 0))
    return tried
  }

  it('doubles while passing, then bisects between the highest pass and the lowest fail', () => {
    assert.deepEqual(run(500, 3000), [500, 1000, 2000, 4000, 3000, 3500])
  })

  it('halves while failing, down to the minimum rate', () => {
    assert.deepEqual(run(500, 100, 1), [500, 250, 125, 62, 100])
    assert.deepEqual(run(500, 10, 0), [500, 250, 125, 62, 31, 25])
  })

  it('stops at the maximum rate when everything passes', () => {
    assert.deepEqual(run(4000, 1e9), [4000, 8000, 16000])
  })
})

describe('throughput node configuration', () => {
  it('is accepted by the node, for both strategies', () => {
    for (const strategy of ['sorcha', 'gossipsub'] as const) {
      const config = resolveConfig({ file: { path: 'bench', data: nodeConfig('/tmp/x', strategy, ['/ip4/127.0.0.1/tcp/4001/p2p/12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA']) } })
      assert.equal(config.gossip.strategy, strategy)
      assert.equal(config.gateway.rateLimit.perSecond, 0)
      assert.equal(config.metrics.enabled, false)
      const counted = resolveConfig({ file: { path: 'bench', data: nodeConfig('/tmp/x', strategy, [], true) } })
      assert.equal(counted.metrics.enabled, true, '--packets reads the Noise packet counters from /metrics')
      assert.equal(counted.metrics.port, 0)
    }
  })
})
