import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createRng } from '../../../protocols/common/rng.ts'
import { TopologyCore, type TopologyEffect, type TopologyParams } from '../../../protocols/topology/index.ts'
import { TEST_TOPOLOGY_PARAMS } from '../../helpers/topology-params.ts'

const PARAMS: TopologyParams = TEST_TOPOLOGY_PARAMS

const boot = (n: number): Array<{ peerId: string, addresses: string[] }> =>
  Array.from({ length: n }, (_, i) => ({ peerId: `boot-${i}`, addresses: [`/ip4/127.0.0.1/tcp/${4000 + i}`] }))
const dials = (effects: TopologyEffect[]): string[] => effects.flatMap(e => e.type === 'dial' ? [e.peerId] : [])
const rounds = (effects: TopologyEffect[]): number[] => effects.flatMap(e => e.type === 'discover' ? [e.round] : [])
const exchanges = (effects: TopologyEffect[]): string[] => effects.flatMap(e => e.type === 'exchange' ? [e.peerId] : [])
const none = new Set<string>()
/** A tick; exchanges it asks for are answered at once with nothing new unless `keepExchanges`. */
const tick = (core: TopologyCore, now: number, connected: Set<string> = none, candidates: string[] = [], knownPeers = candidates.length, keepExchanges = false): TopologyEffect[] => {
  const effects = core.handle({ type: 'tick', now, connectedPeers: connected, knownPeers, candidates: candidates.map(peerId => ({ peerId, addresses: [] })) })
  if (!keepExchanges) for (const peerId of exchanges(effects)) core.handle({ type: 'exchange-result', now, peerId, newPeers: 0, ok: true })
  return effects
}

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

  it('asks connected peers for their peers first, never-asked first', () => {
    const core = new TopologyCore(PARAMS, createRng(12))
    core.handle({ type: 'start', now: 0, bootstrap: [] })
    const peers = new Set(['a', 'b', 'c'])
    const first = tick(core, 0, peers, [], 1, true)
    assert.deepEqual(exchanges(first), ['a', 'b'], 'up to exchangeConcurrency at once')
    assert.deepEqual(rounds(first), [], 'no walk while neighbours can still be asked')
    core.handle({ type: 'exchange-result', now: 10, peerId: 'a', newPeers: 30, ok: true })
    assert.deepEqual(exchanges(tick(core, 10, peers, [], 31, true)), ['c'], 'the never-asked peer')
    core.handle({ type: 'exchange-result', now: 20, peerId: 'b', newPeers: 0, ok: true })
    core.handle({ type: 'exchange-result', now: 20, peerId: 'c', newPeers: 0, ok: true })
    const third = tick(core, 20, peers, [], 31, true)
    assert.deepEqual(exchanges(third), [], 'nobody due yet')
    assert.deepEqual(rounds(third), [1], 'every neighbour asked: a walk reaches beyond them')
    assert.deepEqual(rounds(tick(core, 21, peers, [], 31, true)), [], 'one walk at a time')
    assert.deepEqual(exchanges(tick(core, 30_009, peers, [], 31, true)), [], 'a is not due before discoveryIntervalMs')
    assert.deepEqual(exchanges(tick(core, 30_010, peers, [], 31, true)), ['a'], 'a taught us something: asked again after discoveryIntervalMs')
  })

  it('backs off asking a peer whose answers teach nothing, from discoveryIntervalMs up to exchangeIntervalMs', () => {
    const core = new TopologyCore({ ...PARAMS, exchangeConcurrency: 1 }, createRng(14))
    core.handle({ type: 'start', now: 0, bootstrap: [] })
    const asks: number[] = []
    let now = 0
    while (asks.length < 8) {
      const effects = core.handle({ type: 'tick', now, connectedPeers: new Set(['a']), knownPeers: 1, candidates: [] })
      for (const peerId of exchanges(effects)) {
        asks.push(now)
        core.handle({ type: 'exchange-result', now, peerId, newPeers: 0, ok: true })
      }
      for (const round of rounds(effects)) core.handle({ type: 'discovery-result', now, round, newPeers: 0, ok: true })
      now = core.nextWakeup()!
    }
    const gaps = asks.slice(1).map((t, i) => t - asks[i]!)
    assert.deepEqual(gaps, [30_000, 60_000, 120_000, 240_000, 300_000, 300_000, 300_000])
  })

  it('stops pursuing the known-peers target once exchanges and walks keep finding nothing, until a walk does', () => {
    const core = new TopologyCore({ ...PARAMS, exhaustedAfter: 3, minConnections: 2 }, createRng(15))
    core.handle({ type: 'start', now: 0, bootstrap: [] })
    const peers = new Set(['a', 'b', 'c'])
    // Three fruitless results: exchanges with a and b, then a walk.
    tick(core, 0, peers, [], 5)
    assert.deepEqual(exchanges(tick(core, 1, peers, [], 5)), ['c'])
    assert.equal(core.snapshot().fruitlessResults, 3)
    const later = tick(core, 100_000, peers, [], 5, true)
    assert.deepEqual(exchanges(later), [], 'exhausted: neighbours are not asked again')
    const [refresh] = rounds(later)
    assert.ok(refresh !== undefined, 'a refresh walk still runs')
    core.handle({ type: 'discovery-result', now: 300_001, round: refresh!, newPeers: 4, ok: true })
    assert.equal(core.snapshot().fruitlessResults, 0)
    assert.deepEqual(exchanges(tick(core, 300_002, peers, [], 9, true)).length, 2, 'it found someone: asking resumes')
  })

  it('resumes asking once the peer list grows by other means (a crowd joining after its first answers)', () => {
    const core = new TopologyCore({ ...PARAMS, exhaustedAfter: 3, minConnections: 2 }, createRng(15))
    core.handle({ type: 'start', now: 0, bootstrap: [] })
    const peers = new Set(['a', 'b', 'c'])
    tick(core, 0, peers, [], 5)
    tick(core, 1, peers, [], 5)
    assert.equal(core.snapshot().fruitlessResults, 3)
    assert.deepEqual(exchanges(tick(core, 100_000, peers, [], 5, true)), [], 'exhausted while the list stays at 5')
    // Later joiners dialled in: the list holds 8 now, with no discovery result in between.
    assert.equal(exchanges(tick(core, 100_001, peers, [], 8, true)).length, PARAMS.exchangeConcurrency, 'the mesh changed: neighbours are asked again, exchangeConcurrency at a time')
    assert.equal(core.snapshot().fruitlessResults, 0)
  })

  it('does not exchange at target', () => {
    const core = new TopologyCore(PARAMS, createRng(13))
    core.handle({ type: 'start', now: 0, bootstrap: [] })
    assert.deepEqual(exchanges(tick(core, 0, new Set(['a', 'b', 'c', 'd']), [], 50, true)), [])
  })

  it('spaces walks by discoveryIntervalMs, doubling after each that finds nothing, up to refreshIntervalMs', () => {
    const core = new TopologyCore(PARAMS, createRng(8))
    core.handle({ type: 'start', now: 0, bootstrap: [] })
    const connected = new Set(['a'])
    const starts: number[] = []
    const found = [5, 0, 0, 0, 0, 0, 0, 3, 0]
    let now = 0
    while (starts.length < found.length) {
      for (const round of rounds(tick(core, now, connected, [], 1))) {
        starts.push(now)
        core.handle({ type: 'discovery-result', now, round, newPeers: found[starts.length - 1]!, ok: true })
      }
      now = core.nextWakeup()!
    }
    const gaps = starts.slice(1).map((t, i) => t - starts[i]!)
    assert.deepEqual(gaps, [30_000, 30_000, 60_000, 120_000, 240_000, 300_000, 300_000, 30_000])
    assert.equal(core.snapshot().unproductiveRounds, 1)
  })

  it('a failed walk counts as unproductive', () => {
    const core = new TopologyCore(PARAMS, createRng(9))
    core.handle({ type: 'start', now: 0, bootstrap: [] })
    const connected = new Set(['a'])
    tick(core, 0, connected, [], 1)
    const [round] = rounds(tick(core, 1, connected, [], 1))
    core.handle({ type: 'discovery-result', now: 2, round: round!, newPeers: 7, ok: false })
    assert.equal(core.snapshot().unproductiveRounds, 1)
  })

  it('at target, refreshes once per refresh interval; after losing every connection, walks afresh', () => {
    const core = new TopologyCore(PARAMS, createRng(6))
    core.handle({ type: 'start', now: 0, bootstrap: [] })
    const full = new Set(['a', 'b', 'c', 'd'])
    assert.deepEqual(rounds(tick(core, 0, full, [], 50)), [1])
    core.handle({ type: 'discovery-result', now: 10, round: 1, newPeers: 3, ok: true })
    assert.deepEqual(rounds(tick(core, 200_000, full, [], 50)), [], 'at target: only the refresh interval applies')
    assert.deepEqual(rounds(tick(core, 300_000, full, [], 50)), [2])
    core.handle({ type: 'discovery-result', now: 300_001, round: 2, newPeers: 0, ok: true })
    const lost = tick(core, 300_002, none, [], 50)
    assert.ok(lost.some(e => e.type === 'trace' && e.event === 'isolated'))
    const back = tick(core, 300_003, new Set(['a']), [], 50)
    assert.ok(back.some(e => e.type === 'trace' && e.event === 'joined'))
    assert.deepEqual(exchanges(back), ['a'], 'short of connections: the neighbour is asked first')
    assert.deepEqual(rounds(tick(core, 300_004, new Set(['a']), [], 50)), [3], 'then a walk at once, the old back-off forgotten')
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
