/**
 * The testbed's plan (fault timeline, victims, link delays) and the checks around it: what the
 * testbed, the simulator and real mode refuse, the link emulation choice, the netem and relay set-up.
 */
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { validateScenario } from '../../../simulations/scenario/load.ts'
import { runSimulated } from '../../../simulations/run.ts'
import { runReal } from '../../../simulations/real/run-real.ts'
import { testbedPlan } from '../../../simulations/testbed/plan.ts'
import { chooseEmulation, netemCommands, relaySetup } from '../../../simulations/testbed/local/links.ts'
import { localUnavailable } from '../../../simulations/testbed/local/run-local.ts'
import { ROOT } from '../../helpers/dockerfile.ts'

const base = {
  name: 'plan',
  nodes: 10,
  durationMs: 30000,
  topology: { kind: 'k-regular', degree: 4 },
  latency: { kind: 'uniform', minMs: 5, maxMs: 200, mode: 'per-link', jitterMs: 3 },
  workload: { transactions: 10, ratePerSec: 1 }
}
const faulty = validateScenario({
  ...base,
  faults: {
    crashes: [{ atMs: 1000, fraction: 0.2 }],
    restarts: [{ atMs: 2000, fraction: 0.5, downMs: 1500 }],
    freezes: [{ fromMs: 3000, toMs: 6000, fraction: 0.1 }],
    partitions: [{ fromMs: 4000, toMs: 9000, fraction: 0.3 }],
    offline: [{ fromMs: 5000, toMs: 7000, fraction: 0.1 }]
  }
})

