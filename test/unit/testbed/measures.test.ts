/**
 * The testbed benchmarks' measures from the nodes' own records: when each node held each
 * transaction, how long after a heal (or a SIGCONT) every node held everything, when a node first
 * connected to its bootstrap peer and knew N peers, and a process's start and CPU from /proc.
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import { requires } from '../../helpers/requires.ts'
import { completionAfter, firstConnectedAt, holdTimes, knewAt, parseProcStat, processStartEpochMs, publishedBefore, recoveryFault, type AppliedFault, type NodeEvent } from '../../../simulations/testbed/measures.ts'
import type { FaultAction } from '../../../simulations/testbed/plan.ts'

const ev = (atMs: number, type: string, extra: Partial<NodeEvent> = {}): NodeEvent => ({ atMs, type, peerId: '', txId: '', ...extra })

describe('testbed measures', () => {
  it('a node holds a transaction from its tx_published or its first tx_received; other events do not count', () => {
    const held = holdTimes([
      ev(100, 'tx_published', { txId: 'a' }),
      ev(250, 'tx_received', { txId: 'b', peerId: 'p' }),
      ev(200, 'tx_received', { txId: 'b', peerId: 'q' }),
      ev(50, 'tx_fetch_failed', { txId: 'c' }),
      ev(60, 'tx_confirmed', { txId: 'a' }),
      ev(70, 'peer_connected', { peerId: 'p' })
    ])
    assert.deepEqual([...held].sort(), [['a', 100], ['b', 200]])
  })

  it('published before a moment: the publishers\' tx_published earlier than it, from every node', () => {
    const txs = publishedBefore([
      [ev(100, 'tx_published', { txId: 'a' }), ev(300, 'tx_published', { txId: 'late' })],
      [ev(150, 'tx_received', { txId: 'x' }), ev(199, 'tx_published', { txId: 'b' })]
    ], 200)
    assert.deepEqual([...txs].sort(), ['a', 'b'])
  })

  it('completion after a heal: the last pair held after it; pairs held before count as 0; a pair never held makes it null', () => {
    const holds = [new Map([['a', 100], ['b', 1500]]), new Map([['a', 1200], ['b', 900]])]
    assert.deepEqual(completionAfter(holds, ['a', 'b'], 1000), { ms: 500, missing: 0, lateHolds: 2 })
    assert.deepEqual(completionAfter(holds, ['a'], 2000), { ms: 0, missing: 0, lateHolds: 0 }, 'everything held before')
    assert.deepEqual(completionAfter([...holds, new Map([['a', 1100]])], ['a', 'b'], 1000), { ms: null, missing: 1, lateHolds: 3 })
    assert.deepEqual(completionAfter(holds, [], 1000), { ms: 0, missing: 0, lateHolds: 0 }, 'nothing to hold')
  })

  it('the first connection to the bootstrap peer, and when N distinct peers were known', () => {
    const events = [
      ev(300, 'peer_connected', { peerId: 'boot' }),
      ev(250, 'peer_connected', { peerId: 'other' }),
      ev(280, 'peer_connected', { peerId: 'boot' }),
      ev(290, 'peer_discovered', { peerId: 'boot' }),
      ev(310, 'peer_discovered', { peerId: 'x' }),
      ev(320, 'peer_discovered', { peerId: 'x' }),
      ev(305, 'peer_discovered', { peerId: 'y' })
    ]
    assert.equal(firstConnectedAt(events, 'boot'), 280)
    assert.equal(firstConnectedAt(events, 'nobody'), null)
    assert.equal(knewAt(events, 2), 305)
    assert.equal(knewAt(events, 3), 310, 'x counted once, at its first discovery')
    assert.equal(knewAt(events, 4), null)
    assert.equal(knewAt(events, 4, new Map([['start', 100]])), 310, 'a peer known from the start (a bootstrap peer) counts without an event')
    assert.equal(knewAt(events, 1, new Map([['x', 400]])), 290, 'an earlier event wins over the preknown time')
  })

  it('a process\'s start and CPU from /proc/<pid>/stat, also with spaces and parentheses in its name', () => {
    const line = '6334 (node (x) y) S 6332 6332 31984 0 -1 4194304 101 0 0 0 250 37 0 0 20 0 1 0 7134835 3133440 393 18446744073709551615'
    assert.deepEqual(parseProcStat(line), { startSec: 71348.35, cpuMs: 2870 })
    assert.throws(() => parseProcStat('garbage'), { name: 'TypeError' })
    assert.equal(processStartEpochMs(71348.35, 71350.35, 1_800_000_000_000), 1_799_999_998_000)
  })

  it('this process started before Node.js set its time origin', { skip: requires({ linux: true }) }, () => {
    const own = parseProcStat(readFileSync('/proc/self/stat', 'utf8'))
    const uptime = Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0])
    const started = processStartEpochMs(own.startSec, uptime, Date.now())
    assert.ok(started <= performance.timeOrigin + 20, `start ${started}, time origin ${performance.timeOrigin}`)
    assert.ok(started > performance.timeOrigin - 60_000, `start ${started}, time origin ${performance.timeOrigin}`)
    assert.ok(own.cpuMs > 0)
  })
})

describe('recoveryFault', () => {
  const applied = (action: FaultAction, startedAt: number): AppliedFault => ({ action, startedAt, doneAt: startedAt + 5 })
  const cut = (atMs: number, pairs: Array<[number, number]>, why: string): FaultAction => ({ atMs, kind: 'cut', why, blocked: new Map([0, 1, 2, 3].map(i => [i, new Set(pairs.flatMap(([a, b]) => a === i ? [b] : b === i ? [a] : []))])) })

  it('the heal of a partition, for every node up at the end', () => {
    const r = recoveryFault([applied(cut(1000, [[0, 2], [1, 3]], 'partition'), 1001), applied(cut(5000, [], 'partition heals'), 5002)], [0, 1, 2, 3])
    assert.equal(r?.from, 'partition heals')
    assert.equal(r?.fault.startedAt, 5002)
    assert.deepEqual(r?.nodes, [0, 1, 2, 3])
    assert.equal(recoveryFault([applied(cut(1000, [[0, 2]], 'partition'), 1001)], [0, 1]), undefined, 'no heal, nothing else: none')
  })

  it('the SIGCONT, for the frozen nodes; the crash, for the survivors; none for restarts', () => {
    const freeze = [applied({ atMs: 1, kind: 'stop', nodes: [2], why: 'freeze' }, 10), applied({ atMs: 2, kind: 'cont', nodes: [2], why: 'freeze' }, 20)]
    assert.deepEqual(recoveryFault(freeze, [0, 1, 2]), { fault: freeze[1], from: 'SIGCONT', nodes: [2] })
    const crash = [applied({ atMs: 1, kind: 'kill', nodes: [1], why: 'crash' }, 10)]
    assert.deepEqual(recoveryFault(crash, [0, 2]), { fault: crash[0], from: 'crash', nodes: [0, 2] })
    const restart = [applied({ atMs: 1, kind: 'kill', nodes: [1], why: 'restart' }, 10), applied({ atMs: 2, kind: 'start', nodes: [1], why: 'restart' }, 20)]
    assert.equal(recoveryFault(restart, [0, 1, 2]), undefined)
  })
})
