import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createRng } from '../../../protocols/common/rng.ts'
import { TopologyCore, type TopologyEffect, type TopologyParams } from '../../../protocols/topology/index.ts'

const PARAMS: TopologyParams = {
  minConnections: 4,
  dialConcurrency: 4,
  bootstrapConcurrency: 2,
  bootstrapBackoffInitialMs: 1000,
  bootstrapBackoffMaxMs: 60_000,
  peerBackoffInitialMs: 2000,
  peerBackoffMaxMs: 120_000,
  discoveryIntervalMs: 30_000,
  refreshIntervalMs: 300_000,
  burstRounds: 5,
  discoveryConcurrency: 2,
  tickIntervalMs: 5000,
  maxTrackedPeers: 3
}

const boot = (n: number): Array<{ peerId: string, addresses: string[] }> =>
  Array.from({ length: n }, (_, i) => ({ peerId: `boot-${i}`, addresses: [`/ip4/127.0.0.1/tcp/${4000 + i}`] }))
const dials = (effects: TopologyEffect[]): string[] => effects.flatMap(e => e.type === 'dial' ? [e.peerId] : [])
const rounds = (effects: TopologyEffect[]): number[] => effects.flatMap(e => e.type === 'discover' ? [e.round] : [])
const none = new Set<string>()
const tick = (core: TopologyCore, now: number, connected: Set<string> = none, candidates: string[] = []): TopologyEffect[] =>
  core.handle({ type: 'tick', now, connectedPeers: connected, knownPeers: candidates.length, candidates: candidates.map(peerId => ({ peerId, addresses: [] })) })

