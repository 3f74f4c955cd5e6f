/**
 * The WAN benchmark's pure parts: flood-optimal latency (shortest paths over the overlay the nodes
 * had), the Kolmogorov-Smirnov distance of the fidelity check, and the figures built from a run
 * (checked on a simulated run, which cannot beat flood-optimal on its own overlay and delays).
 */
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { createRng } from '../../../protocols/common/rng.ts'
import { floodArrivalMs, floodOptimalLatencies, overlayFromSnapshots } from '../../../simulations/testbed/flood-optimal.ts'
import { ksDistance } from '../../../simulations/report/ks.ts'
import { runSimulated } from '../../../simulations/run.ts'
import { loadScenarioFile, validateScenario } from '../../../simulations/scenario/load.ts'
import { testbedPlan } from '../../../simulations/testbed/plan.ts'
import { quantile, realLatencies, wanFigures } from '../../../simulations/testbed/wan-figures.ts'
import { wanScenario } from '../../bench/testbed-wan.ts'

describe('flood-optimal latency', () => {
  // 0 - 1 - 2 - 3 in a line, plus a slow shortcut 0 - 3.
  const overlay = overlayFromSnapshots(5, [[[1], [2], [3], []], [[3], undefined, [], []]])
  const delays: Record<string, number> = { '0-1': 10, '1-2': 20, '2-3': 30, '0-3': 100 }
  const delay = (a: number, b: number): number => delays[`${Math.min(a, b)}-${Math.max(a, b)}`]!

  it('unions the snapshots symmetrically and keeps a node nobody saw', () => {
    assert.deepEqual(overlay.neighbours, [[1, 3], [0, 2], [1, 3], [0, 2], []])
  })

  it('is the shortest path from the publisher; unreachable nodes are Infinity', () => {
    assert.deepEqual([...floodArrivalMs(overlay, delay, 0)], [0, 10, 30, 60, Infinity])
    assert.deepEqual([...floodArrivalMs(overlay, delay, 3)], [60, 50, 30, 0, Infinity])
    // A faster shortcut wins over the line.
    delays['0-3'] = 40
    assert.deepEqual([...floodArrivalMs(overlay, delay, 0)], [0, 10, 30, 40, Infinity])
    delays['0-3'] = 100
  })

  it('uses each direction of a link with its own delay', () => {
    const line = overlayFromSnapshots(2, [[[1], []]])
    assert.deepEqual([...floodArrivalMs(line, (a, b) => a < b ? 5 : 70, 0)], [0, 5])
    assert.deepEqual([...floodArrivalMs(line, (a, b) => a < b ? 5 : 70, 1)], [70, 0])
  })

  it('gives one value per (transaction, receiver other than the publisher), in order', () => {
    const v = floodOptimalLatencies(overlay, delay, [0, 2, 0], [0, 1, 2, 3])
    assert.deepEqual([...v], [10, 30, 60, 30, 20, 30, 10, 30, 60])
  })

  it('agrees with a brute-force relaxation on random graphs', () => {
    const rng = createRng(9)
    for (let round = 0; round < 20; round++) {
      const n = 2 + rng.int(30)
      const peers = Array.from({ length: n }, () => Array.from({ length: rng.int(4) }, () => rng.int(n)))
      const g = overlayFromSnapshots(n, [peers])
      const w = new Float64Array(n * n).map(() => rng.next() * 100)
      const d = (a: number, b: number): number => w[a * n + b]!
      const source = rng.int(n)
      const best = new Float64Array(n).fill(Infinity)
      best[source] = 0
      for (let k = 0; k < n; k++) for (let i = 0; i < n; i++) for (const j of g.neighbours[i]!) best[j] = Math.min(best[j]!, best[i]! + d(i, j))
      assert.deepEqual([...floodArrivalMs(g, d, source)], [...best])
    }
  })

  it('refuses a negative delay, a source or a link outside the overlay', () => {
    assert.throws(() => floodArrivalMs(overlay, () => -1, 0), { name: 'FloodOptimalInputError' })
    assert.throws(() => floodArrivalMs(overlay, () => NaN, 0), { name: 'FloodOptimalInputError' })
    assert.throws(() => floodArrivalMs(overlay, delay, 5), { name: 'FloodOptimalInputError' })
    assert.throws(() => overlayFromSnapshots(2, [[[2]]]), { name: 'FloodOptimalInputError' })
  })
})