describe('testbed plan', () => {
  it('the faults are a timeline from the seed: crashed nodes stay out of later faults, restarts start again, freezes thaw', () => {
    const plan = testbedPlan(faulty)
    assert.deepEqual(testbedPlan(faulty).faults.map(f => ({ ...f })), plan.faults.map(f => ({ ...f })), 'the same seed, the same faults')
    const times = plan.faults.map(f => f.atMs)
    assert.deepEqual(times, [...times].sort((a, b) => a - b))
    const kinds = plan.faults.map(f => `${f.atMs}:${f.kind}`)
    assert.deepEqual(kinds, ['1000:kill', '2000:kill', '3000:stop', '3500:start', '4000:cut', '5000:cut', '6000:cont', '7000:cut', '9000:cut'])
    const crashed = (plan.faults[0] as { nodes: number[] }).nodes
    const restarted = (plan.faults[1] as { nodes: number[] }).nodes
    assert.equal(crashed.length, 2)
    assert.equal(restarted.length, 4, 'half of the 8 nodes still up')
    assert.ok(restarted.every(i => !crashed.includes(i)))
    assert.deepEqual([...plan.deadAtEnd].sort(), crashed)
    assert.deepEqual((plan.faults[3] as { nodes: number[] }).nodes, restarted)
    for (const i of restarted) {
      assert.equal(plan.canPublish(i, 1999), true)
      assert.equal(plan.canPublish(i, 2000), false)
      assert.equal(plan.canPublish(i, 3500), true)
    }
    for (const i of crashed) assert.equal(plan.canPublish(i, 29000), false)
  })

  it('a rolling restart (everyMs) restarts every victim once, one at a time; a later crash spares a node whose restart is to come', () => {
    const plan = testbedPlan(validateScenario({
      ...base,
      faults: { restarts: [{ atMs: 1000, fraction: 1, downMs: 500, everyMs: 2000 }], crashes: [{ atMs: 4000, fraction: 1 }] }
    }))
    const restarts = plan.faults.filter(f => f.why === 'restart') as Array<{ atMs: number, kind: string, nodes: number[] }>
    const kills = restarts.filter(f => f.kind === 'kill')
    assert.deepEqual(kills.map(k => k.atMs), Array.from({ length: 10 }, (_, g) => 1000 + g * 2000))
    assert.ok(kills.every(k => k.nodes.length === 1))
    assert.deepEqual(kills.map(k => k.nodes[0]).sort((a, b) => a! - b!), Array.from({ length: 10 }, (_, i) => i), 'every node once')
    for (const k of kills) assert.ok(restarts.some(s => s.kind === 'start' && s.atMs === k.atMs + 500 && s.nodes[0] === k.nodes[0]))
    const first = kills[0]!.nodes[0]!
    assert.equal(plan.canPublish(first, 1000), false)
    assert.equal(plan.canPublish(first, 1500), true)
    const crash = plan.faults.find(f => f.why === 'crash') as { nodes: number[] }
    assert.deepEqual(crash.nodes, kills.slice(0, 2).map(k => k.nodes[0]).sort((a, b) => a! - b!), 'only the two restarted before 4000 ms and up again')
    assert.deepEqual([...plan.deadAtEnd].sort((a, b) => a - b), crash.nodes)
  })

  it('partitions and offline windows cut both directions and heal', () => {
    const plan = testbedPlan(faulty)
    const cuts = plan.faults.filter(f => f.kind === 'cut') as Array<{ atMs: number, blocked: Map<number, Set<number>> }>
    const pairs = (c: typeof cuts[number]): number => [...c.blocked.values()].reduce((s, b) => s + b.size, 0)
    assert.equal(pairs(cuts[0]!), 2 * 3 * 7, '3 nodes against 7, both ways')
    for (const c of cuts) for (const [i, b] of c.blocked) for (const j of b) assert.ok(c.blocked.get(j)!.has(i), `${c.atMs}: ${i}-${j} symmetric`)
    assert.ok(pairs(cuts[1]!) > pairs(cuts[0]!), 'an offline node is cut from everyone as well')
    assert.equal(pairs(cuts[3]!), 0, 'healed')
  })

  it('every directed link has its own delay from the latency model, plus jitter and loss', () => {
    const plan = testbedPlan(validateScenario({ ...base, network: { lossRate: 0.02 } }))
    const delays = new Set<number>()
    for (let i = 0; i < 10; i++) {
      for (let j = 0; j < 10; j++) {
        const l = plan.link(i, j)
        assert.ok(l.baseMs >= 5 && l.baseMs <= 200)
        assert.equal(l.jitterMs, 3)
        assert.equal(l.lossRate, 0.02)
        assert.equal(l.perMessage, undefined)
        delays.add(l.baseMs)
      }
    }
    assert.ok(delays.size > 50)
    assert.notEqual(plan.link(0, 1).baseMs, plan.link(1, 0).baseMs)
    const perMessage = testbedPlan(validateScenario({ ...base, latency: { kind: 'constant', ms: 7 } }))
    assert.deepEqual(perMessage.link(0, 1).perMessage, { kind: 'constant', ms: 7 })
  })

  it('netem: a class, a netem qdisc and a filter per destination; the relay: a REDIRECT and a route per destination', () => {
    const plan = testbedPlan(validateScenario({ ...base, network: { lossRate: 0.01 } }))
    const cmds = netemCommands(2, 10, j => `10.0.0.${j + 1}`, plan.link)
    assert.equal(cmds.length, 2 + 9 * 3)
    const l = plan.link(2, 11 - 2)
    assert.ok(cmds.some(c => c.join(' ') === `qdisc add dev eth0 parent 1:19 handle 19: netem delay ${l.baseMs + 1.5}ms 1.5ms loss 1%`))
    assert.ok(cmds.some(c => c.join(' ') === 'filter add dev eth0 protocol ip parent 1: prio 1 u32 match ip dst 10.0.0.10/32 flowid 1:19'))
    const { config, nat } = relaySetup(2, 10, j => `10.0.0.${j + 1}`, plan.link, 1)
    assert.equal(config.routes.length, 9)
    assert.deepEqual(config.routes.find(r => r.host === '10.0.0.10')!.down, plan.link(9, 2))
    assert.match(nat, /-A OUTPUT -d 10\.0\.0\.10\/32 -p tcp --dport 4100 -j REDIRECT --to-ports 20009\n/)
  })

  it('refuses what it cannot run, with one line naming the key', () => {
    const refused = (extra: Record<string, unknown>): string => {
      try { testbedPlan(validateScenario({ ...base, ...extra })); return 'accepted' } catch (err) { return `${(err as Error).name}: ${(err as Error).message}` }
    }
    assert.equal(refused({ network: { uplinkBytesPerSec: 1000 } }), 'ScenarioError: scenario plan: network.uplinkBytesPerSec = 1000; allowed: not available on the testbed (no bandwidth emulation yet)')
    assert.equal(refused({ protocol: { params: { fanout: 3 } } }), 'ScenarioError: scenario plan: protocol.params = {"fanout":3}; allowed: not available on the testbed (set node configuration in testbed.nodeConfig, e.g. { gossip: { antiEntropyIntervalMs: 2000 } })')
    assert.match(refused({ churn: { events: [{ atMs: 1, kind: 'join', count: 1 }] } }), /churn = .*; allowed: not available on the testbed \(use faults.crashes and faults.restarts\)$/)
    assert.match(refused({ network: { natFraction: 0.1 } }), /network.natFraction = 0.1; allowed: not available on the testbed/)
    assert.equal(refused({ workload: { transactions: 10, ratePerSec: 1, publishers: 2 }, adversary: { fraction: 0.2, behaviour: 'censor' } }), 'ScenarioError: scenario plan: adversary = "set"; allowed: not available on the testbed (attackers are simulated only; test/integration/attacks has real ones)')
    assert.equal(refused({ nodes: 1002 }), 'ScenarioError: scenario plan: nodes = 1002; allowed: not available on the testbed (at most 1000 node processes)')
    assert.equal(refused({ protocol: { name: 'push' } }), 'ScenarioError: scenario plan: protocol.name = "push"; allowed: not available on the testbed (real nodes run tx-gossip)')
    assert.throws(() => chooseEmulation('netem', false, 'x'), {
      name: 'ScenarioError',
      message: 'scenario x: testbed.links = "netem"; allowed: auto or relay here: this kernel has no sch_netem (tc qdisc add ... netem: "Specified qdisc kind is unknown")'
    })
    assert.equal(chooseEmulation('auto', false, 'x'), 'relay')
    assert.equal(chooseEmulation('auto', true, 'x'), 'netem')
    assert.equal(localUnavailable('linux', 1000), 'the local testbed needs root (network namespaces, veth, iptables): run it as root')
    assert.equal(localUnavailable('darwin', 0), 'the local testbed needs Linux (network namespaces)')
  })

  it('the simulator and real mode refuse the faults of real processes; sorcha-sim refuses a testbed file without --mode', async () => {
    const frozen = validateScenario({ ...base, faults: { freezes: [{ fromMs: 1, toMs: 2, fraction: 0.1 }] } })
    assert.throws(() => runSimulated(frozen), {
      name: 'ScenarioError',
      message: 'scenario plan: faults.freezes = [{"fromMs":1,"toMs":2,"fraction":0.1}]; allowed: not available in sim mode (real processes only: npm run testbed -- run <scenario>, docs/testbed.md)'
    })
    await assert.rejects(runReal(validateScenario({ ...base, faults: { restarts: [{ atMs: 1, fraction: 0.1 }] } })), { name: 'ScenarioError', message: /faults.restarts = .*; allowed: not available in real mode/ })
    assert.throws(() => validateScenario({ ...base, faults: { freezes: [{ fromMs: 5, toMs: 5, fraction: 0.1 }] } }), { name: 'ScenarioError', message: /faults.freezes.0.toMs = 5; allowed: greater than fromMs \(5\)/ })
    const dir = mkdtempSync(join(tmpdir(), 'testbed-plan-'))
    try {
      writeFileSync(join(dir, 'tb.json'), JSON.stringify({ ...base, runner: 'testbed' }))
      const r = spawnSync(process.execPath, [join(ROOT, 'simulations/cli/bin.js'), 'run', join(dir, 'tb.json'), '--out', join(dir, 'out')], { encoding: 'utf8' })
      assert.equal(r.status, 2)
      assert.equal(r.stderr, 'sorcha-sim: scenario plan: runner = "testbed"; allowed: sim or real for sorcha-sim (run it with npm run testbed -- run <scenario>, or pass --mode)\n')
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