describe('topology maintainer core', () => {
  it('dials bootstrap peers in random order, limited in concurrency', () => {
    const orders = new Set<string>()
    for (let seed = 0; seed < 20; seed++) {
      const core = new TopologyCore(PARAMS, createRng(seed))
      core.handle({ type: 'start', now: 0, bootstrap: boot(5) })
      const first = dials(tick(core, 0))
      assert.equal(first.length, 2)
      orders.add(first.join(','))
      assert.deepEqual(dials(tick(core, 1)), [], 'no more while two are in flight')
    }
    assert.ok(orders.size > 5, `orders seen: ${orders.size}`)
  })

  it('retries a failing bootstrap peer with growing, jittered backoff until it answers', () => {
    const core = new TopologyCore({ ...PARAMS, bootstrapConcurrency: 1 }, createRng(1))
    core.handle({ type: 'start', now: 0, bootstrap: boot(1) })
    let now = 0
    const waits: number[] = []
    for (let attempt = 0; attempt < 8; attempt++) {
      assert.deepEqual(dials(tick(core, now)), ['boot-0'])
      core.handle({ type: 'dial-result', now, peerId: 'boot-0', ok: false })
      const next = core.snapshot().bootstrap['boot-0']!.nextAt
      assert.ok(core.nextWakeup()! <= next, 'wakes no later than the retry')
      assert.deepEqual(dials(tick(core, next - 1)), [], 'not before the backoff expires')
      waits.push(next - now)
      now = next
    }
    for (let i = 0; i < waits.length; i++) {
      const ceiling = Math.min(60_000, 1000 * 2 ** i)
      assert.ok(waits[i]! >= ceiling / 2 && waits[i]! <= ceiling, `wait ${i} = ${waits[i]}`)
    }
    assert.deepEqual(dials(tick(core, now)), ['boot-0'])
    core.handle({ type: 'dial-result', now, peerId: 'boot-0', ok: true })
    assert.equal(core.snapshot().bootstrap['boot-0']!.attempts, 0)
  })

  it('stops dialling bootstrap peers once the connection target is met', () => {
    const core = new TopologyCore(PARAMS, createRng(2))
    core.handle({ type: 'start', now: 0, bootstrap: boot(3) })
    const full = new Set(['a', 'b', 'c', 'd'])
    assert.deepEqual(dials(tick(core, 0, full)), [])
  })

  it('dials known candidates up to the target, skipping connected ones and those backing off', () => {
    const core = new TopologyCore(PARAMS, createRng(3))
    core.handle({ type: 'start', now: 0, bootstrap: [] })
    const first = dials(tick(core, 0, new Set(['p0']), ['p0', 'p1', 'p2', 'p3', 'p4', 'p5']))
    assert.deepEqual(first, ['p1', 'p2', 'p3'])
    core.handle({ type: 'dial-result', now: 10, peerId: 'p1', ok: false })
    core.handle({ type: 'dial-result', now: 10, peerId: 'p2', ok: true })
    core.handle({ type: 'dial-result', now: 10, peerId: 'p3', ok: true })
    const second = dials(tick(core, 20, new Set(['p0', 'p2', 'p3']), ['p0', 'p1', 'p2', 'p3', 'p4', 'p5']))
    assert.deepEqual(second, ['p4'], 'p1 is backing off')
  })

  it('remembers a bounded number of failing peers, forgetting the oldest', () => {
    const core = new TopologyCore(PARAMS, createRng(4))
    core.handle({ type: 'start', now: 0, bootstrap: [] })
    const ids = ['x1', 'x2', 'x3', 'x4']
    tick(core, 0, new Set(['c']), ids.slice(0, 3))
    for (const id of ids.slice(0, 3)) core.handle({ type: 'dial-result', now: 1, peerId: id, ok: false })
    tick(core, 2, new Set(['c']), ['x4'])
    core.handle({ type: 'dial-result', now: 3, peerId: 'x4', ok: false })
    // x1 was forgotten (oldest), so it may be dialled again at once; x2..x4 are still backing off.
    assert.deepEqual(dials(tick(core, 4, new Set(['c']), ids)), ['x1'])
  })

  it('bursts discovery rounds after joining, ending early when a round finds nothing new', () => {
    const core = new TopologyCore(PARAMS, createRng(5))
    core.handle({ type: 'start', now: 0, bootstrap: boot(1) })
    assert.deepEqual(rounds(tick(core, 0)), [], 'no discovery without a connection')
    const connected = new Set(['boot-0'])
    assert.deepEqual(rounds(tick(core, 100, connected)), [1, 2], 'burst, limited by discovery concurrency')
    core.handle({ type: 'discovery-result', now: 200, round: 1, newPeers: 12, ok: true })
    assert.deepEqual(rounds(tick(core, 200, connected)), [3])
    core.handle({ type: 'discovery-result', now: 300, round: 2, newPeers: 0, ok: true })
    core.handle({ type: 'discovery-result', now: 300, round: 3, newPeers: 4, ok: true })
    assert.deepEqual(rounds(tick(core, 300, connected)), [], 'burst ended; below target but interval not elapsed')
    assert.deepEqual(rounds(tick(core, 30_300, connected)), [4], 'below target: one round per interval')
  })

  it('refreshes periodically at target, and bursts again after losing every connection', () => {
    const core = new TopologyCore({ ...PARAMS, burstRounds: 1 }, createRng(6))
    core.handle({ type: 'start', now: 0, bootstrap: [] })
    const full = new Set(['a', 'b', 'c', 'd'])
    assert.deepEqual(rounds(tick(core, 0, full)), [1])
    core.handle({ type: 'discovery-result', now: 10, round: 1, newPeers: 3, ok: true })
    assert.deepEqual(rounds(tick(core, 200_000, full)), [], 'at target: only the refresh interval applies')
    assert.deepEqual(rounds(tick(core, 300_000, full)), [2])
    core.handle({ type: 'discovery-result', now: 300_001, round: 2, newPeers: 0, ok: true })
    const lost = tick(core, 300_002, none)
    assert.ok(lost.some(e => e.type === 'trace' && e.event === 'isolated'))
    const back = tick(core, 300_003, new Set(['a']))
    assert.ok(back.some(e => e.type === 'trace' && e.event === 'joined'))
    assert.deepEqual(rounds(back), [3], 'a re-join starts a new burst')
  })

  it('wakes for the next bootstrap retry while below target, and never after stop', () => {
    const core = new TopologyCore(PARAMS, createRng(7))
    core.handle({ type: 'start', now: 0, bootstrap: boot(1) })
    tick(core, 0)
    core.handle({ type: 'dial-result', now: 0, peerId: 'boot-0', ok: false })
    const wake = core.nextWakeup()!
    assert.ok(wake >= 500 && wake <= 1000, `${wake}`)
    core.handle({ type: 'stop', now: 1 })
    assert.equal(core.nextWakeup(), undefined)
    assert.deepEqual(tick(core, 5000), [])
  })

  it('is deterministic for a seed', () => {
    const run = (seed: number): string => {
      const core = new TopologyCore(PARAMS, createRng(seed))
      const log: TopologyEffect[] = []
      log.push(...core.handle({ type: 'start', now: 0, bootstrap: boot(6) }))
      for (let t = 0; t < 10; t++) {
        const effects = tick(core, t * 1000)
        log.push(...effects)
        for (const id of dials(effects)) log.push(...core.handle({ type: 'dial-result', now: t * 1000 + 1, peerId: id, ok: false }))
      }
      return JSON.stringify(log) + JSON.stringify(core.snapshot())
    }
    assert.equal(run(11), run(11))
    assert.notEqual(run(11), run(12))
  })
})