describe('Kolmogorov-Smirnov distance', () => {
  it('is 0 for the same sample and 1 for samples that do not overlap', () => {
    assert.equal(ksDistance([3, 1, 2], [1, 2, 3]), 0)
    assert.equal(ksDistance([1, 2, 3], [4, 5]), 1)
    assert.equal(ksDistance([4, 5], [1, 2, 3]), 1)
  })

  it('measures the largest gap between the step functions, ties stepped together', () => {
    // F_a jumps to 0.5 at 1 and 1 at 2; F_b to 0.25 at 1, 0.75 at 2, 1 at 3: gap 0.25.
    assert.equal(ksDistance([1, 2], [1, 2, 2, 3]), 0.25)
    // Heavy ties: all of a at 5, half of b at 5: after 5, F_a = 1 and F_b = 0.5.
    assert.equal(ksDistance([5, 5, 5, 5], [5, 5, 9, 9]), 0.5)
    assert.equal(ksDistance([5, 5], [5]), 0)
    // Symmetric.
    assert.equal(ksDistance([1, 2, 2, 3], [1, 2]), 0.25)
  })

  it('matches known distributions: two uniform samples are close, a shifted one is not', () => {
    const rng = createRng(4)
    const u = (shift: number): number[] => Array.from({ length: 20_000 }, () => rng.next() + shift)
    assert.ok(ksDistance(u(0), u(0)) < 0.03)
    // U[0,1) against U[0.3,1.3): the gap is 0.3 at x = 0.3.
    assert.ok(Math.abs(ksDistance(u(0), u(0.3)) - 0.3) < 0.03)
  })

  it('refuses an empty sample or a value that is not a finite number', () => {
    assert.throws(() => ksDistance([], [1]), { name: 'KsInputError' })
    assert.throws(() => ksDistance([1], []), { name: 'KsInputError' })
    assert.throws(() => ksDistance([1, NaN], [1]), { name: 'KsInputError' })
    assert.throws(() => ksDistance([1], [Infinity]), { name: 'KsInputError' })
  })
})

describe('WAN figures', () => {
  it('the simulator on the same overlay and delays never beats flood-optimal; an undelivered pair counts as infinite', () => {
    const s = validateScenario({
      name: 'wan-figures',
      nodes: 12,
      durationMs: 20_000,
      topology: { kind: 'k-regular', degree: 3 },
      latency: { kind: 'regions', regions: [{ name: 'a', share: 0.5 }, { name: 'b', share: 0.5 }], rttMs: [[10, 150], [150, 10]], jitterMs: 0 },
      workload: { transactions: 20, ratePerSec: 10 }
    })
    const plan = testbedPlan(s)
    const run = runSimulated(s, { sampleMemory: false })
    const overlay = overlayFromSnapshots(12, [plan.adjacency])
    const f = wanFigures(run, plan, overlay, 1)
    assert.equal(f.deliveredFraction, 1)
    assert.equal(f.overlay.links, 18)
    assert.equal(f.overlay.meanDegree, 3)
    assert.ok(f.floodOptimalMs.p50! >= 5 && f.floodOptimalMs.p99! >= 75, JSON.stringify(f.floodOptimalMs))
    assert.ok(f.p50OverFloodOptimal! >= 1 && f.p99OverFloodOptimal! >= 1, `${f.p50OverFloodOptimal} ${f.p99OverFloodOptimal}`)
    assert.equal(realLatencies(run, [...run.result.liveAtEnd]).length, 20 * 11)
    // Two more receivers that got nothing: 40 of 260 pairs undelivered, so p99 is infinite (null).
    assert.equal(quantile(realLatencies(run, [...run.result.liveAtEnd, 12, 13]).sort(), 0.99), null)
  })

  it('resizes the campaign scenario: a k-regular degree that fits, transactions = seconds × rate', () => {
    const base = loadScenarioFile(join(import.meta.dirname, '../../../simulations/testbed/scenarios/wan-50.yaml'))
    const small = wanScenario(base, 6, 10, 5, 20)
    assert.deepEqual(small.topology, { kind: 'k-regular', degree: 5 })
    assert.equal(small.workload.transactions, 50)
    assert.equal(small.durationMs, 30_000)
    assert.deepEqual(wanScenario(base, 7, 1, 1, 0).topology, { kind: 'k-regular', degree: 6 })
    assert.deepEqual(wanScenario(base, 50, 300, 20, 30, 4).topology, { kind: 'k-regular', degree: 8 })
    assert.equal(wanScenario(base, 50, 300, 20, 30, 4).seed, 4)
  })
})

it('the fidelity run\'s overlay is as dense as the real one: full mesh, or k-regular of the mean degree', async () => {
  const { overlayLike } = await import('../../bench/testbed-wan.ts')
  assert.deepEqual(overlayLike(20, 19), { kind: 'full' })
  assert.deepEqual(overlayLike(20, 18.7), { kind: 'full' })
  assert.deepEqual(overlayLike(50, 8.2), { kind: 'k-regular', degree: 8 })
  // n × degree must be even for a k-regular graph.
  assert.deepEqual(overlayLike(21, 9), { kind: 'k-regular', degree: 8 })
  assert.deepEqual(overlayLike(10, 0.2), { kind: 'k-regular', degree: 1 })
})
