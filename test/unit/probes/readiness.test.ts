import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { evaluateReadiness, NodeProbes, type ProbeState, type ReadinessReport } from '../../../src/probes/index.ts'

const STARTED: ProbeState = { lifecycle: 'started', listenAddresses: 1, listeners: 1, databaseOpen: true, connectedPeers: 0, bootstrapPeers: 0 }

describe('readiness', () => {
  it('a started bootstrap node is ready alone', () => {
    const report = evaluateReadiness(STARTED)
    assert.equal(report.ready, true)
    assert.deepEqual(Object.keys(report.checks), ['libp2p', 'database', 'peers'])
    assert.match(report.checks.peers.detail, /bootstrap node/)
  })

  it('a node with bootstrap peers needs a connected peer', () => {
    const alone = evaluateReadiness({ ...STARTED, bootstrapPeers: 2 })
    assert.equal(alone.ready, false)
    assert.deepEqual(alone.checks.peers, { ok: false, detail: 'no peers connected yet (2 bootstrap peers configured)' })
    assert.equal(evaluateReadiness({ ...STARTED, bootstrapPeers: 2, connectedPeers: 1 }).ready, true)
  })

  it('a suspended node is not ready, alone or connected, bootstrap node or not, until resumed', () => {
    for (const state of [STARTED, { ...STARTED, connectedPeers: 3 }, { ...STARTED, bootstrapPeers: 2, connectedPeers: 1 }]) {
      const report = evaluateReadiness({ ...state, suspended: true })
      assert.equal(report.ready, false)
      assert.deepEqual(report.checks.peers, { ok: false, detail: 'suspended by the operator' })
      assert.equal(evaluateReadiness({ ...state, suspended: false }).ready, true)
    }
    const probes = new NodeProbes({ listenAddresses: 1, bootstrapPeers: 0 })
    probes.update({ lifecycle: 'started', databaseOpen: true, listeners: 1 })
    const seen: boolean[] = []
    probes.addEventListener('readiness:change', event => { seen.push(event.detail.ready) })
    probes.update({ suspended: true })
    probes.update({ suspended: false })
    assert.deepEqual(seen, [false, true])
  })

  it('needs libp2p listening and the database open', () => {
    assert.equal(evaluateReadiness({ ...STARTED, listeners: 0 }).checks.libp2p.ok, false)
    assert.equal(evaluateReadiness({ ...STARTED, listeners: 0, listenAddresses: 0 }).checks.libp2p.ok, true, 'a dial-only node listens on nothing')
    assert.deepEqual(evaluateReadiness({ ...STARTED, lifecycle: 'starting' }).checks.libp2p, { ok: false, detail: 'node starting' })
    assert.deepEqual(evaluateReadiness({ ...STARTED, databaseOpen: false }).checks.database, { ok: false, detail: 'closed' })
    assert.equal(evaluateReadiness({ ...STARTED, lifecycle: 'stopping' }).ready, false)
  })

  it('NodeProbes tells listeners when liveness or a check flips, not on every update', () => {
    const probes = new NodeProbes({ listenAddresses: 1, bootstrapPeers: 1 })
    const seen: ReadinessReport[] = []
    probes.addEventListener('readiness:change', event => { seen.push(event.detail) })
    assert.equal(probes.live(), false, 'not live before start')
    probes.update({ lifecycle: 'starting', databaseOpen: true })
    probes.update({ listeners: 1, lifecycle: 'started' })
    assert.equal(probes.live(), true)
    assert.equal(probes.readiness().ready, false)
    const before = seen.length
    probes.update({ connectedPeers: 1 })
    probes.update({ connectedPeers: 3 }) // still ready: no event
    assert.deepEqual(seen.slice(before).map(r => r.ready), [true])
    probes.update({ connectedPeers: 0 })
    assert.equal(seen.at(-1)?.ready, false)
    probes.update({ lifecycle: 'stopping' })
    assert.equal(probes.live(), false)
  })
})
